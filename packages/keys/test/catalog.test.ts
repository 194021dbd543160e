// Hostile input from ../shared/SECURITY-CATALOG.md: KEY-07 (bad keys) and HDR-01..06 (kid,
// jwk, jku, x5u), each with a valid control token so a test that rejects everything fails.
import { generateKeyPairSync } from "node:crypto";
import { exportJWK, generateKeyPair, importPKCS8, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	LocalKeySet,
	MultipleMatchingKeysError,
	NoMatchingKeyError,
	RemoteKeySet,
} from "../src/index";
import {
	clock,
	json,
	makeKey,
	rejection,
	sign,
	startServer,
	type TestKey,
	type TestServer,
} from "./helpers";

let A: TestKey;
let R: TestKey;
let server: TestServer;
let listener: TestServer;
let keys: RemoteKeySet;
const c = clock();

beforeAll(async () => {
	A = await makeKey("a");
	R = await makeKey("r", "RS256");
	server = await startServer(json({ keys: [A.publicJwk, R.publicJwk] }));
	listener = await startServer(json({ keys: [] }));
	keys = new RemoteKeySet({
		name: "session_name",
		url: server.url(),
		now: c.now,
		random: () => 0.5,
	});
	await keys.load();
});

afterAll(async () => {
	keys.close();
	await server.close();
	await listener.close();
});

async function hs256(
	kid: string,
	secret: Uint8Array,
	header: Record<string, unknown> = {},
): Promise<string> {
	return new SignJWT({ sub: "admin" })
		.setProtectedHeader({ alg: "HS256", kid, ...header })
		.sign(secret);
}

async function control(): Promise<void> {
	expect(
		(await jwtVerify(await sign(A), keys.resolver, { algorithms: keys.algorithms("sig") })).payload
			.sub,
	).toBe("u1");
}

function b64(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString("base64url");
}

describe("KEY-07: bad keys in one set are dropped with a reason; the good keys still verify", () => {
	it("drops each bad key with its index, kid and reason", async () => {
		const p384 = await makeKey("p384", "ES384");
		const rsa = await makeKey("rsa2", "RS256");
		const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
			format: "jwk",
		});
		const encEc = await makeKey("enc-ec", "ES256");
		const { privateKey } = await generateKeyPair("ES256", { extractable: true });
		const priv = await exportJWK(privateKey);
		const y = Buffer.from(A.publicJwk.y!, "base64url");
		y[31] = (y[31]! ^ 1) & 0xff;
		const bad = [
			A.publicJwk,
			{ ...encEc.publicJwk, kid: "use-enc", use: "enc", alg: undefined },
			{
				...encEc.publicJwk,
				kid: "ops-encrypt",
				use: undefined,
				alg: undefined,
				key_ops: ["encrypt"],
			},
			{ ...A.publicJwk, kid: "alg-mismatch", alg: "RS256" },
			{ kty: "oct", kid: "oct", k: "c2VjcmV0" },
			{ ...p384.publicJwk, kid: "wrong-crv", alg: "ES256" },
			{ ...weak, kid: "rsa-1024", alg: "RS256" },
			{ ...rsa.publicJwk, kid: "e-1", e: "AQ" },
			{ ...A.publicJwk, kid: "off-curve", y: b64(y) },
			{ ...priv, kid: "private-d", alg: "ES256" },
			{ ...rsa.publicJwk, kid: "private-pq", p: "AQAB", q: "AQAB" },
			{ ...A.publicJwk, kid: "private-k", k: "AQAB" },
			{ kty: "EC", kid: "p-192", crv: "P-192", x: "AQAB", y: "AQAB" },
			{ kty: "XYZ", kid: "unknown-kty" },
			R.publicJwk,
		];
		const s = await startServer(json({ keys: bad }));
		try {
			const ks = new RemoteKeySet({ name: "n", url: s.url(), use: "sig" });
			const rejected: unknown[] = [];
			ks.on("keyRejected", (r) => rejected.push(r));
			await ks.load();
			expect(rejected).toEqual([
				{ index: 1, kid: "use-enc", reason: "not usable for sig" },
				{ index: 2, kid: "ops-encrypt", reason: "not usable for sig" },
				{ index: 3, kid: "alg-mismatch", reason: 'alg "RS256" does not fit kty EC crv P-256' },
				{ index: 4, kid: "oct", reason: "symmetric (oct) keys are never accepted" },
				{ index: 5, kid: "wrong-crv", reason: 'alg "ES256" does not fit kty EC crv P-384' },
				{ index: 6, kid: "rsa-1024", reason: "RSA key is 1024 bits, at least 2048 required" },
				{ index: 7, kid: "e-1", reason: "RSA public exponent must be odd and at least 3" },
				{
					index: 8,
					kid: "off-curve",
					reason: "key import failed (invalid key material, e.g. an EC point not on the curve)",
				},
				{ index: 9, kid: "private-d", reason: "private members present (d)" },
				{ index: 10, kid: "private-pq", reason: "private members present (p, q)" },
				{ index: 11, kid: "private-k", reason: "private members present (k)" },
				{ index: 12, kid: "p-192", reason: 'unsupported EC curve "P-192"' },
				{ index: 13, kid: "unknown-kty", reason: "unsupported kty" },
			]);
			expect(ks.stats().rejectedKeys).toBe(13);
			for (const k of [A, R])
				expect((await jwtVerify(await sign(k), ks.resolver)).payload.sub).toBe("u1");
			expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a", "r"]);
			// the same enc keys are kept (for JWE recipients) by a set that is not restricted to sig
			const both = new RemoteKeySet({ name: "n", url: s.url() });
			await both.load();
			expect(both.get("use-enc", { use: "enc" })).toBeInstanceOf(CryptoKey);
			expect(both.get("use-enc", { use: "sig" })).toBeUndefined();
			const e = await rejection(both.getKey({ kid: "use-enc", use: "sig", alg: "ES256" }));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.reason).toBe("no-candidate");
			both.close();
			ks.close();
		} finally {
			await s.close();
		}
	});

	it("ALG-06/ALG-07: a key without alg never enables HS*; an RSA kid with alg HS256 is rejected", async () => {
		const noAlg = { ...R.publicJwk, alg: undefined, kid: "r-noalg" };
		const ks = new LocalKeySet({ name: "n", jwks: { keys: [noAlg] } });
		await ks.load();
		expect(ks.algorithms("sig")).toEqual(["RS256"]);
		const t = await hs256("r-noalg", new Uint8Array(32));
		const e = await rejection(jwtVerify(t, ks.resolver));
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(e.reason).toBe("no-candidate");
		// PS256 with an alg-less RSA key works too (imported on demand, then memoised)
		const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const pub = { ...pair.publicKey.export({ format: "jwk" }), kid: "ps" };
		const local = new LocalKeySet({ name: "n", jwks: { keys: [pub] } });
		await local.load();
		expect(local.get("ps", { alg: "PS256" })).toBeUndefined();
		const ps = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "PS256", kid: "ps" })
			.sign(
				await importPKCS8(
					pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
					"PS256",
				),
			);
		expect((await jwtVerify(ps, local.resolver)).payload.sub).toBe("u1");
		expect(local.get("ps", { alg: "PS256" })).toBeInstanceOf(CryptoKey);
	});
});

describe("HDR-01..06: kid, jwk, jku and x5u in the header", () => {
	it("HDR-01: path-traversal kids signed with an empty/null key -> ERR_KEYS_NO_MATCHING_KEY", async () => {
		for (const kid of ["../../../../dev/null", "/dev/null", "/invalid_path"]) {
			const t = await hs256(kid, new Uint8Array(1));
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		}
		await control();
	});

	it("HDR-02: SQL/shell injection kids -> rejected; the local listener records 0 hits", async () => {
		const before = listener.requests;
		const kids = [
			"x' UNION SELECT '1';--",
			"|sleep 10",
			`| curl ${listener.url("/x")}`,
			`$(curl ${listener.url("/y")})`,
		];
		for (const kid of kids) {
			const t = await hs256(kid, new TextEncoder().encode("1"));
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		}
		expect(listener.requests).toBe(before);
		await control();
	});

	it("HDR-03: prototype kids (__proto__, constructor, toString, hasOwnProperty) -> ERR_KEYS_NO_MATCHING_KEY, never a TypeError", async () => {
		for (const kid of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
			const t = await sign(A, { sub: "u1" }, { kid });
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
			expect(keys.get(kid)).toBeUndefined();
		}
		await control();
	});

	it('HDR-04: kid "", no kid with several keys, a 10 KB kid -> rejected before any fetch; 10 000 random kids keep the memo bounded', async () => {
		const before = server.requests;
		const empty = await rejection(jwtVerify(await sign(A, {}, { kid: "" }), keys.resolver));
		expect(empty.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(empty.reason).toBe("kid-invalid");
		const long = await rejection(
			jwtVerify(await sign(A, {}, { kid: "k".repeat(10_240) }), keys.resolver),
		);
		expect(long.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(long.reason).toBe("kid-invalid");
		expect(long.message).not.toContain("kkkk");
		const noKid = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "ES256" })
			.sign(A.privateKey);
		const multi = await rejection(jwtVerify(noKid, keys.resolver));
		expect(multi).toBeInstanceOf(MultipleMatchingKeysError);
		expect(multi.code).toBe("ERR_KEYS_MULTIPLE_MATCHING_KEYS");
		// even though its alg narrows to one key: no kid is only fine when the set has one key
		expect(multi.count).toBe(2);
		const single = new LocalKeySet({ name: "n", jwks: { keys: [A.publicJwk] } });
		expect((await jwtVerify(noKid, single.resolver)).payload.sub).toBe("u1");
		expect(server.requests).toBe(before);
		c.advance(30_000);
		await Promise.allSettled(
			Array.from({ length: 10_000 }, () => keys.getKey({ kid: crypto.randomUUID() })),
		);
		expect(server.requests).toBe(before + 1);
		expect(keys.stats().unknownKids).toBe(1024);
		await control();
	});

	it("HDR-05: an embedded attacker jwk with a copied kid is never used -> signature verification fails", async () => {
		const attacker = await generateKeyPair("ES256", { extractable: true });
		const jwk = await exportJWK(attacker.publicKey);
		const forged = await new SignJWT({ sub: "admin" })
			.setProtectedHeader({ alg: "ES256", kid: "a", jwk: { ...jwk, kid: "a" } })
			.sign(attacker.privateKey);
		const e = await rejection(jwtVerify(forged, keys.resolver));
		expect(e.code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
		const unknown = await new SignJWT({ sub: "admin" })
			.setProtectedHeader({ alg: "ES256", kid: "attacker", jwk })
			.sign(attacker.privateKey);
		expect((await rejection(jwtVerify(unknown, keys.resolver))).code).toBe(
			"ERR_KEYS_NO_MATCHING_KEY",
		);
		await control();
	});

	it("HDR-06: jku and x5u pointing at a local listener -> rejected, and the listener receives 0 requests", async () => {
		const attacker = await generateKeyPair("ES256", { extractable: true });
		listener.handler = json({ keys: [{ ...(await exportJWK(attacker.publicKey)), kid: "evil" }] });
		const before = listener.requests;
		for (const [kid, header] of [
			["evil", { jku: listener.url("/jwks.json") }],
			["evil", { x5u: listener.url("/cert.pem") }],
			["a", { jku: listener.url("/jwks.json") }],
		] as const) {
			const t = await new SignJWT({ sub: "admin" })
				.setProtectedHeader({ alg: "ES256", kid, ...header })
				.sign(attacker.privateKey);
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e.code).toBe(
				kid === "a" ? "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" : "ERR_KEYS_NO_MATCHING_KEY",
			);
		}
		expect(listener.requests).toBe(before);
		await control();
	});
});
