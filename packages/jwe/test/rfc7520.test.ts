/**
 * RFC 7520 "JOSE Cookbook" JWE examples (ietf-jose/cookbook@13692b6), read from
 * `../shared/vectors/rfc7520` (never copied). Catalog JWE-12.
 * @see issue 6
 */
import { describe, expect, it, vi } from "vitest";
import {
	CONTENT_ENCRYPTION_ALGORITHMS,
	type DeserializeOptions,
	deserialize,
	JweAlgNotAllowedError,
	JweConfigError,
	JweZipRefusedError,
	KEY_MANAGEMENT_ALGORITHMS,
} from "../src/index";
import { readVector, rejects } from "./helpers";

interface Cookbook {
	input: {
		plaintext: string;
		key?: Record<string, unknown>;
		pwd?: string;
		alg: string;
		enc: string;
	};
	output: { compact: string };
}
const load = (name: string): Cookbook => readVector<Cookbook>(`rfc7520/jwe/${name}.json`);

const positive = [
	["5.2 RSA-OAEP + A256GCM", "5_2.key_encryption_using_rsa-oaep_with_aes-gcm"],
	[
		"5.4 ECDH-ES+A128KW + A128GCM",
		"5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm",
	],
	["5.6 dir + A128GCM", "5_6.direct_encryption_using_aes-gcm"],
] as const;

describe("RFC 7520 positive controls (JWE-12)", () => {
	it.each(positive)(
		"%s decrypts to the exact plaintext when its alg/enc are allowed",
		async (_, file) => {
			const v = load(file);
			const result = await deserialize(v.output.compact, {
				keys: v.input.key!,
				keyManagementAlgorithms: [v.input.alg as never],
				contentEncryptionAlgorithms: [v.input.enc as never],
			});
			expect(result.text()).toBe(v.input.plaintext);
			expect(result.protectedHeader.alg).toBe(v.input.alg);
			expect(result.protectedHeader.enc).toBe(v.input.enc);
		},
	);

	it.each(positive)(
		"%s is refused by the default policy (alg or enc outside it)",
		async (_, file) => {
			const v = load(file);
			const decrypt = vi.spyOn(crypto.subtle, "decrypt");
			const e = await rejects(
				deserialize(v.output.compact, { keys: v.input.key! }),
				JweAlgNotAllowedError,
				"ERR_JWE_ALG_NOT_ALLOWED",
			);
			expect((e.cause as { code: string }).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
			expect(decrypt).not.toHaveBeenCalled();
		},
	);
});

describe("RFC 7520 must-reject inputs (JWE-12)", () => {
	it("5.1 RSA1_5 is refused by default, before any RSA operation", async () => {
		const v = load("5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2");
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		const e = await rejects(
			deserialize(v.output.compact, { keys: v.input.key! }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect((e as JweAlgNotAllowedError).parameter).toBe("alg");
		expect((e.cause as { code: string }).code).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
		expect(decrypt).not.toHaveBeenCalled();
	});

	it("5.1 RSA1_5 is refused even with every allowable algorithm listed", async () => {
		const v = load("5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2");
		await rejects(
			deserialize(v.output.compact, {
				keys: v.input.key!,
				keyManagementAlgorithms: KEY_MANAGEMENT_ALGORITHMS,
				contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
			}),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
	});

	it("RSA1_5 cannot be put in the allowlist (config error)", async () => {
		const v = load("5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2");
		const e = await rejects(
			deserialize(v.output.compact, {
				keys: v.input.key!,
				keyManagementAlgorithms: ["RSA1_5" as never],
			}),
			JweConfigError,
			"ERR_JWE_CONFIG_INVALID",
		);
		expect((e as JweConfigError).issues[0]?.path).toBe("keyManagementAlgorithms.0");
		expect(e.message).toContain("RSA1_5 cannot be allowed");
	});

	it("5.3 PBES2 is refused by default, before any PBKDF2 run", async () => {
		const v = load("5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2");
		const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
		await rejects(
			deserialize(v.output.compact, { keys: new TextEncoder().encode(v.input.pwd!) }),
			JweAlgNotAllowedError,
			"ERR_JWE_ALG_NOT_ALLOWED",
		);
		expect(deriveBits).not.toHaveBeenCalled();
	});

	it("5.3 PBES2 decrypts only when explicitly allowed (and its p2c is under the cap)", async () => {
		const v = load("5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2");
		const options: DeserializeOptions = {
			keys: new TextEncoder().encode(v.input.pwd!),
			keyManagementAlgorithms: ["PBES2-HS512+A256KW"],
			contentEncryptionAlgorithms: ["A128CBC-HS256"],
		};
		expect((await deserialize(v.output.compact, options)).text()).toBe(v.input.plaintext);
	});

	it("5.9 zip is refused by default and with its alg/enc allowed, before decryption", async () => {
		const v = load("5_9.compressed_content");
		const decrypt = vi.spyOn(crypto.subtle, "decrypt");
		for (const options of [
			{ keys: v.input.key! },
			{
				keys: v.input.key!,
				keyManagementAlgorithms: ["A128KW" as const],
				contentEncryptionAlgorithms: ["A128GCM" as const],
			},
		]) {
			const e = await rejects(
				deserialize(v.output.compact, options),
				JweZipRefusedError,
				"ERR_JWE_ZIP_REFUSED",
			);
			expect((e.cause as { code: string }).code).toBe("ERR_JOSE_NOT_SUPPORTED");
		}
		expect(decrypt).not.toHaveBeenCalled();
	});
});
