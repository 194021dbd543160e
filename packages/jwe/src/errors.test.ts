import { describe, expect, it } from "vitest";
import * as errors from "./errors";
import {
	DECRYPTION_FAILED_MESSAGE,
	JWE_ERROR_CODES,
	JweAlgNotAllowedError,
	JweConfigError,
	JweDecryptionFailedError,
	JweError,
	JweInvalidError,
	JweNestedVerificationFailedError,
	JweTokenTooLargeError,
} from "./errors";

const instances: JweError[] = [
	new errors.JweConfigError("m", [{ path: "a", message: "b" }]),
	new errors.JweHeaderInvalidError("m"),
	new errors.JwePayloadInvalidError("m"),
	new errors.JweNoMatchingKeyError("m"),
	new errors.JweEncryptionFailedError("m"),
	new errors.JweTokenTooLargeError(10, 5),
	new errors.JweInvalidError("m"),
	new errors.JweAlgNotAllowedError("enc", "m"),
	new errors.JweZipRefusedError("m"),
	new errors.JweNotSupportedError("m"),
	new errors.JweDecryptionFailedError(),
	new errors.JweNestedInvalidError("m"),
	new errors.JweNestedVerificationFailedError(),
];

describe("errors", () => {
	it("one class per registry code, each a JweError named after its class", () => {
		expect(instances.map((e) => e.code).sort()).toEqual(Object.keys(JWE_ERROR_CODES).sort());
		for (const e of instances) {
			expect(e).toBeInstanceOf(JweError);
			expect(e).toBeInstanceOf(Error);
			expect(e.name).toBe(e.constructor.name);
			expect(e.code).toBe((e.constructor as typeof JweError).code);
			expect(e.status).toBe(JWE_ERROR_CODES[e.code].status);
			expect(JWE_ERROR_CODES[e.code].meaning).toMatch(/^[A-Za-z].{20,}\.$/);
		}
	});

	it("the HTTP status of every code", () => {
		expect(instances.map((e) => [e.code, e.status])).toEqual([
			["ERR_JWE_CONFIG_INVALID", 500],
			["ERR_JWE_HEADER_INVALID", 500],
			["ERR_JWE_PAYLOAD_INVALID", 400],
			["ERR_JWE_NO_MATCHING_KEY", 401],
			["ERR_JWE_ENCRYPTION_FAILED", 500],
			["ERR_JWE_TOKEN_TOO_LARGE", 401],
			["ERR_JWE_INVALID", 401],
			["ERR_JWE_ALG_NOT_ALLOWED", 401],
			["ERR_JWE_ZIP_REFUSED", 401],
			["ERR_JWE_NOT_SUPPORTED", 401],
			["ERR_JWE_DECRYPTION_FAILED", 401],
			["ERR_JWE_NESTED_INVALID", 401],
			["ERR_JWE_NESTED_VERIFICATION_FAILED", 401],
		]);
	});

	it("keeps cause and the extra fields", () => {
		const cause = new Error("inner");
		expect(new JweNestedVerificationFailedError({ cause }).cause).toBe(cause);
		expect(new JweConfigError("m", [], { cause }).cause).toBe(cause);
		expect(new JweAlgNotAllowedError("enc", "m").parameter).toBe("enc");
		const big = new JweTokenTooLargeError(10, 5);
		expect([big.bytes, big.maxTokenBytes]).toEqual([10, 5]);
		expect(big.message).toBe("JWE is 10 bytes long; the limit (maxTokenBytes) is 5");
		expect("cause" in new JweInvalidError("m")).toBe(false);
	});

	it("the decryption error is always the same, without a cause", () => {
		const a = new JweDecryptionFailedError();
		const b = new JweDecryptionFailedError();
		expect(a.message).toBe(DECRYPTION_FAILED_MESSAGE);
		expect(b.message).toBe(a.message);
		expect("cause" in a).toBe(false);
	});
});
