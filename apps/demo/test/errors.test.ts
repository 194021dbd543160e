import { describe, expect, it } from "vitest";
import { DEMO_ERROR_CODES, HttpError, mapError } from "../src/errors.js";

const coded = (code: string, message = "m") => Object.assign(new Error(message), { code });

describe("mapError", () => {
	it("maps package codes to 400/401/503/500", () => {
		const cases: [string, number, string][] = [
			["ERR_SESSION_EXPIRED", 401, "ERR_SESSION_EXPIRED"],
			["ERR_SESSION_SIGNATURE_INVALID", 401, "ERR_SESSION_SIGNATURE_INVALID"],
			["ERR_STORE_REFRESH_REUSED", 401, "ERR_STORE_REFRESH_REUSED"],
			["ERR_STORE_TRACE_MISMATCH", 401, "ERR_STORE_TRACE_MISMATCH"],
			["ERR_JWE_DECRYPTION_FAILED", 401, "ERR_JWE_DECRYPTION_FAILED"],
			["ERR_STORE_UNAVAILABLE", 503, "ERR_STORE_UNAVAILABLE"],
			["ERR_SESSION_KEYS_UNAVAILABLE", 503, "ERR_SESSION_KEYS_UNAVAILABLE"],
			["ERR_KEYS_FETCH_TIMEOUT", 503, "ERR_KEYS_FETCH_TIMEOUT"],
			["ERR_STORE_INPUT_INVALID", 400, "ERR_DEMO_BAD_REQUEST"],
			["ERR_KEYS_RING_EMPTY", 500, "ERR_DEMO_INTERNAL"],
			["ERR_SESSION_CONFIG_INVALID", 500, "ERR_DEMO_INTERNAL"],
			["ERR_SOMETHING_ELSE", 500, "ERR_DEMO_INTERNAL"],
		];
		for (const [code, status, out] of cases) {
			const m = mapError(coded(code));
			expect([m.statusCode, m.code], code).toEqual([status, out]);
		}
		expect(mapError(coded("ERR_STORE_UNAVAILABLE")).headers).toEqual({ "retry-after": "1" });
		expect(mapError(coded("ERR_REAUTH_REQUIRED")).headers["www-authenticate"]).toBe(
			'Bearer realm="xshl-demo", error="insufficient_user_authentication", error_description="m"',
		);
	});
	it("never leaks unknown errors", () => {
		expect(mapError(new TypeError("secret internals"))).toEqual({
			statusCode: 500,
			code: "ERR_DEMO_INTERNAL",
			message: "Internal error",
			headers: {},
		});
		expect(mapError("a string")).toMatchObject({ statusCode: 500 });
		expect(mapError(null)).toMatchObject({ statusCode: 500 });
	});
	it("keeps HttpError status and strips quotes from WWW-Authenticate", () => {
		const m = mapError(
			new HttpError(401, "ERR_DEMO_TOKEN_MISSING", 'say "hi"\r\n', "invalid_request"),
		);
		expect(m.headers["www-authenticate"]).toBe(
			'Bearer realm="xshl-demo", error="invalid_request", error_description="say hi"',
		);
		expect(Object.keys(DEMO_ERROR_CODES)).toContain("ERR_DEMO_CSRF");
	});
});
