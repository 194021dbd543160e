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
	new errors.JweConfigError("m", [{ path: ["a"], message: "b" }]),
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
			expect(JWE_ERROR_CODES[e.code].length).toBeGreaterThan(10);
		}
	});

	it("keeps cause and the extra fields", () => {
		const cause = new Error("inner");
		expect(new JweNestedVerificationFailedError({ cause }).cause).toBe(cause);
		expect(new JweConfigError("m", [], { cause }).cause).toBe(cause);
		expect(new JweAlgNotAllowedError("enc", "m").parameter).toBe("enc");
		const big = new JweTokenTooLargeError(10, 5);
		expect([big.length, big.maxTokenLength]).toEqual([10, 5]);
		expect(big.message).toBe("JWE is 10 characters long; the limit (maxTokenLength) is 5");
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
