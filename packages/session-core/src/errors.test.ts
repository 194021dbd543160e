import { describe, expect, it } from "vitest";
import * as errors from "./errors";
import { SESSION_ERROR_CODES, SessionConfigError, SessionError, SessionTokenError } from "./errors";

const classes = Object.values(errors).filter(
	(value): value is typeof SessionError =>
		typeof value === "function" &&
		value.prototype instanceof SessionError &&
		value !== SessionTokenError,
);

describe("errors", () => {
	it("one class per registry code; code, status and name come from the class and the registry", () => {
		expect(classes.map((c) => c.code).sort()).toEqual(Object.keys(SESSION_ERROR_CODES).sort());
		for (const Class of classes) {
			const cause = new Error("inner");
			const e =
				Class === SessionConfigError
					? new SessionConfigError("m", [{ path: "a.b", message: "c" }], { cause })
					: new (Class as unknown as new (m: string, o: object) => SessionError)("m", {
							cause,
							claim: "exp",
						});
			expect(e).toBeInstanceOf(SessionError);
			expect(e.name).toBe(Class.name);
			expect(e.code).toBe(Class.code);
			expect(e.status).toBe(SESSION_ERROR_CODES[Class.code].status);
			expect(e.message).toBe("m");
			expect(e.cause).toBe(cause);
		}
	});

	it("token rejections are SessionTokenErrors answering 401, or 503 when keys are unavailable", () => {
		const statuses = Object.fromEntries(
			classes.map((c) => [
				c.code,
				[c.prototype instanceof SessionTokenError, SESSION_ERROR_CODES[c.code].status],
			]),
		);
		expect(statuses).toEqual({
			ERR_SESSION_CONFIG_INVALID: [false, 500],
			ERR_SESSION_KEY_INVALID: [false, 500],
			ERR_SESSION_VALUE_INVALID: [false, 400],
			ERR_SESSION_AUDIENCE_NOT_ALLOWED: [false, 400],
			ERR_SESSION_CLAIM_NOT_JSON: [false, 400],
			ERR_SESSION_SIGN_FAILED: [false, 500],
			ERR_SESSION_TOKEN_TOO_LARGE: [true, 401],
			ERR_SESSION_TOKEN_MALFORMED: [true, 401],
			ERR_SESSION_HEADER_UNSUPPORTED: [true, 401],
			ERR_SESSION_ALG_NOT_ALLOWED: [true, 401],
			ERR_SESSION_KEY_UNKNOWN: [true, 401],
			ERR_SESSION_KEYS_UNAVAILABLE: [true, 503],
			ERR_SESSION_SIGNATURE_INVALID: [true, 401],
			ERR_SESSION_TYPE_INVALID: [true, 401],
			ERR_SESSION_EXPIRED: [true, 401],
			ERR_SESSION_NOT_YET_VALID: [true, 401],
			ERR_SESSION_ISSUED_IN_FUTURE: [true, 401],
			ERR_SESSION_CLAIM_MISSING: [true, 401],
			ERR_SESSION_CLAIM_INVALID: [true, 401],
			ERR_SESSION_AUDIENCE_INVALID: [true, 401],
			ERR_SESSION_ISSUER_INVALID: [true, 401],
			ERR_SESSION_VERSION_MISMATCH: [true, 401],
			ERR_SESSION_SID_MISMATCH: [true, 401],
			ERR_SESSION_TRACE_MISMATCH: [true, 401],
			ERR_SESSION_REVOKED: [true, 401],
		});
	});

	it("keeps claim and issues; no cause when none is given", () => {
		const e = new errors.SessionClaimInvalidError("m", { claim: "_scope" });
		expect([e.claim, "cause" in e]).toEqual(["_scope", false]);
		const config = new SessionConfigError("m", [{ path: "", message: "x" }]);
		expect(config.issues).toEqual([{ path: "", message: "x" }]);
		expect(config.claim).toBeUndefined();
	});
});
