import { jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeysConfigError, LocalKeySet, RemoteKeySet } from "../src/index";
import {
	clock,
	json,
	makeKey,
	once,
	rejection,
	sign,
	startServer,
	type TestKey,
	type TestServer,
} from "./helpers";

let A: TestKey;
let B: TestKey;
const servers: TestServer[] = [];
const sets: RemoteKeySet[] = [];
beforeAll(async () => {
	A = await makeKey("a");
	B = await makeKey("b");
});
afterEach(async () => {
	for (const k of sets.splice(0)) k.close();
	await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
	const s = await startServer(handler);
	servers.push(s);
	return s;
}

describe("snapshot() / restore()", () => {
	it("seeds a cold set without a fetch, keeps the ETag for the next conditional request", async () => {
		const inm: (string | undefined)[] = [];
		const s = await serve((req, res) => {
			inm.push(req.headers["if-none-match"] as string | undefined);
			if (req.headers["if-none-match"] === '"e1"') return void res.writeHead(304).end();
			json({ keys: [A.publicJwk, B.publicJwk] }, { etag: '"e1"' })(req, res);
		});
		const c = clock();
		const first = new RemoteKeySet({ name: "n", url: s.url(), now: c.now, random: () => 0.5 });
		sets.push(first);
		expect(first.snapshot()).toBeUndefined();
		await first.load();
		const snap = JSON.parse(JSON.stringify(first.snapshot()));
		expect(snap).toEqual({ jwks: first.jwks(), fetchedAt: c.t, freshMs: 600_000, etag: '"e1"' });
		const second = new RemoteKeySet({ name: "n", url: s.url(), now: c.now, random: () => 0.5 });
		sets.push(second);
		expect(await second.restore(snap)).toBe(true);
		expect(second.get("b")).toBeInstanceOf(CryptoKey);
		expect((await jwtVerify(await sign(A), second.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(1);
		expect(await second.restore({ ...snap, fetchedAt: snap.fetchedAt - 1 })).toBe(false);
		// past its freshness: served while a conditional refresh runs in the background
		c.advance(600_001);
		const refreshed = once<{ status: number }>((l) => second.on("refresh", l));
		expect(second.get("a")).toBeInstanceOf(CryptoKey);
		expect((await refreshed).status).toBe(304);
		expect(inm).toEqual([undefined, '"e1"']);
	});

	it("refuses a malformed snapshot or one without a usable key (CFG)", async () => {
		const ks = new RemoteKeySet({ name: "n", url: "https://idp.example/jwks" });
		for (const bad of [
			{ jwks: { keys: [A.publicJwk] }, fetchedAt: -1, freshMs: 1 },
			{ jwks: {}, fetchedAt: 1, freshMs: 1 },
			{ jwks: { keys: [{ kty: "oct", k: "AQAB" }] }, fetchedAt: 1, freshMs: 1 },
		]) {
			const e = await rejection(ks.restore(bad as never));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
		}
	});
});

describe("fetch plumbing", () => {
	it("a custom fetch always gets an AbortSignal, redirect:manual, and the dispatcher", async () => {
		const seen: RequestInit[] = [];
		const dispatcher = { dispatch() {} };
		const ks = new RemoteKeySet({
			name: "n",
			url: "https://idp.example/jwks.json",
			dispatcher,
			headers: { "user-agent": "xshl-test" },
			fetch: async (_url, init) => {
				seen.push(init);
				return new Response(JSON.stringify({ keys: [A.publicJwk] }), {
					headers: { "content-type": "application/json" },
				});
			},
		});
		await ks.load();
		expect(seen).toHaveLength(1);
		expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
		expect(seen[0]!.redirect).toBe("manual");
		expect((seen[0] as { dispatcher?: unknown }).dispatcher).toBe(dispatcher);
		expect((seen[0]!.headers as Record<string, string>)["user-agent"]).toBe("xshl-test");
	});

	it("shareInflight:false (workerd/Vercel Edge): concurrent cold lookups each fetch on their own and all succeed; unknown kids stay bounded", async () => {
		// @see issue 12 §3: before, 49 of these 50 got ERR_KEYS_UNAVAILABLE (reason "loading")
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = new RemoteKeySet({ name: "n", url: s.url(), now: c.now, shareInflight: false });
		sets.push(ks);
		const results = await Promise.allSettled(
			Array.from({ length: 50 }, () => ks.getKey({ kid: "a" })),
		);
		for (const r of results) {
			expect(r.status).toBe("fulfilled");
			expect((r as PromiseFulfilledResult<CryptoKey>).value).toBeInstanceOf(CryptoKey);
		}
		// no request awaited another one's fetch: each made its own (as jose does there)
		expect(s.requests).toBe(50);
		c.advance(30_000);
		const flood = await Promise.allSettled(
			Array.from({ length: 50 }, () => ks.getKey({ kid: crypto.randomUUID() })),
		);
		expect(
			flood.every((r) => r.status === "rejected" && r.reason.code === "ERR_KEYS_NO_MATCHING_KEY"),
		).toBe(true);
		expect(s.requests).toBe(51);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});

	it("autoRefresh refreshes on an unref'd timer without any access", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }, { "cache-control": "max-age=0" }));
		const ks = new RemoteKeySet({ name: "n", url: s.url(), autoRefresh: true, minTtlMs: 0 });
		sets.push(ks);
		await ks.load();
		const refreshed = once<{ status: number }>((l) => ks.on("refresh", l));
		expect((await refreshed).status).toBe(200);
		expect(s.requests).toBeGreaterThanOrEqual(2);
	});
});

describe("LocalKeySet", () => {
	it("imports in the background: get() is undefined until load(); the resolver waits", async () => {
		const ks = new LocalKeySet({ name: "local", jwks: { keys: [A.publicJwk, B.publicJwk] } });
		expect(ks.name).toBe("local");
		expect(ks.get("a")).toBeUndefined();
		expect((await jwtVerify(await sign(B), ks.resolver)).payload.sub).toBe("u1");
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		expect(ks.algorithms("sig")).toEqual(["ES256"]);
		expect(ks.algorithms("enc")).toEqual([]);
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a", "b"]);
		const e = await rejection(ks.getKey({ kid: "zz" }));
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(e.reason).toBe("unknown-kid");
	});

	it("a key that fails to import (EC point off the curve) rejects load() and lookups with CFG", async () => {
		const y = Buffer.from(A.publicJwk.y!, "base64url");
		y[0] = (y[0]! ^ 0x55) & 0xff;
		const ks = new LocalKeySet({
			name: "n",
			jwks: { keys: [{ ...A.publicJwk, y: y.toString("base64url") }] },
		});
		const e = await rejection(ks.load());
		expect(e).toBeInstanceOf(KeysConfigError);
		expect(e.issues).toEqual([
			{
				path: "jwks.keys.0",
				message: "key import failed (invalid key material, e.g. an EC point not on the curve)",
			},
		]);
		expect((await rejection(ks.getKey({ kid: "a" }))).code).toBe("ERR_KEYS_CONFIG_INVALID");
	});

	it("use: 'sig' skips the encryption keys of a JWKS (reported, not an error)", async () => {
		const enc = await makeKey("e", "RSA-OAEP-256", { use: "enc" });
		const ks = new LocalKeySet({
			name: "n",
			jwks: { keys: [A.publicJwk, enc.publicJwk] },
			use: "sig",
		});
		await ks.load();
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a"]);
		expect(ks.rejected()).toEqual([{ index: 1, kid: "e", reason: "not usable for sig" }]);
		expect(ks.get("e", { use: "enc" })).toBeUndefined();
	});

	it("validates options (CFG)", () => {
		for (const bad of [
			{ name: "", jwks: { keys: [] } },
			{ name: "n", jwks: [] },
			{ name: "n", jwks: { keys: [] }, use: "x" },
		]) {
			expect(() => new LocalKeySet(bad as never)).toThrow(KeysConfigError);
		}
	});
});

describe("LocalKeySet.resolveSync", () => {
	it("answers what the resolver resolves when the key is at hand, undefined otherwise, never throws", async () => {
		const { generateKeyPair, exportJWK } = await import("jose");
		const a = await generateKeyPair("ES256", { extractable: true });
		const b = await generateKeyPair("ES256", { extractable: true });
		const jwk = (k: CryptoKey, kid: string) =>
			exportJWK(k).then((j) => ({ ...j, kid, alg: "ES256", use: "sig" }));
		const ks = new LocalKeySet({
			name: "n",
			jwks: {
				keys: [
					await jwk(a.publicKey, "a"),
					await jwk(b.publicKey, "dup"),
					await jwk(a.publicKey, "dup"),
				],
			},
		});
		// before the import finishes: nothing at hand, the resolver waits instead
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBeUndefined();
		await ks.load();
		const viaResolver = await ks.resolver({ kid: "a", alg: "ES256" });
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBe(viaResolver);
		// whatever the resolver refuses is undefined here (it then throws its own error)
		for (const header of [
			{ kid: "unknown", alg: "ES256" },
			{ kid: "a", alg: "RS256" },
			{ kid: "dup", alg: "ES256" },
			{ kid: 7 as unknown as string, alg: "ES256" },
			{ kid: "x".repeat(10_000), alg: "ES256" },
			{ alg: "ES256" },
		]) {
			expect(ks.resolveSync(header), JSON.stringify(header).slice(0, 40)).toBeUndefined();
			await expect(ks.resolver(header)).rejects.toMatchObject({
				code: expect.stringMatching(/^ERR_KEYS_(NO_MATCHING_KEY|MULTIPLE_MATCHING_KEYS)$/),
			});
		}
	});
});
