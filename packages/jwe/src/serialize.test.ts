import { compactDecrypt } from "jose";
import { describe, expect, it } from "vitest";
import { encPair, keySetOf } from "../test/keys";
import {
	JweAlgNotAllowedError,
	JweConfigError,
	JweEncryptionFailedError,
	JweHeaderInvalidError,
	JweNoMatchingKeyError,
	JwePayloadInvalidError,
	JweTokenTooLargeError,
	JweZipRefusedError,
} from "./errors";
import { encodePayload, serialize } from "./serialize";

const rsa = await encPair("RSA-OAEP-256", "rsa-1");
const ec = await encPair("ECDH-ES+A256KW", "ec-1");
const keys = keySetOf(rsa, ec);
const header = { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" };

async function expectReject(p: Promise<unknown>, cls: new (...a: never[]) => Error, code: string) {
	const e = await p.then(
		() => undefined,
		(err: unknown) => err,
	);
	expect(e).toBeInstanceOf(cls);
	expect((e as { code: string }).code).toBe(code);
	return e as Error;
}

describe("serialize", () => {
	it("encrypts to the key set's recipient by kid, asking use: enc and the alg", async () => {
		const token = await serialize("hello", header, { keys });
		expect(keys.queries.at(-1)).toEqual({ kid: "rsa-1", use: "enc", alg: "RSA-OAEP-256" });
		const { plaintext, protectedHeader } = await compactDecrypt(token, rsa.privateKey);
		expect(new TextDecoder().decode(plaintext)).toBe("hello");
		expect(protectedHeader).toEqual(header);
	});

	it("encodes strings as UTF-8, bytes as is, other values as JSON", () => {
		expect([...encodePayload("é")]).toEqual([0xc3, 0xa9]);
		expect([...encodePayload(Uint8Array.of(1, 2))]).toEqual([1, 2]);
		expect(new TextDecoder().decode(encodePayload({ a: [1, null] }))).toBe('{"a":[1,null]}');
		expect(new TextDecoder().decode(encodePayload(42))).toBe("42");
	});

	it("refuses payloads without a JSON form", async () => {
		await expectReject(
			serialize(undefined as never, header, { keys }),
			JwePayloadInvalidError,
			"ERR_JWE_PAYLOAD_INVALID",
		);
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		await expectReject(
			serialize(circular as never, header, { keys }),
			JwePayloadInvalidError,
			"ERR_JWE_PAYLOAD_INVALID",
		);
		await expectReject(
			serialize({ n: 1n } as never, header, { keys }),
			JwePayloadInvalidError,
			"ERR_JWE_PAYLOAD_INVALID",
		);
	});

	it.each(["alg", "enc", "kid"])("requires %s in the header", async (name) => {
		const h: Record<string, unknown> = { ...header };
		delete h[name];
		const e = await expectReject(
			serialize("x", h as never, { keys }),
			JweHeaderInvalidError,
			"ERR_JWE_HEADER_INVALID",
		);
		expect(e.message).toBe(`the protected header must name "${name}" (a non-empty string)`);
	});

	it("a missing recipient key is a typed error with the key set's error as cause", async () => {
		const e = await expectReject(
			serialize("x", { ...header, kid: "nope" }, { keys }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
		expect((e.cause as { code: string }).code).toBe("ERR_KEYS_NO_MATCHING_KEY");
	});

	it("a key set that resolves to nothing is ERR_JWE_NO_MATCHING_KEY", async () => {
		await expectReject(
			serialize("x", header, { keys: { getKey: async () => undefined as never } }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
	});

	it("refuses zip in the header", async () => {
		await expectReject(
			serialize("x", { ...header, zip: "DEF" }, { keys }),
			JweZipRefusedError,
			"ERR_JWE_ZIP_REFUSED",
		);
	});

	it("refuses algorithms outside the allowlists, and RSA1_5 always", async () => {
		await expectReject(
			serialize("x", { ...header, enc: "A128CBC-HS256" }, { keys }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		await expectReject(
			serialize("x", { ...header, alg: "RSA1_5" }, { keys }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		await expectReject(
			serialize("x", header, { keys, keyManagementAlgorithms: ["RSA1_5" as never] }),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
	});

	it("wraps jose's refusal of a wrong key type", async () => {
		const wrong = { getKey: async () => ec.publicKey };
		const e = await expectReject(
			serialize("x", header, { keys: wrong }),
			JweEncryptionFailedError,
			"ERR_JWE_ENCRYPTION_FAILED",
		);
		expect(e.cause).toBeInstanceOf(TypeError);
	});

	it("never produces a token longer than maxTokenBytes", async () => {
		const e = await expectReject(
			serialize("x".repeat(5000), header, { keys, maxTokenBytes: 4096 }),
			JweTokenTooLargeError,
			"ERR_JWE_TOKEN_TOO_LARGE",
		);
		expect((e as JweTokenTooLargeError).maxTokenBytes).toBe(4096);
	});

	it("validates options: exactly one of keys/key, sane limits", async () => {
		for (const options of [
			{},
			{ keys, key: rsa.publicKey },
			{ keys: {} },
			{ keys, maxTokenBytes: 0 },
			{ keys, contentEncryptionAlgorithms: [] },
			{ keys, contentEncryptionAlgorithms: ["A256GCM", "nope"] },
		]) {
			await expectReject(
				serialize("x", header, options as never),
				JweConfigError,
				"ERR_JWE_CONFIG_INVALID",
			);
		}
		await expectReject(
			serialize("x", header, null as never),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
	});

	it("accepts a fixed recipient key instead of a key set (kid then optional)", async () => {
		const token = await serialize("fixed", { alg: "ECDH-ES+A256KW", enc: "A256GCM" } as never, {
			key: ec.publicKey,
		});
		const { plaintext } = await compactDecrypt(token, ec.privateKey);
		expect(new TextDecoder().decode(plaintext)).toBe("fixed");
	});
});
