// SECURITY-CATALOG rows ALG-, HDR-, CLM- and FMT- that concern signing and verifying session
// tokens, one describe per row id. Every row asserts the exact error class and code, and runs next to a valid control
// token so that a verifier that rejects everything fails.
import { createHmac, createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Trace } from "@xshl/trace";
import { base64url, exportJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	Session,
	SessionAlgNotAllowedError,
	SessionAudienceInvalidError,
	SessionClaimInvalidError,
	SessionClaimMissingError,
	type SessionClaims,
	SessionConfig,
	SessionConfigError,
	SessionExpiredError,
	SessionHeaderUnsupportedError,
	SessionIssuedInFutureError,
	SessionIssuerInvalidError,
	SessionKeyUnknownError,
	SessionNotYetValidError,
	SessionSidMismatchError,
	SessionSignatureInvalidError,
	SessionTokenMalformedError,
	SessionTokenTooLargeError,
	SessionTraceMismatchError,
	SessionTypeInvalidError,
	SessionVersionMismatchError,
	type VerifySessionOptions,
	verifySession,
} from "../src/index";
import {
	APP,
	b64json,
	caught,
	craft,
	type Fixture,
	fixture,
	makeKey,
	NOW,
	now,
	SALT,
	type TestKey,
	TestKeySet,
	tamper,
	UA,
} from "./helpers";

const TYP = "xshl-session+jwt";
let es: Fixture;
let rsa: Fixture;
let attacker: TestKey;
let keys: TestKeySet;
let trace: Trace;
let session: Session;
let options: VerifySessionOptions;
let control: string;

/** Valid claims for `session`, with overrides (a value of `undefined` removes the claim). */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const jti = (overrides.jti as string | undefined) ?? crypto.randomUUID();
	const base: Record<string, unknown> = {
		iss: APP,
		sub: "user-1",
		aud: "service-api",
		sid: session.sid,
		version: 1,
		jti,
		trace: typeof overrides.jti === "string" ? trace.get(crypto.randomUUID()) : trace.get(jti),
		iat: NOW,
		nbf: NOW,
		exp: NOW + 60,
	};
	if (typeof overrides.jti === "string") base.trace = "00000000-0000-5000-8000-000000000000";
	for (const [k, v] of Object.entries(overrides)) {
		if (v === undefined) delete base[k];
		else base[k] = v;
	}
	return base;
}

function header(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return { alg: "ES256", kid: es.key.kid, typ: TYP, ...overrides };
}

/** Signs with our ES256 key through jose (valid header). */
function sign(
	payload: Record<string, unknown>,
	hdr: Record<string, unknown> = header(),
): Promise<string> {
	return new SignJWT(payload).setProtectedHeader(hdr as never).sign(es.key.privateKey);
}

async function rejects(
	token: string,
	cls: new (...a: never[]) => Error,
	code: string,
	opts = options,
) {
	const e = await caught(() => verifySession(token, opts));
	expect(e).toBeInstanceOf(cls);
	expect(e.code).toBe(code);
	if (typeof token === "string" && token.length > 0) expect(e.message).not.toContain(token);
	return e;
}

function hs256(headerObj: unknown, payload: unknown, secret: Uint8Array | string): string {
	const input = `${b64json(headerObj)}.${b64json(payload)}`;
	const sig = createHmac("sha256", secret).update(input).digest();
	return `${input}.${base64url.encode(new Uint8Array(sig))}`;
}

beforeAll(async () => {
	es = await fixture("ES256");
	rsa = await fixture("RS256");
	attacker = await makeKey("ES256", "attacker");
	keys = new TestKeySet("session_name")
		.add(es.key.kid, "ES256", es.key.publicKey)
		.add(rsa.key.kid, "RS256", rsa.key.publicKey);
	trace = new Trace(UA, SALT);
	session = new Session(es.config, trace);
	session.aud = "service-api";
	options = { keys, trace, audience: ["service-api", "admin-api"], now };
	control = await sign(claims());
});

describe("control", () => {
	it("a valid token verifies, with typed claims", async () => {
		const c: SessionClaims = await verifySession(control, options);
		expect(c.sub).toBe("user-1");
		expect(c.sid).toBe(session.sid);
		expect(await verifySession(await session.jwt(), options)).toMatchObject({ aud: "service-api" });
	});
});

describe("ALG: algorithms", () => {
	describe("ALG-01", () => {
		it("alg none is refused, also with no algorithms option", async () => {
			const t = await craft(header({ alg: "none" }), claims(), undefined);
			const e = await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED");
			expect(e.cause?.code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
			await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED", { keys, now });
			const cfg = await caught(() => verifySession(t, { keys, algorithms: ["none"] }));
			expect(cfg).toBeInstanceOf(SessionConfigError);
			expect(cfg.code).toBe("ERR_SESSION_CONFIG_INVALID");
		});
	});

	describe("ALG-02", () => {
		it("None, NONE, nOnE and 'none ' are never case-folded or trimmed", async () => {
			for (const alg of ["None", "NONE", "nOnE", "none "]) {
				const t = await craft(header({ alg }), claims(), undefined);
				await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED");
			}
		});
	});

	describe("ALG-03", () => {
		it("a removed signature", async () => {
			const [h, p] = control.split(".");
			const e = await rejects(
				`${h}.${p}.`,
				SessionSignatureInvalidError,
				"ERR_SESSION_SIGNATURE_INVALID",
			);
			expect(e.cause?.code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
			const e2 = await rejects(
				`${h}.${p}`,
				SessionTokenMalformedError,
				"ERR_SESSION_TOKEN_MALFORMED",
			);
			expect(e2.cause?.code).toBe("ERR_JWS_INVALID");
		});
	});

	describe("ALG-04", () => {
		it("HS256 signed with our public key bytes in every form", async () => {
			const rsaPublic = createPublicKey(rsa.key.spki);
			const forms: (string | Uint8Array)[] = [
				rsa.key.spki,
				rsaPublic.export({ type: "pkcs1", format: "pem" }) as string,
				`\n  ${rsa.key.spki}`,
				`junk${rsa.key.spki}`,
				new Uint8Array(rsaPublic.export({ type: "spki", format: "der" })),
				JSON.stringify(rsa.key.publicJwk),
				JSON.stringify({ keys: [rsa.key.publicJwk] }),
				es.key.spki,
			];
			for (const secret of forms) {
				for (const kid of [rsa.key.kid, es.key.kid]) {
					const t = hs256(header({ alg: "HS256", kid }), claims(), secret);
					await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED");
				}
			}
		});
	});

	describe("ALG-05", () => {
		it("HS256 keyed with the EC point bytes or the RSA modulus", async () => {
			const x = base64url.decode(es.key.publicJwk.x as string);
			const y = base64url.decode(es.key.publicJwk.y as string);
			const point = new Uint8Array([4, ...x, ...y]);
			const modulus = base64url.decode(rsa.key.publicJwk.n as string);
			for (const secret of [point, modulus]) {
				await rejects(
					hs256(header({ alg: "HS256" }), claims(), secret),
					SessionAlgNotAllowedError,
					"ERR_SESSION_ALG_NOT_ALLOWED",
				);
			}
		});
	});

	describe("ALG-06/07", () => {
		it("HS256 with an empty key or with the kid of an RSA key never reaches the resolver", async () => {
			const before = keys.resolverCalls;
			await rejects(
				hs256(header({ alg: "HS256", kid: rsa.key.kid }), claims(), new Uint8Array(0)),
				SessionAlgNotAllowedError,
				"ERR_SESSION_ALG_NOT_ALLOWED",
			);
			await rejects(
				hs256(header({ alg: "HS256", kid: rsa.key.kid }), claims(), "secret"),
				SessionAlgNotAllowedError,
				"ERR_SESSION_ALG_NOT_ALLOWED",
			);
			expect(keys.resolverCalls).toBe(before);
		});
	});

	describe("ALG-08", () => {
		it("verify options without keys are a config error before the token is read", async () => {
			for (const k of [undefined, null, false, ""]) {
				const e = await caught(() => verifySession(control, { keys: k as never }));
				expect(e).toBeInstanceOf(SessionConfigError);
				expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
			}
		});
	});

	describe("ALG-10", () => {
		it("key/alg pairing: ES256 token with the RSA kid, and a resolver returning the wrong key type", async () => {
			const t = await craft(header({ kid: rsa.key.kid }), claims(), es.key.privateKey);
			await rejects(t, SessionKeyUnknownError, "ERR_SESSION_KEY_UNKNOWN");
			const liar = new TestKeySet("session_name").add(es.key.kid, "ES256", rsa.key.publicKey);
			const e = await rejects(
				control,
				SessionSignatureInvalidError,
				"ERR_SESSION_SIGNATURE_INVALID",
				{ ...options, keys: liar },
			);
			expect(e.cause).toBeInstanceOf(TypeError);
			const ed = await makeKey("EdDSA");
			const liar2 = new TestKeySet("session_name").add(es.key.kid, "ES256", ed.publicKey);
			await rejects(control, SessionSignatureInvalidError, "ERR_SESSION_SIGNATURE_INVALID", {
				...options,
				keys: liar2,
			});
			const p384 = await makeKey("ES384");
			const liar3 = new TestKeySet("session_name").add(es.key.kid, "ES256", p384.publicKey);
			await rejects(control, SessionSignatureInvalidError, "ERR_SESSION_SIGNATURE_INVALID", {
				...options,
				keys: liar3,
			});
		});
	});

	describe("ALG-11", () => {
		it("each key is used with exactly one alg (PS256 on an RS256 key and the reverse)", async () => {
			const ps = await crypto.subtle.importKey(
				"jwk",
				{ ...rsa.key.privateJwk, alg: undefined },
				{ name: "RSA-PSS", hash: "SHA-256" },
				false,
				["sign"],
			);
			const t = await craft(header({ alg: "PS256", kid: rsa.key.kid }), claims(), ps, "PS256");
			await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED");
			const psPublic = await crypto.subtle.importKey(
				"jwk",
				{ ...rsa.key.publicJwk, alg: undefined },
				{ name: "RSA-PSS", hash: "SHA-256" },
				false,
				["verify"],
			);
			const psKeys = new TestKeySet("session_name").add("ps", "PS256", psPublic);
			const rs = await craft(
				header({ alg: "RS256", kid: "ps" }),
				claims(),
				rsa.key.privateKey,
				"RS256",
			);
			await rejects(rs, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED", {
				...options,
				keys: psKeys,
			});
			const good = await craft(header({ alg: "PS256", kid: "ps" }), claims(), ps, "PS256");
			expect((await verifySession(good, { ...options, keys: psKeys })).sub).toBe("user-1");
		});
	});

	describe("ALG-12", () => {
		it("a token signed by a 1024-bit RSA key is refused at verification", async () => {
			const weak = (await crypto.subtle.generateKey(
				{
					name: "RSASSA-PKCS1-v1_5",
					modulusLength: 1024,
					publicExponent: new Uint8Array([1, 0, 1]),
					hash: "SHA-256",
				},
				true,
				["sign", "verify"],
			)) as CryptoKeyPair;
			const weakKeys = new TestKeySet("session_name").add("weak", "RS256", weak.publicKey);
			const t = await craft(
				header({ alg: "RS256", kid: "weak" }),
				claims(),
				weak.privateKey,
				"RS256",
			);
			await rejects(t, SessionSignatureInvalidError, "ERR_SESSION_SIGNATURE_INVALID", {
				...options,
				keys: weakKeys,
			});
		});
	});

	describe("ALG-13", () => {
		it("psychic signatures (r or s = 0 or n) are refused", async () => {
			const n = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
			const nMinus1 = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
			const zero = "0".repeat(64);
			const one = `${"0".repeat(63)}1`;
			const [h, p] = control.split(".");
			for (const [r, s] of [
				[zero, zero],
				[zero, one],
				[zero, n],
				[n, zero],
				[nMinus1, zero],
				[n, n],
			]) {
				const sig = new Uint8Array(Buffer.from(`${r}${s}`, "hex"));
				await rejects(
					`${h}.${p}.${base64url.encode(sig)}`,
					SessionSignatureInvalidError,
					"ERR_SESSION_SIGNATURE_INVALID",
				);
			}
		});
	});

	describe("ALG-14", () => {
		it("signature encodings: DER, trailing zeros, too long, truncated, 0/1 values", async () => {
			const [h, p, s] = control.split(".") as [string, string, string];
			const raw = base64url.decode(s);
			const r = raw.slice(0, 32);
			const sv = raw.slice(32);
			const derInt = (v: Uint8Array) =>
				v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
			const body = [...derInt(r), ...derInt(sv)];
			const der = new Uint8Array([0x30, body.length, ...body]);
			for (const sig of [
				der,
				new Uint8Array([...raw, 0, 0]),
				new Uint8Array([...raw, ...raw]),
				raw.slice(0, 63),
				new Uint8Array([0, ...raw]),
				new Uint8Array(64),
				new Uint8Array([1]),
			]) {
				await rejects(
					`${h}.${p}.${base64url.encode(sig)}`,
					SessionSignatureInvalidError,
					"ERR_SESSION_SIGNATURE_INVALID",
				);
			}
			const rsaToken = await craft(
				header({ alg: "RS256", kid: rsa.key.kid }),
				claims(),
				rsa.key.privateKey,
				"RS256",
			);
			expect((await verifySession(rsaToken, options)).sub).toBe("user-1");
			const [rh, rp, rs] = rsaToken.split(".") as [string, string, string];
			const rsig = base64url.decode(rs);
			for (const sig of [
				new Uint8Array(256),
				new Uint8Array([...new Uint8Array(255), 1]),
				new Uint8Array([0, ...rsig]),
				new Uint8Array([...rsig, 0]),
				rsig.slice(0, 255),
			]) {
				await rejects(
					`${rh}.${rp}.${base64url.encode(sig)}`,
					SessionSignatureInvalidError,
					"ERR_SESSION_SIGNATURE_INVALID",
				);
			}
		});
	});

	describe("ALG-16", () => {
		it("alg missing, an array, an object, a number, or with a trailing space", async () => {
			for (const alg of [undefined, ["ES256"], {}, 123]) {
				const t = await craft(header({ alg }), claims(), es.key.privateKey);
				const e = await rejects(t, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
				expect(e.cause?.code).toBe("ERR_JWS_INVALID");
			}
			const t = await craft(header({ alg: "ES256 " }), claims(), es.key.privateKey);
			await rejects(t, SessionAlgNotAllowedError, "ERR_SESSION_ALG_NOT_ALLOWED");
		});
	});
});

describe("HDR: header parameters", () => {
	let server: Server;
	let hits = 0;
	let base = "";
	beforeAll(async () => {
		server = createServer((_req, res) => {
			hits++;
			res.setHeader("content-type", "application/json");
			res.end(JSON.stringify({ keys: [{ ...attacker.publicJwk, kid: es.key.kid, alg: "ES256" }] }));
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	describe("HDR-01/02/03", () => {
		it("kid traversal, injection and prototype names are map lookups that miss", async () => {
			for (const kid of [
				"../../../../dev/null",
				"/dev/null",
				"/invalid_path",
				"x' UNION SELECT '1';--",
				"|sleep 10",
				`| curl ${base}/x`,
				"__proto__",
				"constructor",
				"toString",
				"hasOwnProperty",
			]) {
				const t = await craft(header({ kid }), claims(), attacker.privateKey);
				const e = await rejects(t, SessionKeyUnknownError, "ERR_SESSION_KEY_UNKNOWN");
				expect(e.cause?.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
			}
			await rejects(
				hs256(header({ alg: "HS256", kid: "x' UNION SELECT '1';--" }), claims(), "1"),
				SessionAlgNotAllowedError,
				"ERR_SESSION_ALG_NOT_ALLOWED",
			);
			expect(hits).toBe(0);
		});
	});

	describe("HDR-04", () => {
		it("empty kid, no kid, and a 10 KB kid", async () => {
			await rejects(
				await craft(header({ kid: "" }), claims(), es.key.privateKey),
				SessionKeyUnknownError,
				"ERR_SESSION_KEY_UNKNOWN",
			);
			await rejects(
				await craft(header({ kid: undefined }), claims(), es.key.privateKey),
				SessionKeyUnknownError,
				"ERR_SESSION_KEY_UNKNOWN",
			);
			await rejects(
				await craft(header({ kid: "k".repeat(10_000) }), claims(), es.key.privateKey),
				SessionTokenTooLargeError,
				"ERR_SESSION_TOKEN_TOO_LARGE",
			);
		});
	});

	describe("HDR-05", () => {
		it("an embedded jwk never selects the key", async () => {
			const t = await craft(
				header({ jwk: await exportJWK(attacker.publicKey) }),
				claims(),
				attacker.privateKey,
			);
			await rejects(t, SessionSignatureInvalidError, "ERR_SESSION_SIGNATURE_INVALID");
			const ours = await craft(header({ jwk: es.key.publicJwk }), claims(), es.key.privateKey);
			await rejects(ours, SessionHeaderUnsupportedError, "ERR_SESSION_HEADER_UNSUPPORTED");
		});
	});

	describe("HDR-06", () => {
		it("jku and x5u are never fetched", async () => {
			for (const member of ["jku", "x5u"]) {
				const t = await craft(
					header({ [member]: `${base}/jwks.json` }),
					claims(),
					attacker.privateKey,
				);
				await rejects(t, SessionSignatureInvalidError, "ERR_SESSION_SIGNATURE_INVALID");
				const ours = await craft(
					header({ [member]: `${base}/jwks.json` }),
					claims(),
					es.key.privateKey,
				);
				await rejects(ours, SessionHeaderUnsupportedError, "ERR_SESSION_HEADER_UNSUPPORTED");
			}
			expect(hits).toBe(0);
		});
	});

	describe("HDR-07", () => {
		it("x5c never selects a key; cty is refused on a session JWS", async () => {
			const x5c = ["MIIBszCCAVmgAwIBAgIUZ3J1bnQ="];
			await rejects(
				await craft(header({ x5c }), claims(), attacker.privateKey),
				SessionSignatureInvalidError,
				"ERR_SESSION_SIGNATURE_INVALID",
			);
			await rejects(
				await craft(header({ x5c }), claims(), es.key.privateKey),
				SessionHeaderUnsupportedError,
				"ERR_SESSION_HEADER_UNSUPPORTED",
			);
			for (const cty of ["text/xml", "application/x-java-serialized-object", "JWT"]) {
				await rejects(
					await craft(header({ cty }), claims(), es.key.privateKey),
					SessionHeaderUnsupportedError,
					"ERR_SESSION_HEADER_UNSUPPORTED",
				);
			}
		});
	});

	describe("HDR-08", () => {
		it("crit", async () => {
			const unknown = await craft(
				header({ crit: ["urn:x:unknown"], "urn:x:unknown": 1 }),
				claims(),
				es.key.privateKey,
			);
			const e = await rejects(
				unknown,
				SessionHeaderUnsupportedError,
				"ERR_SESSION_HEADER_UNSUPPORTED",
			);
			expect(e.cause?.code).toBe("ERR_JOSE_NOT_SUPPORTED");
			const cases: [Record<string, unknown>, string, string][] = [
				[header({ crit: [] }), "ERR_SESSION_TOKEN_MALFORMED", "ERR_JWS_INVALID"],
				[header({ crit: "b64" }), "ERR_SESSION_TOKEN_MALFORMED", "ERR_JWS_INVALID"],
				// jose does not check duplicates in a JWS crit; our header policy refuses b64 anyway
				[
					header({ crit: ["b64", "b64"], b64: true }),
					"ERR_SESSION_HEADER_UNSUPPORTED",
					undefined as never,
				],
				[header({ crit: ["b64"] }), "ERR_SESSION_TOKEN_MALFORMED", "ERR_JWS_INVALID"],
				[
					header({ crit: ["exp", "exp"], exp: 1 }),
					"ERR_SESSION_HEADER_UNSUPPORTED",
					"ERR_JOSE_NOT_SUPPORTED",
				],
				[
					header({ crit: ["urn:x:absent"] }),
					"ERR_SESSION_HEADER_UNSUPPORTED",
					"ERR_JOSE_NOT_SUPPORTED",
				],
			];
			for (const [h, code, cause] of cases) {
				const r = await caught(() =>
					craft(h, claims(), es.key.privateKey).then((t) => verifySession(t, options)),
				);
				expect([h.crit, r.code, r.cause?.code]).toEqual([h.crit, code, cause]);
			}
		});
	});

	describe("HDR-09", () => {
		it("b64:false is refused with and without crit", async () => {
			const withCrit = await craft(
				header({ b64: false, crit: ["b64"] }),
				claims(),
				es.key.privateKey,
			);
			const e = await rejects(withCrit, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
			expect(e.cause?.code).toBe("ERR_JWT_INVALID");
			const noCrit = await craft(header({ b64: false }), claims(), es.key.privateKey);
			await rejects(noCrit, SessionHeaderUnsupportedError, "ERR_SESSION_HEADER_UNSUPPORTED");
		});
	});

	describe("HDR-10", () => {
		it("typ must be xshl-session+jwt (application/ prefix and any case accepted)", async () => {
			for (const typ of [
				undefined,
				"JWT",
				"at+jwt",
				"secevent+jwt",
				"xshl-session",
				"application/jwt",
			]) {
				const e = await rejects(
					await sign(claims(), header({ typ })),
					SessionTypeInvalidError,
					"ERR_SESSION_TYPE_INVALID",
				);
				expect(e.cause?.code).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
			}
			for (const typ of [
				"application/xshl-session+jwt",
				"XSHL-Session+JWT",
				"Application/Xshl-Session+Jwt",
			]) {
				expect((await verifySession(await sign(claims(), header({ typ })), options)).sub).toBe(
					"user-1",
				);
			}
		});
	});

	describe("HDR-11", () => {
		it("a duplicate member name in the header or the claims is malformed (no last-wins), before the signature", async () => {
			const h = `{"alg":"ES256","kid":"${es.key.kid}","typ":"${TYP}"}`;
			const dupAlg = `{"alg":"none","kid":"${es.key.kid}","typ":"${TYP}","alg":"ES256"}`;
			const dupKid = `{"alg":"ES256","kid":"other","typ":"${TYP}","kid":"${es.key.kid}"}`;
			const c = claims();
			const body = JSON.stringify({ ...c, sub: undefined, aud: undefined }).slice(1);
			const dupSub = `{"sub":"a","sub":"admin","aud":"service-api",${body}`;
			const dupAud = `{"aud":"service-api","aud":"evil","sub":"a",${body}`;
			const escaped = `{"sub":"a","s\u0075b":"admin","aud":"service-api",${body}`;
			const nested = `{"sub":"a","aud":"service-api","_payloads":{"role":"user","role":"admin"},${body}`;
			// control: the old behaviour (JSON.parse is last-wins) would have read "admin"
			expect(JSON.parse(dupSub).sub).toBe("admin");
			expect(JSON.parse(escaped).sub).toBe("admin");
			// control: without the duplicate the same header and claims verify
			const ok = `{"sub":"a","aud":"service-api","_payloads":{"role":"user"},${body}`;
			expect((await verifySession(await craft(h, ok, es.key.privateKey), options)).sub).toBe("a");
			const cases: [string, string, string][] = [
				[dupAlg, ok, '"alg"'],
				[dupKid, ok, '"kid"'],
				[h, dupSub, '"sub"'],
				[h, dupAud, '"aud"'],
				[h, escaped, '"sub"'],
				[h, nested, '"role"'],
			];
			for (const [hdr, payload, member] of cases) {
				const signed = await craft(hdr, payload, es.key.privateKey);
				const before = keys.resolverCalls;
				const e = await rejects(signed, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
				expect(e.message).toContain(`member ${member} twice`);
				// refused before the signature: no key lookup, and a broken signature changes nothing
				expect(keys.resolverCalls).toBe(before);
				await rejects(tamper(signed), SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
			}
		});
	});
});

describe("CLM: claims", () => {
	const L = 5;

	describe("CLM-01", () => {
		it("exp with leeway L: exp <= now - L is expired", async () => {
			const iat = NOW - 30;
			for (const exp of [NOW - L, NOW - L - 1, NOW - 60]) {
				const e = await rejects(
					await sign(claims({ iat, nbf: iat, exp })),
					SessionExpiredError,
					"ERR_SESSION_EXPIRED",
				);
				expect(e.cause?.code).toBe("ERR_JWT_EXPIRED");
				expect(e.claim).toBe("exp");
			}
			for (const exp of [NOW - L + 1, NOW - 1, NOW, NOW + 1]) {
				expect((await verifySession(await sign(claims({ iat, nbf: iat, exp })), options)).exp).toBe(
					exp,
				);
			}
		});
	});

	describe("CLM-02", () => {
		it("nbf boundary now + L", async () => {
			const e = await rejects(
				await sign(claims({ nbf: NOW + L + 1 })),
				SessionNotYetValidError,
				"ERR_SESSION_NOT_YET_VALID",
			);
			expect(e.claim).toBe("nbf");
			expect((await verifySession(await sign(claims({ nbf: NOW + L })), options)).nbf).toBe(
				NOW + L,
			);
		});
	});

	describe("CLM-03", () => {
		it("iat in the future, and older than maxTokenAge + L (jose needs maxTokenAge for both)", async () => {
			await rejects(
				await sign(claims({ iat: NOW + L + 1, nbf: NOW })),
				SessionIssuedInFutureError,
				"ERR_SESSION_ISSUED_IN_FUTURE",
			);
			expect(
				(await verifySession(await sign(claims({ iat: NOW + L, nbf: NOW })), options)).iat,
			).toBe(NOW + L);
			const sOpts = session.options;
			const old = NOW - (120 + L) - 1;
			const e = await rejects(
				await sign(claims({ iat: old, nbf: old })),
				SessionExpiredError,
				"ERR_SESSION_EXPIRED",
				sOpts,
			);
			expect(e.claim).toBe("iat");
			expect((await verifySession(await sign(claims({ iat: old + 1, nbf: old })), sOpts)).iat).toBe(
				old + 1,
			);
			// standalone default maxTokenAge is the 900 s cap
			await rejects(
				await sign(claims({ iat: NOW - 906, nbf: NOW - 906 })),
				SessionExpiredError,
				"ERR_SESSION_EXPIRED",
			);
			expect(
				(await verifySession(await sign(claims({ iat: NOW - 905, nbf: NOW - 905 })), options)).iat,
			).toBe(NOW - 905);
		});
	});

	describe("CLM-04", () => {
		it("each required claim removed in turn is named", async () => {
			for (const claim of ["iss", "aud", "exp", "nbf", "iat", "jti", "sid", "version", "trace"]) {
				const e = await rejects(
					await sign(claims({ [claim]: undefined })),
					SessionClaimMissingError,
					"ERR_SESSION_CLAIM_MISSING",
				);
				expect(e.claim).toBe(claim);
				expect(e.message).toContain(`"${claim}"`);
			}
			const strict = { ...options, requireAuthTime: true };
			const e = await rejects(
				control,
				SessionClaimMissingError,
				"ERR_SESSION_CLAIM_MISSING",
				strict,
			);
			expect(e.claim).toBe("auth_time");
			expect(
				(await verifySession(await sign(claims({ auth_time: NOW - 10 })), strict)).auth_time,
			).toBe(NOW - 10);
		});
	});

	describe("CLM-05", () => {
		it("NumericDates must be finite safe integers", async () => {
			const raw = async (claim: string, literal: string) => {
				const c = claims();
				const text = JSON.stringify({ ...c, [claim]: "@@" }).replace('"@@"', literal);
				return craft(header(), text, es.key.privateKey);
			};
			const cases: [string, string, string][] = [
				["exp", "1e999", "ERR_SESSION_CLAIM_INVALID"],
				["exp", "-1e999", "ERR_SESSION_EXPIRED"],
				["exp", '"9999999999"', "ERR_SESSION_CLAIM_INVALID"],
				["exp", "true", "ERR_SESSION_CLAIM_INVALID"],
				["exp", "null", "ERR_SESSION_CLAIM_INVALID"],
				["exp", "9007199254740993", "ERR_SESSION_CLAIM_INVALID"],
				["exp", String(NOW + 60.5), "ERR_SESSION_CLAIM_INVALID"],
				["exp", "-1", "ERR_SESSION_EXPIRED"],
				["nbf", "-1e999", "ERR_SESSION_CLAIM_INVALID"],
				["nbf", "1e999", "ERR_SESSION_NOT_YET_VALID"],
				["nbf", '"0"', "ERR_SESSION_CLAIM_INVALID"],
				["nbf", "true", "ERR_SESSION_CLAIM_INVALID"],
				["nbf", "null", "ERR_SESSION_CLAIM_INVALID"],
				["nbf", "-1", "ERR_SESSION_CLAIM_INVALID"],
				["nbf", String(NOW - 0.5), "ERR_SESSION_CLAIM_INVALID"],
				["iat", "1e999", "ERR_SESSION_ISSUED_IN_FUTURE"],
				["iat", "-1e999", "ERR_SESSION_EXPIRED"],
				["iat", `"${NOW}"`, "ERR_SESSION_CLAIM_INVALID"],
				["iat", "true", "ERR_SESSION_CLAIM_INVALID"],
				["iat", "null", "ERR_SESSION_CLAIM_INVALID"],
				["iat", String(NOW - 0.5), "ERR_SESSION_CLAIM_INVALID"],
			];
			for (const [claim, literal, code] of cases) {
				const e = await caught(() => raw(claim, literal).then((t) => verifySession(t, options)));
				expect([claim, literal, e.code]).toEqual([claim, literal, code]);
				expect(e.claim).toBe(claim);
			}
			// policy: exponent notation that denotes an exact integer is a valid JSON number (pinned)
			const exp = await raw("exp", "1.80000006e9");
			expect((await verifySession(exp, options)).exp).toBe(1_800_000_060);
		});
	});

	describe("CLM-06", () => {
		it("audience allowlist; an array passes when one value is allowed (pinned, RFC 7519)", async () => {
			for (const aud of ["other", "undef", "", [1], [], ["other"]]) {
				const e = await rejects(
					await sign(claims({ aud })),
					SessionAudienceInvalidError,
					"ERR_SESSION_AUDIENCE_INVALID",
				);
				expect(e.claim).toBe("aud");
			}
			await rejects(
				await sign(claims({ aud: undefined })),
				SessionClaimMissingError,
				"ERR_SESSION_CLAIM_MISSING",
			);
			expect(
				(await verifySession(await sign(claims({ aud: ["other", "service-api"] })), options)).aud,
			).toEqual(["other", "service-api"]);
		});
	});

	describe("CLM-07", () => {
		it("issuer", async () => {
			const withIssuer = { ...options, issuer: APP };
			await rejects(
				await sign(claims({ iss: ["https://evil", APP] })),
				SessionIssuerInvalidError,
				"ERR_SESSION_ISSUER_INVALID",
				withIssuer,
			);
			await rejects(
				await sign(claims({ iss: ["https://evil", APP] })),
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
			);
			await rejects(
				await sign(claims({ iss: 42 })),
				SessionIssuerInvalidError,
				"ERR_SESSION_ISSUER_INVALID",
				withIssuer,
			);
			await rejects(
				await sign(claims({ iss: 42 })),
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
			);
			const otherApp = "11111111-2222-4333-8444-555555555555";
			await rejects(
				await sign(claims({ iss: otherApp })),
				SessionIssuerInvalidError,
				"ERR_SESSION_ISSUER_INVALID",
				withIssuer,
			);
			const foreign = await craft(
				header({ kid: "other-app-key" }),
				claims({ iss: otherApp }),
				attacker.privateKey,
			);
			await rejects(foreign, SessionKeyUnknownError, "ERR_SESSION_KEY_UNKNOWN", withIssuer);
			expect((await verifySession(control, withIssuer)).iss).toBe(APP);
		});
	});

	describe("CLM-08", () => {
		it("a payload that is not a JSON object", async () => {
			for (const payload of ["[1,2]", '"str"', "42", "null"]) {
				const e = await rejects(
					await craft(header(), payload, es.key.privateKey),
					SessionTokenMalformedError,
					"ERR_SESSION_TOKEN_MALFORMED",
				);
				expect(e.cause?.code).toBe("ERR_JWT_INVALID");
			}
		});
	});

	describe("CLM-09", () => {
		it("version, sid, jti and trace each have their own code", async () => {
			for (const version of [2, "1", 1.5]) {
				await rejects(
					await sign(claims({ version })),
					SessionVersionMismatchError,
					"ERR_SESSION_VERSION_MISMATCH",
				);
			}
			await rejects(
				await sign(claims({ sid: crypto.randomUUID() })),
				SessionSidMismatchError,
				"ERR_SESSION_SID_MISMATCH",
			);
			const e = await rejects(
				await sign(claims({ jti: "not-a-uuid" })),
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
			);
			expect(e.claim).toBe("jti");
			await rejects(
				await sign(claims({ trace: undefined })),
				SessionClaimMissingError,
				"ERR_SESSION_CLAIM_MISSING",
			);
			await rejects(
				await sign(claims({ trace: trace.get(crypto.randomUUID()) })),
				SessionTraceMismatchError,
				"ERR_SESSION_TRACE_MISMATCH",
			);
			await rejects(
				await sign(claims({ trace: "x" })),
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
			);
		});
	});

	describe("CLM-10", () => {
		it("other kinds of JWT from the same keys", async () => {
			const inner = await sign({ sub: "user-1", iat: NOW, exp: NOW + 60 }, header({ typ: "JWT" }));
			await rejects(inner, SessionTypeInvalidError, "ERR_SESSION_TYPE_INVALID");
			await rejects(
				await sign(claims({ sid: undefined, trace: undefined })),
				SessionClaimMissingError,
				"ERR_SESSION_CLAIM_MISSING",
			);
			await rejects(
				await sign(claims({ aud: "billing-api" })),
				SessionAudienceInvalidError,
				"ERR_SESSION_AUDIENCE_INVALID",
			);
		});
	});

	describe("CLM-11", () => {
		it("merging __proto__ / constructor payloads never pollutes prototypes", async () => {
			const target = new Session(es.config, trace);
			target.payloads = { safe: 1 };
			const base = JSON.stringify(claims({ _payloads: { ok: true } }));
			for (const evil of [
				'{"__proto__":{"isAdmin":true},"ok":true}',
				'{"constructor":{"prototype":{"x":1}},"ok":true}',
			]) {
				const text = base
					.replace('{"ok":true}', evil)
					.replace(/^\{/, '{"__proto__":{"polluted":1},');
				const t = await craft(header(), text, es.key.privateKey);
				await target.merge(t);
				expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
				expect(({} as Record<string, unknown>).x).toBeUndefined();
				expect(({} as Record<string, unknown>).polluted).toBeUndefined();
				expect(Object.getPrototypeOf(target.payloads)).toBe(Object.prototype);
				expect(target.payloads).toEqual({ safe: 1, ok: true });
			}
		});
	});

	describe("CLM-12", () => {
		it("a failing merge leaves the session deep-equal to its earlier state", async () => {
			const target = new Session(es.config, trace);
			target.scope = ["a"];
			target.payloads = { n: 1 };
			const before = target.toJSON();
			const cases: [string, string][] = [
				[tamper(control), "ERR_SESSION_SIGNATURE_INVALID"],
				[
					await sign(claims({ iat: NOW - 100, nbf: NOW - 100, exp: NOW - 50 })),
					"ERR_SESSION_EXPIRED",
				],
				[
					await sign(claims({ trace: trace.get(crypto.randomUUID()) })),
					"ERR_SESSION_TRACE_MISMATCH",
				],
				[await sign(claims({ aud: "billing-api" })), "ERR_SESSION_AUDIENCE_INVALID"],
			];
			for (const [token, code] of cases) {
				const e = await caught(() => target.merge(token));
				expect(e.code).toBe(code);
				expect(target.toJSON()).toEqual(before);
				const r = await target.tryMerge(token);
				expect(r.ok ? "ok" : r.error.code).toBe(code);
				expect(target.toJSON()).toEqual(before);
			}
			await target.merge(await sign(claims({ scope: ["b"] })));
			expect(target.scope).toEqual(["a", "b"]);
		});
	});

	describe("CLM-13", () => {
		it("invalid UTF-8, a BOM, or UTF-16 in the payload", async () => {
			const c = new TextEncoder().encode(JSON.stringify(claims()));
			const payloads = [
				new Uint8Array([
					...c.slice(0, -1),
					0x2c,
					0x22,
					0x78,
					0x22,
					0x3a,
					0x22,
					0xed,
					0xa0,
					0x80,
					0x22,
					0x7d,
				]),
				new Uint8Array([
					...c.slice(0, -1),
					0x2c,
					0x22,
					0x78,
					0x22,
					0x3a,
					0x22,
					0xc0,
					0xaf,
					0x22,
					0x7d,
				]),
				new Uint8Array([0xef, 0xbb, 0xbf, ...c]),
				new Uint8Array(Buffer.from(JSON.stringify(claims()), "utf16le")),
			];
			for (const bytes of payloads) {
				const input = `${b64json(header())}.${base64url.encode(bytes)}`;
				const sig = await crypto.subtle.sign(
					{ name: "ECDSA", hash: "SHA-256" },
					es.key.privateKey,
					new TextEncoder().encode(input),
				);
				const t = `${input}.${base64url.encode(new Uint8Array(sig))}`;
				const e = await rejects(t, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
				expect(e.cause?.code).toBe("ERR_JWT_INVALID");
			}
		});
	});

	describe("CLM-14", () => {
		it("claims we compare must be safe integers (2^53 + 1 is refused)", async () => {
			const text = JSON.stringify(claims({ auth_time: 1 })).replace(
				'"auth_time":1',
				'"auth_time":9007199254740993',
			);
			const e = await rejects(
				await craft(header(), text, es.key.privateKey),
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
			);
			expect(e.claim).toBe("auth_time");
		});
	});
});

describe("FMT: token format", () => {
	describe("FMT-01", () => {
		it("JWS JSON serialization is refused before parsing", async () => {
			const [h, p, s] = control.split(".");
			for (const json of [
				JSON.stringify({ protected: h, payload: p, signature: s }),
				JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }),
			]) {
				const e = await rejects(json, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
				expect(e.cause?.code).toBe("ERR_JWS_INVALID");
			}
		});
	});

	describe("FMT-02", () => {
		it("characters outside [A-Za-z0-9_.-]", async () => {
			const [h, p, s] = control.split(".") as [string, string, string];
			for (const bad of [
				`${h}.${p}.${s}=`,
				`${h}=.${p}.${s}`,
				`${h}.${p}+.${s}`,
				`${h}.${p}/.${s}`,
				`${h}.${p}.${s} `,
				` ${control}`,
				`${h}.${p}?.${s}`,
				`${control}\n`,
				`${h}.${p}.\n${s}`,
			]) {
				await rejects(bad, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
			}
		});
	});

	describe("FMT-03", () => {
		it("wrong number of parts, empty header or payload, trailing dot", async () => {
			const [h, p, s] = control.split(".") as [string, string, string];
			for (const bad of [
				h,
				`${h}.${p}`,
				`${control}.${s}`,
				`${control}.x.y.z`,
				`.${p}.${s}`,
				`${h}..${s}`,
				`${control}.`,
				"",
				"..",
				"...",
			]) {
				const e = await rejects(bad, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
				expect(e.cause?.code).toBe("ERR_JWS_INVALID");
			}
			for (const notString of [undefined, null, 42, {}, new Uint8Array(3)]) {
				await rejects(
					notString as never,
					SessionTokenMalformedError,
					"ERR_SESSION_TOKEN_MALFORMED",
				);
			}
		});
	});

	describe("FMT-04", () => {
		it("a five-part JWE is never decrypted and trusted", async () => {
			const jwe = "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.a2V5.aXY.Y2lwaGVy.dGFn";
			await rejects(jwe, SessionTokenMalformedError, "ERR_SESSION_TOKEN_MALFORMED");
		});
	});

	describe("FMT-05", () => {
		it("oversized tokens are refused before decoding (cap configurable)", async () => {
			const big = await sign(claims({ _payloads: { blob: "x".repeat(12_000) } }));
			expect(big.length).toBeGreaterThan(16 * 1024);
			await rejects(big, SessionTokenTooLargeError, "ERR_SESSION_TOKEN_TOO_LARGE");
			await rejects(
				`${"a".repeat(64 * 1024)}.${control}`,
				SessionTokenTooLargeError,
				"ERR_SESSION_TOKEN_TOO_LARGE",
			);
			await rejects(
				"a".repeat(1024 * 1024),
				SessionTokenTooLargeError,
				"ERR_SESSION_TOKEN_TOO_LARGE",
			);
			expect(
				(await verifySession(big, { ...options, maxTokenBytes: 32 * 1024 }))._payloads?.blob,
			).toHaveLength(12_000);
		});
	});

	describe("FMT-06", () => {
		it("10 000 levels of nesting give a typed error, never a crash", async () => {
			const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
			const text = JSON.stringify(claims({ _payloads: { d: "@@" } })).replace('"@@"', deep);
			const t = await craft(header(), text, es.key.privateKey);
			await rejects(t, SessionTokenTooLargeError, "ERR_SESSION_TOKEN_TOO_LARGE");
			const roomy = { ...options, maxTokenBytes: 64 * 1024 };
			const verified = await verifySession(t, roomy);
			expect(Array.isArray(verified._payloads?.d)).toBe(true);
			const roomyConfig = new SessionConfig({
				keys,
				app: APP,
				audience: ["service-api"],
				header: { alg: "ES256", kid: es.key.kid },
				key: es.key.privateKey,
				now,
				maxTokenBytes: 64 * 1024,
			});
			const target = new Session(roomyConfig, trace);
			target.payloads = { keep: 1 };
			const before = target.toJSON();
			const e = await caught(() => target.merge(t));
			expect(e.code).toBe("ERR_SESSION_CLAIM_NOT_JSON");
			expect(target.toJSON()).toEqual(before);
		});
	});
});
