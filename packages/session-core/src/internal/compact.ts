import { errors } from "jose";
import { SessionTokenMalformedError, SessionTokenTooLargeError } from "../errors";

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function malformed(message: string): SessionTokenMalformedError {
	return new SessionTokenMalformedError(message, { cause: new errors.JWSInvalid(message) });
}

/**
 * The gate before any decoding (catalog FMT-01..05): a string of at most `maxTokenBytes`
 * characters, exactly three base64url segments (no padding, `+`, `/`, spaces or newlines),
 * non-empty header and payload, and no UTF-8 byte order mark at the start of the header or
 * payload (`77u_` is its base64url form; catalog CLM-13).
 */
export function checkCompact(token: unknown, maxTokenBytes: number): asserts token is string {
	if (typeof token !== "string") throw malformed("the token must be a string");
	if (token.length > maxTokenBytes) {
		throw new SessionTokenTooLargeError(
			`the token is ${token.length} bytes, more than the ${maxTokenBytes} allowed`,
		);
	}
	if (!COMPACT.test(token)) {
		throw malformed("the token must be a compact JWS: three base64url parts separated by dots");
	}
	if (token.startsWith("77u_") || token.includes(".77u_")) {
		throw new SessionTokenMalformedError(
			"the token's header or claims start with a byte order mark",
			{
				cause: new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object"),
			},
		);
	}
}
