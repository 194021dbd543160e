import { JWE_ERROR_CODES } from "@xshl/jwe/errors";
import { KEYS_ERROR_CODES, KeyRingRotationTooSoonError } from "@xshl/keys/errors";
import { SESSION_ERROR_CODES, SessionExpiredError } from "@xshl/session-core/errors";
import { STORE_ERROR_CODES } from "@xshl/session-store/errors";
import { describe, expect, it } from "vitest";
import { DEMO_ERROR_CODES, HttpError, mapError } from "../src/errors.js";

const REGISTRY: Record<string, { status: number }> = {
	...JWE_ERROR_CODES,
	...KEYS_ERROR_CODES,
	...SESSION_ERROR_CODES,
	...STORE_ERROR_CODES,
};
/** A package error as each package builds it: its code and the status its registry gives. */
const coded = (code: string, message = "m") =>
	Object.assign(new Error(message), { code, status: REGISTRY[code]?.status });

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
		const reauth = new HttpError(
			401,
			"ERR_REAUTH_REQUIRED",
			"m",
			"insufficient_user_authentication",
		);
		expect(mapError(reauth).headers["www-authenticate"]).toBe(
			'Bearer realm="xshl-demo", error="insufficient_user_authentication", error_description="m"',
		);
	});
	it("answers the status a real package error carries, never a guess from its code's prefix", () => {
		const expired = mapError(new SessionExpiredError("token expired"));
		expect([expired.statusCode, expired.code]).toEqual([401, "ERR_SESSION_EXPIRED"]);
		const tooSoon = mapError(new KeyRingRotationTooSoonError(0, "wait"));
		expect([tooSoon.statusCode, tooSoon.code]).toEqual([409, "ERR_KEYS_ROTATION_TOO_SOON"]);
		// a code alone (no status) is not trusted: it could be anything
		const bare = mapError(Object.assign(new Error("m"), { code: "ERR_SESSION_EXPIRED" }));
		expect([bare.statusCode, bare.code]).toEqual([500, "ERR_DEMO_INTERNAL"]);
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
