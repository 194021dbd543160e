import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errorsEntry from "./errors";
import {
	KEYS_ERROR_CODES,
	KeyRingEmptyError,
	KeyRingRotationTooSoonError,
	KeysConfigError,
	KeysContentTypeError,
	KeysError,
	KeysFeedInvalidError,
	KeysFeedRollbackError,
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
	const all: [KeysError, string, number][] = [
		[new KeysConfigError("m", [{ path: "x", message: "m" }]), "ERR_KEYS_CONFIG_INVALID", 500],
		[new KeysUnavailableError("expired", "m"), "ERR_KEYS_UNAVAILABLE", 503],
		[new NoMatchingKeyError("unknown-kid", "m"), "ERR_KEYS_NO_MATCHING_KEY", 401],
		[new MultipleMatchingKeysError(2, "m"), "ERR_KEYS_MULTIPLE_MATCHING_KEYS", 401],
		[new KeysFetchTimeoutError(5), "ERR_KEYS_FETCH_TIMEOUT", 503],
		[new KeysNetworkError("ECONNREFUSED"), "ERR_KEYS_NETWORK", 503],
		[new KeysTlsError("DEPTH_ZERO_SELF_SIGNED_CERT"), "ERR_KEYS_TLS", 503],
		[new KeysHttpStatusError(500), "ERR_KEYS_HTTP_STATUS", 503],
		[new KeysResponseTooLargeError(10), "ERR_KEYS_RESPONSE_TOO_LARGE", 503],
		[new KeysContentTypeError("text/html; charset=utf-8"), "ERR_KEYS_CONTENT_TYPE", 503],
		[new KeysRedirectError("m"), "ERR_KEYS_REDIRECT_REFUSED", 503],
		[new KeysJwksInvalidError("m"), "ERR_KEYS_JWKS_INVALID", 503],
		[new KeyRingEmptyError("m"), "ERR_KEYS_RING_EMPTY", 500],
		[new KeyRingRotationTooSoonError(5, "m"), "ERR_KEYS_ROTATION_TOO_SOON", 409],
		[new KeysFeedInvalidError("m"), "ERR_KEYS_FEED_INVALID", 503],
		[new KeysFeedRollbackError(7, 6), "ERR_KEYS_FEED_ROLLBACK", 503],
	];

	it("every class has its literal code, the registry's status, its own name, and extends KeysError", () => {
		for (const [e, code, status] of all) {
			expect(e).toBeInstanceOf(KeysError);
			expect(e).toBeInstanceOf(Error);
			expect(e.code).toBe(code);
			expect((e.constructor as typeof KeysError).code).toBe(code);
			expect(e.status).toBe(status);
			expect(e.status).toBe(KEYS_ERROR_CODES[e.code].status);
			expect(e.name).toBe(e.constructor.name);
			expect(KEYS_ERROR_CODES[e.code].meaning).toMatch(/^[A-Z].+\.$/);
		}
	});

	it("the registry lists exactly the codes the classes use", () => {
		expect(Object.keys(KEYS_ERROR_CODES).sort()).toEqual(all.map(([, c]) => c).sort());
	});

	it("the /errors entry exports the same classes", () => {
		expect(errorsEntry.KeysError).toBe(KeysError);
		expect(errorsEntry.KEYS_ERROR_CODES).toBe(KEYS_ERROR_CODES);
	});

	it("fetch errors say whether they are retryable and keep the received status apart from `status`", () => {
		expect(new KeysHttpStatusError(503).retryable).toBe(true);
		expect(new KeysHttpStatusError(429).retryable).toBe(true);
		expect(new KeysHttpStatusError(408).retryable).toBe(true);
		expect(new KeysHttpStatusError(404).retryable).toBe(false);
		expect(new KeysHttpStatusError(404).responseStatus).toBe(404);
		expect(new KeysHttpStatusError(404).status).toBe(503);
		expect(new KeysHttpStatusError(429, 1000).retryAfterMs).toBe(1000);
		expect(new KeysFetchTimeoutError(1).retryable).toBe(true);
		expect(new KeysFetchTimeoutError(7).timeoutMs).toBe(7);
		expect(new KeysNetworkError(undefined).retryable).toBe(true);
		expect(new KeysTlsError("X").retryable).toBe(false);
		expect(new KeysJwksInvalidError("m").retryable).toBe(false);
		expect(new KeysResponseTooLargeError(10).maxResponseBytes).toBe(10);
		expect(new KeysHttpStatusError(500)).toBeInstanceOf(KeysFetchError);
	});

	it("keeps the cause and the fields", () => {
		const cause = new Error("inner");
		expect(new KeysUnavailableError("fetch-failed", "m", { cause }).cause).toBe(cause);
		expect(new KeysUnavailableError("fetch-failed", "m").reason).toBe("fetch-failed");
		expect(new KeysNetworkError("E", { cause }).cause).toBe(cause);
		expect(new KeysNetworkError("E").causeCode).toBe("E");
		expect(new MultipleMatchingKeysError(3, "m").count).toBe(3);
		expect(new KeysConfigError("m").issues).toEqual([]);
		expect(new KeysContentTypeError("x".repeat(500)).contentType).toHaveLength(100);
		expect("cause" in new KeysRedirectError("m")).toBe(false);
	});

	it("the README error table is the registry, row for row", () => {
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const table = readme.split("<!-- errors:start -->")[1]?.split("<!-- errors:end -->")[0];
		const rows = (table ?? "")
			.split("\n")
			.filter((l) => l.startsWith("| `"))
			.map((l) => l.split("|").map((c) => c.trim()));
		expect(rows.map((r) => [r[1]?.replaceAll("`", ""), Number(r[2]), r[3]])).toEqual(
			Object.entries(KEYS_ERROR_CODES).map(([code, { status, meaning }]) => [
				code,
				status,
				meaning,
			]),
		);
	});
});
