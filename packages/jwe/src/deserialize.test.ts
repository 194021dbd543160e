import { exportPKCS8 } from "jose";
import { describe, expect, it } from "vitest";
import { encPair, joseEncrypt, keySetOf, privateJwk, publicJwk } from "../test/keys";
import { CONTENT_ENCRYPTION_ALGORITHMS, DEFAULT_MAX_TOKEN_BYTES } from "./algorithms";
import { deserialize } from "./deserialize";
import {
	DECRYPTION_FAILED_MESSAGE,
	JweConfigError,
	JweDecryptionFailedError,
	JweInvalidError,
	JweNoMatchingKeyError,
	JwePayloadInvalidError,
	JweTokenTooLargeError,
} from "./errors";
import { serialize } from "./serialize";

const rsa = await encPair("RSA-OAEP-256", "rsa-1");
const ecdh = await encPair("ECDH-ES", "ecdh-1");
const ecKw = await encPair("ECDH-ES+A256KW", "eckw-1");
const keys = keySetOf(rsa, ecdh, ecKw);

async function caught(p: Promise<unknown>): Promise<Error & { code: string }> {
	return p.then(
		() => {
			throw new Error("expected a rejection");
		},
		(e: unknown) => e as Error & { code: string },
	);
}

describe("round trips for each allowed alg/enc pair", () => {
	const pairs = [rsa, ecdh, ecKw].flatMap((pair) =>
		CONTENT_ENCRYPTION_ALGORITHMS.map((enc) => [pair.alg, enc, pair] as const),
	);
	it.each(pairs)("%s + %s", async (alg, enc, pair) => {
		const policy =
			enc === "A256GCM" ? {} : { contentEncryptionAlgorithms: ["A256GCM", enc] as const };
		const token = await serialize(
			{ n: 1, s: "é" },
			{ alg, enc, kid: pair.kid },
			{ keys, ...policy },
		);
		const result = await deserialize(token, {
			keys: [rsa, ecdh, ecKw].map((p) => ({ kid: p.kid, alg: p.alg, privateKey: p.privateKey })),
			...policy,
		});
		expect(result.json()).toEqual({ n: 1, s: "é" });
		expect(result.text()).toBe('{"n":1,"s":"é"}');
		expect(result.protectedHeader).toMatchObject({ alg, enc, kid: pair.kid });
		if (enc !== "A256GCM") {
			// the same token under the default policy is refused
			await expect(deserialize(token, { keys: pair.privateKey })).rejects.toMatchObject({
				code: "ERR_JWE_ALG_NOT_ALLOWED",
			});
		}
	});
});

describe("deserialize", () => {
	it("text() and json() can be destructured", async () => {
		const token = await serialize(
			{ a: 1 },
			{ alg: "ECDH-ES", enc: "A256GCM", kid: "ecdh-1" },
			{ keys },
		);
		const { text, json, plaintext } = await deserialize(token, { keys: ecdh.privateKey });
		expect(text()).toBe('{"a":1}');
		expect(json()).toEqual({ a: 1 });
		expect(plaintext.byteLength).toBe(7);
	});

	it("returns bytes, text() and json()", async () => {
		const bytes = Uint8Array.of(0, 255, 1);
		const token = await serialize(
			bytes,
			{ alg: "ECDH-ES", enc: "A256GCM", kid: "ecdh-1" },
			{ keys },
		);
		const result = await deserialize(token, { keys: ecdh.privateKey });
		expect([...result.plaintext]).toEqual([0, 255, 1]);
		expect((await caught(Promise.resolve().then(() => result.text()))).code).toBe(
			"ERR_JWE_PAYLOAD_INVALID",
		);
		const notJson = await deserialize(
			await serialize("not json", { alg: "ECDH-ES", enc: "A256GCM", kid: "ecdh-1" }, { keys }),
			{ keys: ecdh.privateKey },
		);
		const e = await caught(Promise.resolve().then(() => notJson.json()));
		expect(e).toBeInstanceOf(JwePayloadInvalidError);
	});

	it("picks the private key by kid among several (rotation)", async () => {
		const old = await encPair("RSA-OAEP-256", "rsa-0");
		const ring = [
			{ kid: "rsa-0", privateKey: old.privateKey },
			{ kid: "rsa-1", privateKey: rsa.privateKey },
		];
		for (const [pair, text] of [
			[old, "old"],
			[rsa, "new"],
		] as const) {
			const token = await serialize(
				text,
				{ alg: "RSA-OAEP-256", enc: "A256GCM", kid: pair.kid },
				{
					keys: keySetOf(old, rsa),
				},
			);
			expect((await deserialize(token, { keys: ring })).text()).toBe(text);
		}
	});

	it("an unknown kid is ERR_JWE_NO_MATCHING_KEY; a token without kid tries every key", async () => {
		const token = await serialize(
			"x",
			{ alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" },
			{ keys },
		);
		const e = await caught(
			deserialize(token, { keys: [{ kid: "other", privateKey: rsa.privateKey }] }),
		);
		expect(e).toBeInstanceOf(JweNoMatchingKeyError);
		const noKid = await joseEncrypt("y", { alg: "RSA-OAEP-256", enc: "A256GCM" }, rsa.publicKey);
		const other = await encPair("RSA-OAEP-256", "rsa-2");
		const result = await deserialize(noKid, {
			keys: [
				{ kid: "rsa-2", privateKey: other.privateKey },
				{ kid: "rsa-1", privateKey: rsa.privateKey },
			],
		});
		expect(result.text()).toBe("y");
	});

	it("a key declared for another alg is not used", async () => {
		const token = await serialize(
			"x",
			{ alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" },
			{ keys },
		);
		const e = await caught(
			deserialize(token, { keys: { kid: "rsa-1", alg: "ECDH-ES", privateKey: rsa.privateKey } }),
		);
		expect(e.code).toBe("ERR_JWE_NO_MATCHING_KEY");
	});

	it("the wrong private key gives the one decryption error", async () => {
		const token = await serialize(
			"x",
			{ alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" },
			{ keys },
		);
		const other = await encPair("RSA-OAEP-256");
		const e = await caught(deserialize(token, { keys: other.privateKey }));
		expect(e).toBeInstanceOf(JweDecryptionFailedError);
		expect(e.message).toBe(DECRYPTION_FAILED_MESSAGE);
		expect(e.cause).toBeUndefined();
	});

	it("accepts private JWKs and PKCS#8 PEM strings", async () => {
		const token = await serialize(
			"jwk",
			{ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "eckw-1" },
			{ keys },
		);
		expect((await deserialize(token, { keys: await privateJwk(ecKw) })).text()).toBe("jwk");
		const pem = await exportPKCS8(ecKw.privateKey);
		const options = { keys: { kid: "eckw-1", privateKey: pem } };
		expect((await deserialize(token, options)).text()).toBe("jwk");
		expect((await deserialize(token, options)).text()).toBe("jwk"); // imported once, cached
	});

	it("refuses keys that cannot decrypt at validation, with the path", async () => {
		const cases: [unknown, string][] = [
			[[], "at least one key is required"],
			[rsa.publicKey, "a public CryptoKey cannot decrypt; pass the private key"],
			[await publicJwk(rsa), "a public JWK cannot decrypt; pass the private key"],
			[{ ...(await privateJwk(rsa)), use: "sig" }, 'the JWK has "use" other than "enc"'],
			[
				{ ...(await privateJwk(rsa)), key_ops: ["sign"] },
				'the JWK "key_ops" allow no decryption operation',
			],
			["not a pem", "a PEM string must be a PKCS#8 private key"],
			[new Uint8Array(8), "a symmetric key must be at least 16 bytes"],
			[42, "expected a CryptoKey, a Uint8Array secret, a private JWK or a PKCS#8 PEM string"],
			[{ kid: "", privateKey: rsa.privateKey }, "kid must be a non-empty string"],
		];
		for (const [input, message] of cases) {
			const e = await caught(deserialize("a.b.c.d.e", { keys: input as never }));
			expect(e).toBeInstanceOf(JweConfigError);
			expect((e as JweConfigError).issues[0]?.message).toBe(message);
		}
		const signing = (await crypto.subtle.generateKey(
			{ name: "ECDSA", namedCurve: "P-256" },
			false,
			["sign", "verify"],
		)) as CryptoKeyPair;
		const e = await caught(deserialize("a.b.c.d.e", { keys: signing.privateKey }));
		expect((e as JweConfigError).issues[0]?.message).toContain("a signing key cannot decrypt");
	});

	it("validates the policy options", async () => {
		for (const bad of [
			{ maxTokenBytes: 10 },
			{ maxTokenBytes: 1.5 },
			{ keyManagementAlgorithms: [] },
			{ keyManagementAlgorithms: ["none"] },
			{ maxPBES2Count: 1_200_001 },
		]) {
			const e = await caught(
				deserialize("a.b.c.d.e", { keys: rsa.privateKey, ...(bad as object) }),
			);
			expect(e.code).toBe("ERR_JWE_CONFIG_INVALID");
		}
		expect((await caught(deserialize("x", null as never))).code).toBe("ERR_JWE_CONFIG_INVALID");
	});

	it("config issues carry the dotted option path as a string, and the old limit name is refused", async () => {
		const e = await caught(
			deserialize("a.b.c.d.e", {
				keys: rsa.privateKey,
				keyManagementAlgorithms: ["RSA-OAEP-256", "none"],
				maxTokenLength: 100,
			} as never),
		);
		expect((e as JweConfigError).issues).toEqual([
			{
				path: "keyManagementAlgorithms.1",
				message:
					"unknown JWE key management algorithm; expected one of RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A192KW, ECDH-ES+A256KW, A128KW, A192KW, A256KW, A128GCMKW, A192GCMKW, A256GCMKW, dir, PBES2-HS256+A128KW, PBES2-HS384+A192KW, PBES2-HS512+A256KW",
			},
			{ path: "maxTokenLength", message: "maxTokenLength was renamed to maxTokenBytes" },
		]);
		const root = await caught(deserialize("x", null as never));
		expect((root as JweConfigError).issues).toEqual([
			{ path: "", message: "expected an object with keys" },
		]);
	});

	it("malformed input is ERR_JWE_INVALID with a message that never echoes the token", async () => {
		for (const token of ["", "a.b.c", "a.b.c.d.e.f", "!!!.b.c.d.e", "bnVsbA.b.c.d.e", 42]) {
			const e = await caught(deserialize(token as never, { keys: rsa.privateKey }));
			expect(e).toBeInstanceOf(JweInvalidError);
			if (typeof token === "string" && token.length > 3) expect(e.message).not.toContain(token);
		}
	});

	it("checks the length first, against DEFAULT_MAX_TOKEN_BYTES by default", async () => {
		const e = await caught(
			deserialize("a".repeat(DEFAULT_MAX_TOKEN_BYTES + 1), { keys: rsa.privateKey }),
		);
		expect(e).toBeInstanceOf(JweTokenTooLargeError);
		expect((e as JweTokenTooLargeError).bytes).toBe(8193);
		await expect(
			deserialize("a".repeat(DEFAULT_MAX_TOKEN_BYTES), { keys: rsa.privateKey }),
		).rejects.toMatchObject({ code: "ERR_JWE_INVALID" });
	});
});
