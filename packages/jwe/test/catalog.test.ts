/**
 * SECURITY-CATALOG rows JWE-01 .. JWE-12 and FMT-04, each with a valid control token.
 * @see issue 6
 */
import { deflateRawSync, inflateRawSync, constants as zlib } from "node:zlib";
import { CompactSign, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
	DECRYPTION_FAILED_MESSAGE,
	decryptThenVerify,
	deserialize,
	encryptJwt,
	JweAlgNotAllowedError,
	JweConfigError,
	JweDecryptionFailedError,
	JweEncryptionFailedError,
	JweError,
	JweInvalidError,
	JweNestedInvalidError,
	JweNestedVerificationFailedError,
	JweTokenTooLargeError,
	JweZipRefusedError,
	jwtVerifier,
	serialize,
	signThenEncrypt,
} from "../src/index";
import { b64u, flip, headerOf, readVector, rejects, withHeader } from "./helpers";
import { type EncPair, encPair, joseEncrypt, keySetOf, privateJwk, publicJwk } from "./keys";

let rsa: EncPair;
let ec: EncPair;
let ecdh: EncPair;
let keys: ReturnType<typeof keySetOf>;
beforeAll(async () => {
	rsa = await encPair("RSA-OAEP-256", "rsa-1");
	ec = await encPair("ECDH-ES+A256KW", "ec-1");
	ecdh = await encPair("ECDH-ES", "ecdh-1");
	keys = keySetOf(rsa, ec, ecdh);
});
const RSA_H = { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" };
const EC_H = { alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "ec-1" };

interface WpGroup {
	type: string;
	private: Record<string, unknown>;
	tests: { tcId: number; jwe: string; pt?: string }[];
}
const wycheproof = readVector<{ testGroups: WpGroup[] }>(
	"wycheproof/json_web_encryption_test.json",
);
function wp(tcId: number): { key: Record<string, unknown>; jwe: string; pt?: string } {
	for (const g of wycheproof.testGroups) {
		const t = g.tests.find((x) => x.tcId === tcId);
		if (t) return { key: g.private, jwe: t.jwe, ...(t.pt !== undefined && { pt: t.pt }) };
	}
	throw new Error(`no tc${tcId}`);
}

describe("JWE-01 RSA1_5 is refused before any RSA operation", () => {
	it.each([100, 94, 95, 96, 97, 98, 99])("Wycheproof tc%i", async (tcId) => {
		const { key, jwe } = wp(tcId);
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		const e = await rejects(
			deserialize(jwe, { keys: key }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect((e.cause as { code: string }).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
		expect(decrypt).not.toHaveBeenCalled();
	});

	it("control: an RSA-OAEP-256 token for the same key shape decrypts", async () => {
		const { key, jwe, pt } = wp(90);
		expect(Buffer.from((await deserialize(jwe, { keys: key })).plaintext).toString("hex")).toBe(pt);
	});
});

describe("JWE-02 no padding/decryption oracle: one identical error", () => {
	it("modified encrypted_key, tag and ciphertext give identical class, code and message", async () => {
		const token = await serialize("secret", RSA_H, { keys });
		expect((await deserialize(token, { keys: rsa.privateKey })).text()).toBe("secret"); // control
		const errors: Error[] = [];
		for (const [part, at] of [
			[1, 0],
			[1, 100],
			[4, 0],
			[4, 15],
			[3, 0],
			[2, 0],
		] as const) {
			errors.push(
				await rejects(
					deserialize(flip(token, part, at), { keys: rsa.privateKey }),
					JweDecryptionFailedError,
					"ERR_JWE_DECRYPTION_FAILED",
				),
			);
		}
		const other = await encPair("RSA-OAEP-256", "rsa-1");
		errors.push(
			await rejects(
				deserialize(token, { keys: other.privateKey }),
				JweDecryptionFailedError,
				"ERR_JWE_DECRYPTION_FAILED",
			),
		);
		for (const e of errors) {
			expect(e.constructor).toBe(JweDecryptionFailedError);
			expect(e.message).toBe(DECRYPTION_FAILED_MESSAGE);
			expect(e.cause).toBeUndefined();
			expect(Object.keys(e)).toEqual(Object.keys(errors[0]!));
		}
	});
});

describe("JWE-03 invalid-curve ECDH", () => {
	const P256_P = Buffer.from(
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
		"hex",
	);

	it("Wycheproof tc51 (epk not on the curve), with its alg/enc allowed", async () => {
		const { key, jwe } = wp(51);
		await rejects(
			deserialize(jwe, {
				keys: key,
				keyManagementAlgorithms: ["ECDH-ES+A128KW"],
				contentEncryptionAlgorithms: ["A128CBC-HS256"],
			}),
			JweDecryptionFailedError,
			"ERR_JWE_DECRYPTION_FAILED",
		);
	});

	it("a P-384 epk for a P-256 key, x or y >= p, a wrong kty: all rejected", async () => {
		const token = await serialize("x", EC_H, { keys });
		expect((await deserialize(token, { keys: ec.privateKey })).text()).toBe("x"); // control
		const header = headerOf(token) as { epk: Record<string, string> };
		const p384 = await generateKeyPair("ECDH-ES", { crv: "P-384", extractable: true });
		const p384Jwk = await publicJwk({ ...ec, publicKey: p384.publicKey });
		const variants: [Record<string, unknown>, string][] = [
			[{ kty: "EC", crv: "P-384", x: p384Jwk.x, y: p384Jwk.y }, "ERR_JWE_DECRYPTION_FAILED"],
			[{ ...header.epk, x: b64u(P256_P) }, "ERR_JWE_DECRYPTION_FAILED"],
			[{ ...header.epk, y: b64u(P256_P) }, "ERR_JWE_DECRYPTION_FAILED"],
			[{ ...header.epk, kty: "RSA" }, "ERR_JWE_NOT_SUPPORTED"],
			[{ ...header.epk, kty: "OKP", crv: "X25519" }, "ERR_JWE_DECRYPTION_FAILED"],
		];
		for (const [epk, code] of variants) {
			const e = await deserialize(withHeader(token, { ...header, epk }), {
				keys: ec.privateKey,
			}).then(
				() => undefined,
				(err: unknown) => err,
			);
			expect(e).toBeInstanceOf(JweError);
			expect((e as JweError).code).toBe(code);
		}
	});
});

describe("JWE-04 AEAD tampering (A256GCM)", () => {
	let token: string;
	beforeAll(async () => {
		token = await serialize("aead", EC_H, { keys });
	});
	const set = (t: string, i: number, value: string) => {
		const parts = t.split(".");
		parts[i] = value;
		return parts.join(".");
	};
	const part = (t: string, i: number) => Buffer.from(t.split(".")[i]!, "base64url");

	it("control decrypts", async () => {
		expect((await deserialize(token, { keys: ec.privateKey })).text()).toBe("aead");
	});

	it.each([
		["tag modified", (t: string) => flip(t, 4, 3), "ERR_JWE_DECRYPTION_FAILED"],
		[
			"tag truncated by 1",
			(t: string) => set(t, 4, b64u(part(t, 4).subarray(0, 15))),
			"ERR_JWE_INVALID",
		],
		[
			"tag truncated by 4",
			(t: string) => set(t, 4, b64u(part(t, 4).subarray(0, 12))),
			"ERR_JWE_INVALID",
		],
		[
			"tag truncated by 8",
			(t: string) => set(t, 4, b64u(part(t, 4).subarray(0, 8))),
			"ERR_JWE_INVALID",
		],
		[
			"tag too long",
			(t: string) => set(t, 4, b64u(Buffer.concat([part(t, 4), Buffer.of(0)]))),
			"ERR_JWE_INVALID",
		],
		["tag missing", (t: string) => set(t, 4, ""), "ERR_JWE_INVALID"],
		[
			"IV of 11 bytes",
			(t: string) => set(t, 2, b64u(part(t, 2).subarray(0, 11))),
			"ERR_JWE_INVALID",
		],
		[
			"IV of 16 bytes",
			(t: string) => set(t, 2, b64u(Buffer.concat([part(t, 2), Buffer.alloc(4)]))),
			"ERR_JWE_INVALID",
		],
		["IV missing", (t: string) => set(t, 2, ""), "ERR_JWE_INVALID"],
		["IV modified", (t: string) => flip(t, 2, 0), "ERR_JWE_DECRYPTION_FAILED"],
		["ciphertext modified", (t: string) => flip(t, 3, 0), "ERR_JWE_DECRYPTION_FAILED"],
		["ciphertext missing", (t: string) => set(t, 3, ""), "ERR_JWE_DECRYPTION_FAILED"],
	] as const)("%s", async (_, mutate, code) => {
		const e = await deserialize(mutate(token), { keys: ec.privateKey }).then(
			() => undefined,
			(err: unknown) => err as JweError,
		);
		expect(e).toBeInstanceOf(
			code === "ERR_JWE_INVALID" ? JweInvalidError : JweDecryptionFailedError,
		);
		expect(e?.code).toBe(code);
	});
});

describe("JWE-05 CBC-HMAC, when allowed: padding and MAC failures are indistinguishable", () => {
	it("Wycheproof Pkcs5Paddings tc136-139 give identical errors; the RFC 7520 control decrypts", async () => {
		const options = (key: Record<string, unknown>) => ({
			keys: key,
			keyManagementAlgorithms: ["A256GCMKW" as const],
			contentEncryptionAlgorithms: ["A128CBC-HS256" as const],
		});
		const control = wp(133);
		expect(
			Buffer.from((await deserialize(control.jwe, options(control.key))).plaintext).toString("hex"),
		).toBe(control.pt);
		const messages = new Set<string>();
		for (const tcId of [136, 137, 138, 139]) {
			const { key, jwe } = wp(tcId);
			const e = await rejects(
				deserialize(jwe, options(key)),
				JweDecryptionFailedError,
				"ERR_JWE_DECRYPTION_FAILED",
			);
			messages.add(e.message);
			expect(e.cause).toBeUndefined();
		}
		expect([...messages]).toEqual([DECRYPTION_FAILED_MESSAGE]);
	});

	it("CBC is refused under the default policy", async () => {
		const token = await joseEncrypt(
			"x",
			{ alg: "RSA-OAEP-256", enc: "A128CBC-HS256", kid: "rsa-1" },
			rsa.publicKey,
		);
		const e = await rejects(
			deserialize(token, { keys: rsa.privateKey }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect((e as JweAlgNotAllowedError).parameter).toBe("enc");
	});
});

describe("JWE-06 PBES2 p2c DoS", () => {
	const header = {
		alg: "PBES2-HS256+A128KW",
		enc: "A256GCM",
		p2c: 2_000_000_000,
		p2s: b64u(new Uint8Array(16)),
	};
	const token = `${b64u(JSON.stringify(header))}.${b64u(new Uint8Array(40))}.${b64u(new Uint8Array(12))}.${b64u("c")}.${b64u(new Uint8Array(16))}`;
	const password = new TextEncoder().encode("correct horse battery staple");

	it("refused as not allowed by default; PBKDF2 never runs", async () => {
		const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
		const e = await rejects(
			deserialize(token, { keys: password }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect((e.cause as { code: string }).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
		expect(deriveBits).not.toHaveBeenCalled();
	});

	it("explicitly allowed, a p2c above the cap is ERR_JWE_INVALID and PBKDF2 never runs", async () => {
		const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
		const e = await rejects(
			deserialize(token, { keys: password, keyManagementAlgorithms: ["PBES2-HS256+A128KW"] }),
			JweInvalidError,
			"ERR_JWE_INVALID",
		);
		expect((e.cause as { code: string }).code).toBe("ERR_JWE_INVALID");
		expect(deriveBits).not.toHaveBeenCalled();
	});

	it("maxPBES2Count cannot exceed 1 200 000", async () => {
		await rejects(
			deserialize(token, {
				keys: password,
				keyManagementAlgorithms: ["PBES2-HS256+A128KW"],
				maxPBES2Count: 2_000_000_000,
			}),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
	});

	it("control: a PBES2 token with a small p2c decrypts when allowed", async () => {
		const ok = await joseEncrypt(
			"pbes2",
			{ alg: "PBES2-HS256+A128KW", enc: "A256GCM", p2c: 1000 },
			password,
		);
		const result = await deserialize(ok, {
			keys: password,
			keyManagementAlgorithms: ["PBES2-HS256+A128KW"],
		});
		expect(result.text()).toBe("pbes2");
	});
});

describe("JWE-07 zip bombs", () => {
	/** A raw DEFLATE stream inflating to `mib` MiB of zeros, built from one flushed 1 MiB block. */
	function deflateBomb(mib: number): Uint8Array<ArrayBuffer> {
		const block = deflateRawSync(Buffer.alloc(1 << 20), {
			finishFlush: zlib.Z_FULL_FLUSH,
			level: 9,
		});
		const end = deflateRawSync(Buffer.alloc(0));
		return new Uint8Array(Buffer.concat([...Array.from({ length: mib }, () => block), end]));
	}

	/** dir + A256GCM with zip:"DEF", built with WebCrypto so that no library compresses for us. */
	async function zipToken(
		compressed: Uint8Array<ArrayBuffer>,
		cek: Uint8Array<ArrayBuffer>,
	): Promise<string> {
		const protectedB64 = b64u(JSON.stringify({ alg: "dir", enc: "A256GCM", zip: "DEF" }));
		const iv = crypto.getRandomValues(new Uint8Array(12));
		const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
		const out = new Uint8Array(
			await crypto.subtle.encrypt(
				{ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(protectedB64) },
				key,
				compressed,
			),
		);
		return [protectedB64, "", b64u(iv), b64u(out.subarray(0, -16)), b64u(out.subarray(-16))].join(
			".",
		);
	}

	it("a DEF JWE inflating to about 1 GiB is refused before decryption (the inflater never runs)", async () => {
		expect(inflateRawSync(deflateBomb(8)).byteLength).toBe(8 << 20); // the construction inflates
		const bomb = deflateBomb(1024);
		expect(bomb.byteLength).toBeLessThan(1_100_000);
		const cek = crypto.getRandomValues(new Uint8Array(32));
		const token = await zipToken(bomb, cek);
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		const options = {
			keys: cek,
			keyManagementAlgorithms: ["dir" as const],
			maxTokenBytes: 2_000_000,
		};
		const e = await rejects(deserialize(token, options), JweZipRefusedError, "ERR_JWE_ZIP_REFUSED");
		expect((e.cause as { code: string }).code).toBe("ERR_JOSE_NOT_SUPPORTED");
		expect(decrypt).not.toHaveBeenCalled();
		// under the default size limit the same token never gets that far
		await rejects(
			deserialize(token, { keys: cek, keyManagementAlgorithms: ["dir"] }),
			JweTokenTooLargeError,
			"ERR_JWE_TOKEN_TOO_LARGE",
		);
	});

	it("a small valid DEF JWE is refused too; the same content without zip decrypts (control)", async () => {
		const cek = crypto.getRandomValues(new Uint8Array(32));
		const token = await zipToken(
			new Uint8Array(deflateRawSync(Buffer.from("hello hello hello"))),
			cek,
		);
		await rejects(
			deserialize(token, { keys: cek, keyManagementAlgorithms: ["dir"] }),
			JweZipRefusedError,
			"ERR_JWE_ZIP_REFUSED",
		);
		const plain = await joseEncrypt("hello hello hello", { alg: "dir", enc: "A256GCM" }, cek);
		expect((await deserialize(plain, { keys: cek, keyManagementAlgorithms: ["dir"] })).text()).toBe(
			"hello hello hello",
		);
	});

	it("zip in an unprotected header (JSON serialization) is ERR_JWE_INVALID: only compact JWE is read", async () => {
		const token = await serialize("x", RSA_H, { keys });
		const [p, k, iv, c, t] = token.split(".");
		const flattened = JSON.stringify({
			protected: p,
			unprotected: { zip: "DEF" },
			encrypted_key: k,
			iv,
			ciphertext: c,
			tag: t,
		});
		await rejects(
			deserialize(flattened, { keys: rsa.privateKey }),
			JweInvalidError,
			"ERR_JWE_INVALID",
		);
	});
});

describe("JWE-08 size limit before decoding", () => {
	it("a JWE with a 10 MiB ciphertext is refused before any base64 decoding", async () => {
		const token = await serialize("x", RSA_H, { keys });
		const parts = token.split(".");
		parts[3] = "A".repeat(10 * 1024 * 1024);
		const huge = parts.join(".");
		const atob = vi.spyOn(globalThis, "atob");
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		const e = await rejects(
			deserialize(huge, { keys: rsa.privateKey }),
			JweTokenTooLargeError,
			"ERR_JWE_TOKEN_TOO_LARGE",
		);
		expect(e.message).toBe(`JWE is ${huge.length} bytes long; the limit (maxTokenBytes) is 8192`);
		expect(atob).not.toHaveBeenCalled();
		expect(decrypt).not.toHaveBeenCalled();
		expect((await deserialize(token, { keys: rsa.privateKey })).text()).toBe("x"); // control
	});
});

describe("JWE-09 allowlists", () => {
	it.each([
		["enc A128CBC-HS256", { alg: "RSA-OAEP-256", enc: "A128CBC-HS256" }, "enc"],
		["alg dir", { alg: "dir", enc: "A256GCM" }, "alg"],
		["alg A256KW", { alg: "A256KW", enc: "A256GCM" }, "alg"],
		["alg ECDH-ES+A128KW", { alg: "ECDH-ES+A128KW", enc: "A256GCM" }, "alg"],
		["alg RSA-OAEP (SHA-1)", { alg: "RSA-OAEP", enc: "A256GCM" }, "alg"],
	] as const)("%s is ERR_JWE_ALG_NOT_ALLOWED", async (_, header, parameter) => {
		const secret = crypto.getRandomValues(new Uint8Array(32));
		const pair = /^(RSA|ECDH)/.test(header.alg) ? await generateKeyPair(header.alg) : undefined;
		const token = await joseEncrypt("x", header, pair?.publicKey ?? secret);
		const decryptKey = pair?.privateKey ?? secret;
		const e = await rejects(
			deserialize(token, { keys: decryptKey }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect((e as JweAlgNotAllowedError).parameter).toBe(parameter);
		expect((e.cause as { code: string }).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
	});

	it("control: each default pair decrypts", async () => {
		for (const [pair, enc] of [
			[rsa, "A256GCM"],
			[ec, "A256GCM"],
			[ecdh, "A256GCM"],
		] as const) {
			const token = await serialize("ok", { alg: pair.alg, enc, kid: pair.kid }, { keys });
			expect((await deserialize(token, { keys: pair.privateKey })).text()).toBe("ok");
		}
	});
});

describe("JWE-10 key misuse", () => {
	it.each([106, 107, 108, 109])(
		"Wycheproof tc%i (GCM key with KW / KW key with GCM) is rejected",
		async (tcId) => {
			const { key, jwe } = wp(tcId);
			const header = headerOf(jwe) as { alg: never; enc: never };
			await rejects(
				deserialize(jwe, { keys: key }),
				JweAlgNotAllowedError,
				"ERR_JWE_ALG_NOT_ALLOWED",
			);
			await rejects(
				deserialize(jwe, {
					keys: key,
					keyManagementAlgorithms: [header.alg],
					contentEncryptionAlgorithms: [header.enc],
				}),
				JweDecryptionFailedError,
				"ERR_JWE_DECRYPTION_FAILED",
			);
		},
	);

	it('a decryption JWK with use:"sig" or key_ops:["sign"] is a config error', async () => {
		const token = await serialize("x", RSA_H, { keys });
		const jwk = await privateJwk(rsa);
		expect((await deserialize(token, { keys: jwk })).text()).toBe("x"); // control
		for (const bad of [
			{ ...jwk, use: "sig" },
			{ ...jwk, key_ops: ["sign"] },
		]) {
			await rejects(deserialize(token, { keys: bad }), JweConfigError, "ERR_JWE_CONFIG_INVALID");
		}
	});

	it('a recipient JWK with use:"sig" or key_ops:["verify"] is refused by serialize', async () => {
		const jwk = await publicJwk(rsa);
		for (const bad of [
			{ ...jwk, use: "sig" },
			{ ...jwk, key_ops: ["verify"] },
		]) {
			await rejects(
				serialize("x", RSA_H, { key: bad }),
				JweEncryptionFailedError,
				"ERR_JWE_ENCRYPTION_FAILED",
			);
		}
		expect(typeof (await serialize("x", RSA_H, { key: jwk }))).toBe("string"); // control
	});
});

describe("JWE-11 nested tokens: decryption alone never yields claims", () => {
	let signing: CryptoKeyPair;
	const verify = vi.fn(
		async (jws: string) =>
			(await jwtVerify(jws, signing.publicKey, { algorithms: ["ES256"] })).payload,
	);
	beforeAll(async () => {
		signing = await generateKeyPair("ES256");
	});
	const options = () => ({ keys: rsa.privateKey, verify });

	it("control: sign then encrypt, decrypt then verify", async () => {
		const token = await signThenEncrypt({ sub: "u1" }, RSA_H, {
			keys,
			signingKey: signing.privateKey,
			signingHeader: { alg: "ES256", kid: "sig-1" },
		});
		expect(headerOf(token)).toMatchObject({ cty: "JWT", alg: "RSA-OAEP-256" });
		expect(await decryptThenVerify(token, options())).toEqual({ sub: "u1" });
	});

	it("an inner JWS with a bad signature fails verification (cause kept)", async () => {
		const other = await generateKeyPair("ES256");
		const jws = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "ES256", typ: "JWT" })
			.sign(other.privateKey);
		const token = await encryptJwt(jws, RSA_H, { keys });
		const e = await rejects(
			decryptThenVerify(token, options()),
			JweNestedVerificationFailedError,
			"ERR_JWE_NESTED_VERIFICATION_FAILED",
		);
		expect((e.cause as { code: string }).code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
	});

	it.each([
		[
			"alg none",
			(): string | Promise<string> =>
				`${b64u('{"alg":"none","typ":"JWT"}')}.${b64u('{"sub":"u1"}')}.`,
		],
		[
			"alg HS256",
			(): string | Promise<string> =>
				new SignJWT({ sub: "u1" })
					.setProtectedHeader({ alg: "HS256", typ: "JWT" })
					.sign(new Uint8Array(32)),
		],
		[
			"no typ",
			(): string | Promise<string> =>
				`${b64u('{"alg":"ES256"}')}.${b64u('{"sub":"u1"}')}.${b64u(new Uint8Array(64))}`,
		],
		["raw claims", (): string | Promise<string> => '{"sub":"u1","admin":true}'],
	] as const)("an inner token with %s is refused before the verifier runs", async (_, make) => {
		verify.mockClear();
		const token = await serialize(await make(), { ...RSA_H, cty: "JWT" }, { keys });
		await rejects(
			decryptThenVerify(token, options()),
			JweNestedInvalidError,
			"ERR_JWE_NESTED_INVALID",
		);
		expect(verify).not.toHaveBeenCalled();
	});

	it('an outer JWE without cty "JWT" is refused, even around a valid JWS', async () => {
		verify.mockClear();
		const jws = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "ES256", typ: "JWT" })
			.sign(signing.privateKey);
		const token = await serialize(jws, RSA_H, { keys });
		await rejects(
			decryptThenVerify(token, options()),
			JweNestedInvalidError,
			"ERR_JWE_NESTED_INVALID",
		);
		expect(verify).not.toHaveBeenCalled();
	});

	it("the helpers refuse to sign with none/HS* or to encrypt something that is not a signed JWT", async () => {
		await rejects(
			signThenEncrypt({ sub: "u1" }, RSA_H, {
				keys,
				signingKey: signing.privateKey,
				signingHeader: { alg: "HS256" },
			}),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
		await rejects(
			encryptJwt('{"sub":"u1"}', RSA_H, { keys }),
			JweNestedInvalidError,
			"ERR_JWE_NESTED_INVALID",
		);
		await rejects(
			decryptThenVerify("a.b.c.d.e", { keys: rsa.privateKey, verify, jwsAlgorithms: ["HS256"] }),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
	});
});

describe("FMT-04 a JWE is never decrypted and trusted as a signature", () => {
	it("a JWE given to a JWS verifier is rejected", async () => {
		const signing = await generateKeyPair("ES256");
		const token = await signThenEncrypt({ sub: "u1" }, RSA_H, {
			keys,
			signingKey: signing.privateKey,
			signingHeader: { alg: "ES256" },
		});
		const verify = jwtVerifier({ key: signing.publicKey, algorithms: ["ES256"] });
		const e = await Promise.resolve(verify(token, {} as never)).then(
			() => undefined,
			(err: unknown) => err as { code: string },
		);
		expect(e?.code).toBe("ERR_JWS_INVALID");
		expect(await decryptThenVerify(token, { keys: rsa.privateKey, verify })).toMatchObject({
			sub: "u1",
		}); // control
	});

	it("a JWE nested in a JWE (cty JWT) is refused, never decrypted a second time", async () => {
		const signing = await generateKeyPair("ES256");
		const inner = await signThenEncrypt({ sub: "u1" }, RSA_H, {
			keys,
			signingKey: signing.privateKey,
			signingHeader: { alg: "ES256" },
		});
		const outer = await serialize(inner, { ...RSA_H, cty: "JWT" }, { keys, maxTokenBytes: 16384 });
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		const verify = vi.fn();
		const e = await rejects(
			decryptThenVerify(outer, { keys: rsa.privateKey, verify, maxTokenBytes: 16384 }),
			JweNestedInvalidError,
			"ERR_JWE_NESTED_INVALID",
		);
		expect(e.message).toBe(
			"the plaintext is another JWE, not a signed JWS; it is never decrypted again",
		);
		expect(verify).not.toHaveBeenCalled();
		// one RSA-OAEP unwrap + one AES-GCM decrypt for the outer layer only
		expect(decrypt).toHaveBeenCalledTimes(2);
	});

	it("a 3-part JWS given to deserialize is not a JWE", async () => {
		const signing = await generateKeyPair("ES256");
		const jws = await new CompactSign(new TextEncoder().encode("x"))
			.setProtectedHeader({ alg: "ES256" })
			.sign(signing.privateKey);
		await rejects(deserialize(jws, { keys: rsa.privateKey }), JweInvalidError, "ERR_JWE_INVALID");
	});
});
