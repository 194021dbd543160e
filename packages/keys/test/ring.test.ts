import { generateKeyPairSync } from "node:crypto";
import { CompactEncrypt, calculateJwkThumbprint, compactDecrypt, jwtVerify, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { KeysConfigError, LocalKeySet, NoMatchingKeyError, RemoteKeySet } from "../src/index";
import {
	type EncryptionAlg,
	jwkThumbprint,
	KeyRing,
	type KeyRingSnapshot,
	type SigningAlg,
} from "../src/ring";
import { clock, rejection, startServer, type TestServer } from "./helpers";

const servers: TestServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function signWith(
	ring: KeyRing,
	claims: Record<string, unknown> = { sub: "u1" },
): Promise<string> {
	const { privateKey, header } = ring.signingKey();
	return new SignJWT(claims)
		.setProtectedHeader(header)
		.setIssuedAt()
		.setExpirationTime("2h")
		.sign(privateKey);
}

const PUBLIC_MEMBERS: Record<string, string[]> = {
	RSA: ["alg", "e", "kid", "kty", "n", "use"],
	EC: ["alg", "crv", "kid", "kty", "use", "x", "y"],
	OKP: ["alg", "crv", "kid", "kty", "use", "x"],
};

describe("RING-03: generation", () => {
	it.each([
		["RS256", "RSA", undefined, 256],
		["PS256", "RSA", undefined, 256],
		["ES256", "EC", "P-256", 0],
		["EdDSA", "OKP", "Ed25519", 0],
	] as [SigningAlg, string, string | undefined, number][])(
		"%s signing keys: kty %s, crv %s, RSA modulus of %i bytes; tokens verify through keySet()",
		async (alg, kty, crv, modulusBytes) => {
			const ring = await KeyRing.generate({ signing: alg, encryption: false });
			const { keys } = ring.jwks();
			expect(keys).toHaveLength(2); // active + next
			for (const k of keys) {
				expect(k.kty).toBe(kty);
				expect(k.crv).toBe(crv);
				expect(k.alg).toBe(alg);
				expect(k.use).toBe("sig");
				if (kty === "RSA") expect(Buffer.from(k.n!, "base64url").length).toBe(modulusBytes);
			}
			const ks = ring.keySet("session_name");
			await ks.load();
			const token = await signWith(ring);
			const { protectedHeader } = await jwtVerify(token, ks.resolver, {
				algorithms: ks.algorithms("sig"),
			});
			expect(protectedHeader).toEqual({ alg, kid: ring.signingKey().kid });
			// an Ed25519 key verifies under both of its names (RFC 9864)
			expect(ks.algorithms("sig")).toEqual(alg === "EdDSA" ? ["Ed25519", "EdDSA"] : [alg]);
		},
	);

	it.each([
		["RSA-OAEP-256", "P-256", "RSA", undefined],
		["ECDH-ES+A256KW", "P-256", "EC", "P-256"],
		["ECDH-ES+A256KW", "X25519", "OKP", "X25519"],
	] as [EncryptionAlg, "P-256" | "X25519", string, string | undefined][])(
		"%s (%s) encryption keys: kty %s crv %s; a JWE to encryptionKey() decrypts with decryptionKeys()",
		async (alg, curve, kty, crv) => {
			const ring = await KeyRing.generate({
				signing: "ES256",
				encryption: alg,
				encryptionCurve: curve,
			});
			const enc = ring.encryptionKey()!;
			expect(enc.alg).toBe(alg);
			const published = ring.jwks().keys.filter((k) => k.use === "enc");
			expect(published).toHaveLength(2);
			for (const k of published) {
				expect(k.kty).toBe(kty);
				expect(k.crv).toBe(crv);
			}
			const jwe = await new CompactEncrypt(new TextEncoder().encode("hello"))
				.setProtectedHeader({ alg, enc: "A256GCM", kid: enc.kid })
				.encrypt(enc.publicKey);
			const dk = ring.decryptionKeys().find((d) => d.kid === enc.kid)!;
			const { plaintext } = await compactDecrypt(jwe, dk.privateKey);
			expect(new TextDecoder().decode(plaintext)).toBe("hello");
			// the ring's decryption resolver picks the key by the JWE header
			expect(
				new TextDecoder().decode((await compactDecrypt(jwe, ring.decryptionResolver)).plaintext),
			).toBe("hello");
			await ring.rotate();
			expect(
				new TextDecoder().decode((await compactDecrypt(jwe, ring.decryptionResolver)).plaintext),
			).toBe("hello");
			const other = await new CompactEncrypt(new TextEncoder().encode("x"))
				.setProtectedHeader({ alg, enc: "A256GCM", kid: "unknown" })
				.encrypt(enc.publicKey);
			await expect(compactDecrypt(other, ring.decryptionResolver)).rejects.toMatchObject({
				code: "ERR_KEYS_NO_MATCHING_KEY",
			});
			// the verifier view hands out the recipient key by kid
			expect(await ring.keySet("n").getKey({ kid: enc.kid, use: "enc" })).toBe(enc.publicKey);
		},
	);

	it("refuses invalid options (CFG)", async () => {
		for (const bad of [
			{ signing: "HS256" },
			{ signing: "ES256", encryption: "RSA1_5" },
			{ signing: "RS256", modulusLength: 1024 },
			{ signing: "ES256", graceMs: -1 },
		]) {
			const e = await rejection(KeyRing.generate(bad as never));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
		}
	});
});

describe("RING-01: publish", () => {
	it("the JWKS carries only public members, each kid is its RFC 7638 thumbprint, toJSON is public-only", async () => {
		for (const signing of ["RS256", "ES256", "EdDSA"] as const) {
			const ring = await KeyRing.generate({
				signing,
				encryption: signing === "RS256" ? "RSA-OAEP-256" : "ECDH-ES+A256KW",
			});
			for (const k of ring.jwks().keys) {
				expect(Object.keys(k).sort()).toEqual(PUBLIC_MEMBERS[k.kty]);
				const { kid, use, alg, ...material } = k;
				expect(kid).toBe(await calculateJwkThumbprint(material as never, "sha256"));
				expect(kid).toBe(await jwkThumbprint(k));
			}
			const text = JSON.stringify(ring);
			for (const m of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(text).not.toContain(`"${m}":`);
			expect(JSON.parse(text).active).toBe(ring.signingKey().kid);
		}
	});

	it("RFC 7638 §3.1 vector", async () => {
		const jwk = {
			kty: "RSA",
			n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
			e: "AQAB",
			alg: "RS256",
			kid: "2011-04-29",
		};
		expect(await jwkThumbprint(jwk)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	});

	it("jwksResponse(): content type, cache headers, strong ETag and 304", async () => {
		const ring = await KeyRing.generate({ signing: "ES256" });
		const r = await ring.jwksResponse();
		expect(r.status).toBe(200);
		expect(JSON.parse(r.body)).toEqual(ring.jwks());
		expect(r.headers["content-type"]).toBe("application/jwk-set+json");
		expect(r.headers["cache-control"]).toBe(
			"public, max-age=600, stale-while-revalidate=60, stale-if-error=86400",
		);
		expect(r.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
		expect(await ring.jwksResponse({ headers: { "if-none-match": r.headers.etag } })).toEqual({
			status: 304,
			headers: r.headers,
			body: "",
		});
		expect(
			(
				await ring.jwksResponse({
					headers: new Headers({ "if-none-match": `W/${r.headers.etag}` }),
				})
			).status,
		).toBe(304);
		expect((await ring.jwksResponse({ headers: { "if-none-match": '"other"' } })).status).toBe(200);
		await ring.rotate();
		expect((await ring.jwksResponse({ headers: { "if-none-match": r.headers.etag } })).status).toBe(
			200,
		);
	});
});

describe("RING-02: rotation grace", () => {
	it("the retired key verifies within the grace and is rejected after it; new tokens carry the new kid", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", graceMs: 3_600_000, now: c.now });
		const ks = ring.keySet("session_name");
		const old = ring.signingKey().kid;
		const next = ring.list().find((k) => k.use === "sig" && k.state === "next")!.kid;
		const oldToken = await signWith(ring);
		await ring.rotate();
		expect(ring.signingKey().kid).toBe(next);
		const newToken = await signWith(ring);
		expect((await jwtVerify(newToken, ks.resolver)).protectedHeader.kid).toBe(next);
		expect(
			ring
				.list()
				.map((k) => [k.kid === old ? "old" : k.kid === next ? "new" : "fresh", k.use, k.state]),
		).toEqual([
			["new", "sig", "active"],
			["fresh", "sig", "next"],
			["old", "sig", "retired"],
			["fresh", "enc", "active"],
			["fresh", "enc", "next"],
			["fresh", "enc", "retired"],
		]);
		c.advance(3_599_999);
		expect((await jwtVerify(oldToken, ks.resolver)).protectedHeader.kid).toBe(old);
		c.advance(1);
		const e = await rejection(jwtVerify(oldToken, ks.resolver));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(old);
		expect((await jwtVerify(newToken, ks.resolver)).protectedHeader.kid).toBe(next);
	});

	it("rotate({ at }) schedules the switch: shared instances switch at that instant; max-age shrinks, then no-cache", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const old = ring.signingKey().kid;
		const next = ring.list().find((k) => k.state === "next")!.kid;
		await ring.rotate({ at: c.t + 300_000 });
		const copy = await KeyRing.restore(await ring.snapshot(), { now: c.now });
		expect(ring.signingKey().kid).toBe(old);
		expect(copy.signingKey().kid).toBe(old);
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe(
			"public, max-age=300, stale-while-revalidate=60, stale-if-error=86400",
		);
		c.advance(240_000);
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe("no-cache");
		c.advance(60_000);
		expect(ring.signingKey().kid).toBe(next);
		expect(copy.signingKey().kid).toBe(next);
		expect(ring.list().find((k) => k.kid === old)!.state).toBe("retired");
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe(
			"public, max-age=600, stale-while-revalidate=60, stale-if-error=86400",
		);
		await expect(ring.rotate({ at: Number.NaN })).rejects.toMatchObject({
			code: "ERR_KEYS_CONFIG_INVALID",
		});
	});

	it("a token signed by the ring verifies through a RemoteKeySet served from the ring's JWKS, before and after rotate()", async () => {
		const ring = await KeyRing.generate({ signing: "RS256" });
		const s = await startServer((req, res) => {
			void ring.jwksResponse({ headers: req.headers }).then((r) => {
				res.writeHead(r.status, r.headers);
				res.end(r.body);
			});
		});
		servers.push(s);
		const c = clock();
		const ks = new RemoteKeySet({
			name: "session_name",
			url: s.url(),
			now: c.now,
			random: () => 0.5,
		});
		await ks.load();
		const before = await signWith(ring);
		expect(
			(await jwtVerify(before, ks.resolver, { algorithms: ks.algorithms("sig") })).payload.sub,
		).toBe("u1");
		await ring.rotate();
		const after = await signWith(ring);
		// the new active key was already published as "next": no refetch needed
		expect(
			(await jwtVerify(after, ks.resolver, { algorithms: ks.algorithms("sig") })).payload.sub,
		).toBe("u1");
		expect((await jwtVerify(before, ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(1);
		// the next refresh sees the new next key; an unchanged ring answers 304
		c.advance(600_000);
		await ks.load();
		expect(
			ks
				.jwks()
				.keys.map((k) => k.kid)
				.sort(),
		).toEqual(
			ring
				.jwks()
				.keys.map((k) => k.kid)
				.sort(),
		);
		await ks.load();
		expect(ks.stats().notModified).toBe(1);
		ks.close();
	});
});

describe("RING-03: restore and snapshot", () => {
	it.each(["jwk", "pem"] as const)(
		"round-trips through snapshot({format:%s}) with the same kids and schedule",
		async (format) => {
			const c = clock();
			const ring = await KeyRing.generate({
				signing: "EdDSA",
				encryption: "RSA-OAEP-256",
				now: c.now,
			});
			await ring.rotate();
			const exported = await ring.snapshot({ format });
			expect(exported.version).toBe(1);
			expect(exported.keys).toHaveLength(6);
			if (format === "pem")
				expect(exported.keys[0]!.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
			const copy = await KeyRing.restore(JSON.parse(JSON.stringify(exported)) as KeyRingSnapshot, {
				now: c.now,
			});
			expect(copy.list()).toEqual(ring.list());
			expect(copy.jwks()).toEqual(ring.jwks());
			const token = await signWith(copy);
			expect((await jwtVerify(token, ring.keySet("n").resolver)).protectedHeader.kid).toBe(
				ring.signingKey().kid,
			);
		},
	);

	it("refuses an encrypted PEM, a PEM with junk around it, PKCS#1, a public JWK, RSA-1024, a wrong kid and a duplicate (CFG)", async () => {
		const ring = await KeyRing.generate({ signing: "RS256", encryption: false });
		const good = await ring.snapshot({ format: "pem" });
		const first = good.keys[0]!;
		const pem = first.privateKey as string;
		const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
		const cases: [string, KeyRingSnapshot][] = [
			[
				"encrypted PEM is not supported",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: rsa.privateKey.export({
								type: "pkcs8",
								format: "pem",
								cipher: "aes-256-cbc",
								passphrase: "x",
							}) as string,
						},
					],
				},
			],
			[
				"exactly one PKCS#8 PEM block",
				{ version: 1, keys: [{ ...first, privateKey: `${pem}trailing junk` }] },
			],
			[
				"exactly one PKCS#8 PEM block",
				{ version: 1, keys: [{ ...first, privateKey: `junk\n${pem}` }] },
			],
			[
				"exactly one PKCS#8 PEM block",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string,
						},
					],
				},
			],
			[
				"has no private part",
				{ version: 1, keys: [{ ...first, privateKey: { ...ring.jwks().keys[0] } }] },
			],
			[
				"RSA key is 1024 bits, at least 2048 required",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: weak.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
						},
					],
				},
			],
			[
				"kid is not the RFC 7638 thumbprint",
				{ version: 1, keys: [{ ...first, kid: "chosen-by-attacker" }] },
			],
			["duplicate kid", { version: 1, keys: [first, first] }],
			["no active signing key", { version: 1, keys: [good.keys[1]!] }],
			["use enc does not fit alg RS256", { version: 1, keys: [{ ...first, use: "enc" }] }],
			["invalid key ring snapshot", { version: 2, keys: [first] } as never],
		];
		for (const [message, exported] of cases) {
			const e = await rejection(KeyRing.restore(exported));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
			expect(e.message).toContain(message);
			expect(e.message).not.toContain("MII");
		}
		expect((await KeyRing.restore(good)).signingKey().kid).toBe(ring.signingKey().kid);
	});

	it("a private JWK given to a verify-only LocalKeySet is refused (CFG), as are oct keys", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
		const priv = (await ring.snapshot()).keys[0]!.privateKey as Record<string, unknown>;
		expect(() => new LocalKeySet({ name: "n", jwks: { keys: [priv] } })).toThrow(KeysConfigError);
		let error: unknown;
		try {
			new LocalKeySet({
				name: "n",
				jwks: { keys: [ring.jwks().keys[0], { kty: "oct", k: "c2VjcmV0" }] },
			});
		} catch (e) {
			error = e;
		}
		// a test that cannot fail is a defect: the constructor must throw
		expect(error).toBeInstanceOf(KeysConfigError);
		expect((error as KeysConfigError).issues).toEqual([
			{ path: "jwks.keys.1", message: "symmetric (oct) keys are never accepted" },
		]);
	});

	it("a ring generated with extractable:false cannot be exported (CFG)", async () => {
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			extractable: false,
		});
		const e = await rejection(ring.snapshot());
		expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
	});

	it("signingKey() on a ring whose active key was removed throws ERR_KEYS_RING_EMPTY", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const exported = await ring.snapshot();
		const active = exported.keys.find((k) => k.activateAt !== undefined)!;
		const imported = await KeyRing.restore(
			{ version: 1, keys: [{ ...active, retireAt: c.t + 10, removeAt: c.t + 20 }] },
			{ now: c.now },
		);
		c.advance(10);
		expect(() => imported.signingKey()).toThrow(
			expect.objectContaining({ code: "ERR_KEYS_RING_EMPTY" }),
		);
	});
});
