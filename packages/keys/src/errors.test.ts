import { describe, expect, it } from "vitest";
import * as errorsEntry from "./errors";
import {
	KEYS_ERROR_CODES,
	KeyRingEmptyError,
	KeysConfigError,
	KeysContentTypeError,
	KeysError,
	KeysFetchError,
	KeysFetchTimeoutError,
	KeysHttpStatusError,
	KeysJwksInvalidError,
	KeysNetworkError,
	KeysRedirectError,
	KeysResponseTooLargeError,
	KeysTlsError,
	KeysUnavailableError,
	MultipleMatchingKeysError,
	NoMatchingKeyError,
} from "./index";

describe("errors", () => {
	const all: [KeysError, string][] = [
		[new KeysConfigError("m", [{ path: ["x"], message: "m" }]), "ERR_KEYS_CONFIG_INVALID"],
		[new KeysUnavailableError("expired", "m"), "ERR_KEYS_UNAVAILABLE"],
		[new NoMatchingKeyError("unknown-kid", "m"), "ERR_KEYS_NO_MATCHING_KEY"],
		[new MultipleMatchingKeysError(2, "m"), "ERR_KEYS_MULTIPLE_MATCHING_KEYS"],
		[new KeysFetchTimeoutError(5), "ERR_KEYS_FETCH_TIMEOUT"],
		[new KeysNetworkError("ECONNREFUSED"), "ERR_KEYS_NETWORK"],
		[new KeysTlsError("DEPTH_ZERO_SELF_SIGNED_CERT"), "ERR_KEYS_TLS"],
		[new KeysHttpStatusError(500), "ERR_KEYS_HTTP_STATUS"],
		[new KeysResponseTooLargeError(10), "ERR_KEYS_RESPONSE_TOO_LARGE"],
		[new KeysContentTypeError("text/html; charset=utf-8"), "ERR_KEYS_CONTENT_TYPE"],
		[new KeysRedirectError("m"), "ERR_KEYS_REDIRECT_REFUSED"],
		[new KeysJwksInvalidError("m"), "ERR_KEYS_JWKS_INVALID"],
		[new KeyRingEmptyError("m"), "ERR_KEYS_RING_EMPTY"],
	];

	it("every class has its literal code, its own name, and extends KeysError", () => {
		for (const [e, code] of all) {
			expect(e).toBeInstanceOf(KeysError);
			expect(e).toBeInstanceOf(Error);
			expect(e.code).toBe(code);
			expect(e.name).toBe(e.constructor.name);
			expect(KEYS_ERROR_CODES[e.code]).toBeTypeOf("string");
		}
	});

	it("the registry lists exactly the codes the classes use", () => {
		expect(Object.keys(KEYS_ERROR_CODES).sort()).toEqual(all.map(([, c]) => c).sort());
	});

	it("the /errors entry exports the same classes", () => {
		expect(errorsEntry.KeysError).toBe(KeysError);
		expect(errorsEntry.KEYS_ERROR_CODES).toBe(KEYS_ERROR_CODES);
	});

	it("fetch errors say whether they are retryable", () => {
		expect(new KeysHttpStatusError(503).retryable).toBe(true);
		expect(new KeysHttpStatusError(429).retryable).toBe(true);
		expect(new KeysHttpStatusError(408).retryable).toBe(true);
		expect(new KeysHttpStatusError(404).retryable).toBe(false);
		expect(new KeysFetchTimeoutError(1).retryable).toBe(true);
		expect(new KeysNetworkError(undefined).retryable).toBe(true);
		expect(new KeysTlsError("X").retryable).toBe(false);
		expect(new KeysJwksInvalidError("m").retryable).toBe(false);
		expect(new KeysHttpStatusError(500)).toBeInstanceOf(KeysFetchError);
	});

	it("keeps the cause", () => {
		const cause = new Error("inner");
		expect(new KeysUnavailableError("fetch-failed", "m", { cause }).cause).toBe(cause);
		expect(new KeysNetworkError("E", { cause }).cause).toBe(cause);
		expect(new KeysContentTypeError("x".repeat(500)).contentType).toHaveLength(100);
	});
});
