// Issue 12 §3: the hostile inputs and runtimes the key sets were tried with, each with its
// control (what is still accepted).
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeysConfigError, LocalKeySet, type RejectedKey, RemoteKeySet } from "../src/index";
import { jwkThumbprint, KeyRing } from "../src/ring";
import { json, makeKey, rejection, startServer, type TestKey, type TestServer } from "./helpers";

let A: TestKey;
let s: TestServer;
beforeAll(async () => {
	A = await makeKey("a");
	s = await startServer(json({ keys: [A.publicJwk] }));
});
afterAll(() => s.close());

function urlError(url: string): KeysConfigError | undefined {
	try {
		new RemoteKeySet({ name: "n", url });
	} catch (e) {
		return e as KeysConfigError;
	}
	return undefined;
}

describe("plain http: key sources (issue 12 §3)", () => {
	it("refuses an http: URL on a host that is not loopback", () => {
		for (const url of [
			"http://idp.example/jwks.json",
			"http://10.0.0.5/jwks.json",
			"http://127.0.0.1.nip.io/jwks.json",
			"http://[::2]/jwks.json",
		]) {
			const e = urlError(url);
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e?.code).toBe("ERR_KEYS_CONFIG_INVALID");
			expect(e?.issues).toEqual([{ path: "url", message: e?.message }]);
			expect(e?.message).toMatch(/^url must be https:/);
		}
	});

	it("control: https anywhere and http on loopback (localhost, 127.0.0.0/8, [::1]) are accepted", () => {
		for (const url of [
			"https://idp.example/jwks.json",
			"http://localhost:8080/jwks.json",
			"http://127.0.0.1/jwks.json",
			"http://127.8.9.10/jwks.json",
			"http://[::1]:3000/jwks.json",
		])
			expect(urlError(url)).toBeUndefined();
	});

	it("allowInsecureHttp accepts it, and every load emits an insecure-http warning", async () => {
		const served = s.url();
		const ks = new RemoteKeySet({
			name: "n",
			url: "http://jwks.internal.example/jwks.json",
			allowInsecureHttp: true,
			// the host is not resolvable here: route it to the local server, as a proxy would
			fetch: (_input, init) => fetch(served, init),
		});
		const warnings: { code: string; message: string }[] = [];
		ks.on("warning", (w) => warnings.push(w));
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		expect(warnings).toEqual([
			{
				code: "insecure-http",
				message:
					"JWKS loaded over plain http (allowInsecureHttp): anyone on the path can serve their own keys",
			},
		]);
		await ks.load();
		expect(warnings).toHaveLength(2);
		// control: a loopback http load warns about nothing
		const local = new RemoteKeySet({ name: "n", url: s.url() });
		const none: unknown[] = [];
		local.on("warning", (w) => none.push(w));
		await local.load();
		expect(none).toEqual([]);
	});
});

// an RSA public JWK with a crafted modulus of `bits` bits (odd, top bit set) and exponent `e`
function rsaJwk(kid: string, bits: number, e: Uint8Array): Record<string, unknown> {
	const n = new Uint8Array(bits / 8);
	crypto.getRandomValues(n);
	n[0]! |= 0x80;
	n[n.length - 1]! |= 1;
	return {
		kty: "RSA",
		kid,
		alg: "RS256",
		use: "sig",
		n: Buffer.from(n).toString("base64url"),
		e: Buffer.from(e).toString("base64url"),
	};
}

async function served(keys: unknown[]) {
	const srv = await startServer(json({ keys: [A.publicJwk, ...keys] }));
	const ks = new RemoteKeySet({ name: "n", url: srv.url() });
	const rejected: RejectedKey[] = [];
	ks.on("keyRejected", (r) => rejected.push(r));
	await ks.load();
	ks.close();
	await srv.close();
	return { ks, rejected };
}

const F4 = new Uint8Array([1, 0, 1]);

describe("RSA bounds (issue 12 §3)", () => {
	it("a key set drops moduli over 8192 bits and exponents over 2^32 - 1 (a 3064-bit one too)", async () => {
		const { ks, rejected } = await served([
			rsaJwk("n8200", 8200, F4),
			rsaJwk("e33", 3072, new Uint8Array([1, 0, 0, 0, 1])),
			rsaJwk(
				"e3064",
				3072,
				Uint8Array.from({ length: 383 }, (_, i) => (i === 382 ? 3 : 0xff)),
			),
		]);
		expect(rejected).toEqual([
			{ index: 1, kid: "n8200", reason: "RSA key is 8200 bits, at most 8192 accepted" },
			{ index: 2, kid: "e33", reason: "RSA public exponent is 33 bits, at most 2^32 - 1 accepted" },
			{
				index: 3,
				kid: "e3064",
				reason: "RSA public exponent is 3064 bits, at most 2^32 - 1 accepted",
			},
		]);
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a"]);
	});

	it("control: an 8192-bit modulus and the exponent 2^32 - 1 are accepted", async () => {
		const { ks, rejected } = await served([
			rsaJwk("n8192", 8192, F4),
			rsaJwk("e32", 2048, new Uint8Array([0xff, 0xff, 0xff, 0xff])),
		]);
		expect(rejected).toEqual([]);
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a", "n8192", "e32"]);
	});

	it("a key ring snapshot with a 33-bit exponent is refused on restore; 2^32 - 1 is restored", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xshl-keys-rsa-"));
		try {
			const pem = (exp: string) => {
				const file = join(dir, `${exp}.pem`);
				execFileSync("openssl", [
					"genpkey",
					"-algorithm",
					"RSA",
					"-pkeyopt",
					"rsa_keygen_bits:2048",
					"-pkeyopt",
					`rsa_keygen_pubexp:${exp}`,
					"-out",
					file,
				]);
				return readFileSync(file, "utf8");
			};
			const snapshot = async (privateKey: string) => {
				const jwk = createPublicKey(privateKey).export({ format: "jwk" });
				const kid = await jwkThumbprint({ kty: "RSA", n: jwk.n!, e: jwk.e! });
				return {
					version: 1 as const,
					keys: [
						{
							kid,
							alg: "RS256" as const,
							use: "sig" as const,
							privateKey,
							createdAt: 0,
							activateAt: 0,
						},
					],
				};
			};
			const e = await rejection(KeyRing.restore(await snapshot(pem("4294967297"))));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.issues).toEqual([
				{
					path: "keys.0.privateKey",
					message: "key #0: RSA public exponent is 33 bits, at most 2^32 - 1 accepted",
				},
			]);
			const ok = await KeyRing.restore(await snapshot(pem("4294967295")));
			expect(ok.signingKey().alg).toBe("RS256");
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe("workerd: JWK members present and undefined (issue 12 §3)", () => {
	const undefinedPrivate = {
		d: undefined,
		p: undefined,
		q: undefined,
		dp: undefined,
		dq: undefined,
		qi: undefined,
		k: undefined,
		oth: undefined,
		priv: undefined,
	};

	it("a public JWK with every private member present and undefined is a public key", async () => {
		const jwk = { ...A.publicJwk, ...undefinedPrivate };
		expect(Object.hasOwn(jwk, "d")).toBe(true);
		const ks = new LocalKeySet({ name: "n", jwks: { keys: [jwk] } });
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		expect(Object.keys(ks.jwks().keys[0]!).sort()).toEqual([
			"alg",
			"crv",
			"kid",
			"kty",
			"use",
			"x",
			"y",
		]);
	});

	it("control: a private member with a value is still refused", () => {
		const e = (() => {
			try {
				new LocalKeySet({
					name: "n",
					jwks: { keys: [{ ...A.publicJwk, ...undefinedPrivate, d: "AAAA" }] },
				});
			} catch (err) {
				return err as KeysConfigError;
			}
			return undefined;
		})();
		expect(e).toBeInstanceOf(KeysConfigError);
		expect(e?.issues).toEqual([{ path: "jwks.keys.0", message: "private members present (d)" }]);
	});
});

describe("RFC 9864 Ed25519 (issue 12 §2, keys side)", () => {
	it("a ring issues with alg Ed25519 when asked; its keys are published with that alg", async () => {
		const ring = await KeyRing.generate({ signing: "Ed25519", encryption: false });
		expect(ring.jwks().keys.map((k) => [k.kty, k.crv, k.alg])).toEqual([
			["OKP", "Ed25519", "Ed25519"],
			["OKP", "Ed25519", "Ed25519"],
		]);
		const { privateKey, header } = ring.signingKey();
		expect(header.alg).toBe("Ed25519");
		const token = await new SignJWT({ sub: "u1" }).setProtectedHeader(header).sign(privateKey);
		const ks = ring.keySet("n");
		expect(ks.algorithms("sig")).toEqual(["Ed25519", "EdDSA"]);
		const { protectedHeader } = await jwtVerify(token, ks.resolver, {
			algorithms: ks.algorithms("sig"),
		});
		expect(protectedHeader.alg).toBe("Ed25519");
		// and it survives snapshot()/restore() in both formats
		for (const format of ["jwk", "pem"] as const) {
			const copy = await KeyRing.restore(await ring.snapshot({ format }));
			expect(copy.signingKey().alg).toBe("Ed25519");
		}
	});

	it("EdDSA stays the default name; a key declared with either name matches both (remote set)", async () => {
		const ring = await KeyRing.generate({ signing: "EdDSA", encryption: false });
		expect(ring.signingKey().alg).toBe("EdDSA");
		const srv = await startServer(json(ring.jwks()));
		try {
			const ks = new RemoteKeySet({ name: "n", url: srv.url() });
			await ks.load();
			const { privateKey, kid } = ring.signingKey();
			for (const alg of ["EdDSA", "Ed25519"]) {
				const token = await new SignJWT({ sub: "u1" })
					.setProtectedHeader({ alg, kid })
					.sign(privateKey);
				const { protectedHeader } = await jwtVerify(token, ks.resolver, {
					algorithms: ks.algorithms("sig"),
				});
				expect(protectedHeader.alg).toBe(alg);
			}
			// control: an Ed25519 key never matches another algorithm
			expect((await rejection(ks.getKey({ kid, alg: "ES256", use: "sig" }))).code).toBe(
				"ERR_KEYS_NO_MATCHING_KEY",
			);
			ks.close();
		} finally {
			await srv.close();
		}
	});
});

describe("cold starts on isolated-request runtimes (issue 12 §3)", () => {
	it("workerd detected (WebSocketPair): three concurrent first lookups all succeed, each with its own fetch", async () => {
		// @see issue 12 §3: on workerd and edge-runtime this was one success and two
		// ERR_KEYS_UNAVAILABLE (reason "loading")
		const g = globalThis as { WebSocketPair?: unknown };
		g.WebSocketPair = class {};
		try {
			const srv = await startServer(json({ keys: [A.publicJwk] }));
			try {
				const ks = new RemoteKeySet({ name: "n", url: srv.url() });
				const keys = await Promise.all([
					ks.getKey({ kid: "a" }),
					ks.getKey({ kid: "a" }),
					ks.load().then(() => ks.getKey({ kid: "a" })),
				]);
				for (const k of keys) expect(k).toBeInstanceOf(CryptoKey);
				// shareInflight defaulted to false: nobody awaited another request's fetch
				expect(srv.requests).toBe(3);
				ks.close();
			} finally {
				await srv.close();
			}
		} finally {
			delete g.WebSocketPair;
		}
	});

	it("control: on Node the same three lookups share one fetch", async () => {
		const srv = await startServer(json({ keys: [A.publicJwk] }));
		try {
			const ks = new RemoteKeySet({ name: "n", url: srv.url() });
			const keys = await Promise.all([
				ks.getKey({ kid: "a" }),
				ks.getKey({ kid: "a" }),
				ks.load().then(() => ks.getKey({ kid: "a" })),
			]);
			for (const k of keys) expect(k).toBeInstanceOf(CryptoKey);
			expect(srv.requests).toBe(1);
			ks.close();
		} finally {
			await srv.close();
		}
	});
});
