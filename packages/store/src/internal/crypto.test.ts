import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../index";
import { parseInternal, verifyTag } from "../refresh-token";
import {
	b64url,
	fromB64url,
	hashText,
	hmacKey,
	NODE_PRIMITIVES,
	open,
	type Primitives,
	randomBytes,
	seal,
	utf8,
	WEB_PRIMITIVES,
} from "./crypto";

// Written by the Web Crypto implementation before node:crypto was used (commit 18a347a):
// a MemoryStore with this pepper, login then one rotation, and the family's stored values.
const STORED = {
	pepper: "fixture-pepper-0123456789abcdefghij",
	rt0: "xrt1.POBsCaFHkfDYiyP0IUw58ozlyn2sgsDPG6J7HmFh.0.g8uWRYV6WvGe7frpufvx9a_KQyYNSKMxCXjtITPh8xbNTKbdj0uTJR4-Iitxj-A-",
	rt1: "xrt1.POBsCaFHkfDYiyP0IUw58ozlyn2sgsDPG6J7HmFh.1.f3OfNotibKqpHsguygf8Nzha08v24AFSYwt7MP02Mb4zeKQby5sRm54BbojGjPZC",
	cur: "KOJl8fSaL4SZxv3dyzzAU77KtK2qKbMu710uv2iSfKI",
	prev: "KirRYQtHI7C4V0XXtr7-P5ATNd6MrD12C4xmbTW_wrM",
	sealed:
		"iwsXEvuLlVsxpTj34UArdFuUCS_Ubp_WXy0biuCRthBF44IPVIKzqbm_ICtcfo_UUuTa9bITvIi7wK9lr-VolHxKIIq-yD1XhEMUlMkVNtEXRy_xLz6qmt7eH4Vj1_vvegZKlOon9GWLFQ5RhmxE90bYMeg-AkCbzLowrTaSMdw6FHPsXTGPBEllosg",
};

const node = NODE_PRIMITIVES as Primitives;

describe("internal crypto", () => {
	it("base64url matches Node's encoder for every length 0–64 and round-trips", () => {
		for (let n = 0; n <= 64; n++) {
			const bytes = randomBytes(n);
			const text = b64url(bytes);
			expect(text).toBe(Buffer.from(bytes).toString("base64url"));
			expect(fromB64url(text)).toEqual(bytes);
		}
		expect(fromB64url("a+b")).toBeUndefined();
		expect(fromB64url("abcde")).toBeUndefined();
	});

	it("seal/open: the successor opens only with the predecessor secret and the same context", async () => {
		for (const p of [node, WEB_PRIMITIVES]) {
			const secret = randomBytes(32);
			const sealed = await seal(secret, "fam.3", "xrt1.successor", p);
			expect(await open(secret, "fam.3", sealed, p)).toBe("xrt1.successor");
			expect(await open(randomBytes(32), "fam.3", sealed, p)).toBeUndefined();
			expect(await open(secret, "fam.4", sealed, p)).toBeUndefined();
			expect(await open(secret, "fam.3", `${sealed.slice(0, -2)}AA`, p)).toBeUndefined();
			expect(await open(secret, "fam.3", "short", p)).toBeUndefined();
		}
	});

	it("on Node the synchronous node:crypto primitives are used", () => {
		expect(NODE_PRIMITIVES).toBeDefined();
		// a plain value, not a promise: no threadpool hop on the rotation path
		expect(hashText("x")).toBe(createHash("sha256").update("x").digest("base64url"));
		expect(node.sha256(utf8("x"))).toBeInstanceOf(Uint8Array);
	});

	it("node:crypto and Web Crypto give byte-identical SHA-256, HMAC and sealed output", async () => {
		for (const n of [0, 1, 31, 32, 33, 100, 1000]) {
			const data = randomBytes(n);
			expect(await node.sha256(data)).toEqual(await WEB_PRIMITIVES.sha256(data));
			const key = hmacKey(randomBytes(32));
			const text = `xrt1.${"é".repeat(n % 7)}.${n}`;
			expect(await node.hmac(key, text)).toEqual(await WEB_PRIMITIVES.hmac(key, text));
			const secret = randomBytes(32);
			const iv = randomBytes(12);
			const plaintext = "p".repeat(n);
			const a = await seal(secret, `fam.${n}`, plaintext, node, iv);
			expect(a).toBe(await seal(secret, `fam.${n}`, plaintext, WEB_PRIMITIVES, iv));
			expect(await open(secret, `fam.${n}`, a, WEB_PRIMITIVES)).toBe(plaintext);
			expect(await open(secret, `fam.${n}`, a, node)).toBe(plaintext);
		}
	});

	it("data stored by the Web Crypto version stays valid: tags verify, hashes match, the sealed successor opens", async () => {
		const key = hmacKey(utf8(STORED.pepper));
		for (const rt of [STORED.rt0, STORED.rt1]) {
			expect(await verifyTag(key, parseInternal(rt))).toBe(true);
		}
		expect(await hashText(STORED.rt1)).toBe(STORED.cur);
		expect(await hashText(STORED.rt0)).toBe(STORED.prev);
		const r0 = parseInternal(STORED.rt0);
		for (const p of [node, WEB_PRIMITIVES]) {
			expect(await open(r0.random, `${r0.familyId}.0`, STORED.sealed, p)).toBe(STORED.rt1);
		}
		// a store with the same pepper accepts both tokens as authentic
		const store = new MemoryStore({ pepper: STORED.pepper });
		await expect(store.rotate(STORED.rt1, { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_INVALID",
			message: "the refresh token does not match a live family",
		});
	});
});
