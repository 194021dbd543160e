import type { DeserializeResult } from "../deserialize";
import { JweNestedInvalidError, JweNestedVerificationFailedError } from "../errors";
import type { NestedVerifier } from "../nested";
import { parseHeader } from "./compact";

/** True for `JWT`, `application/jwt`, `xshl-session+jwt`, `application/at+jwt`... in any case. */
export function isJwtType(value: unknown): boolean {
	if (typeof value !== "string") return false;
	const t = value.toLowerCase().replace(/^application\//, "");
	return t === "jwt" || (t.endsWith("+jwt") && t.length > 4);
}

/** Reads a compact JWS's protected header and checks it is a signed JWT, never a JWE. */
export function innerHeader(jws: string, allowed: ReadonlySet<string>): Record<string, unknown> {
	const parts = jws.split(".");
	if (parts.length !== 3 || parts[2] === "") {
		throw new JweNestedInvalidError(
			parts.length === 5
				? "the plaintext is another JWE, not a signed JWS; it is never decrypted again"
				: "the plaintext is not a signed compact JWS (three parts with a signature)",
		);
	}
	let header: Record<string, unknown>;
	try {
		header = parseHeader(parts[0]!, "JWS");
	} catch (cause) {
		throw new JweNestedInvalidError("the inner JWS header is not base64url JSON", { cause });
	}
	if (typeof header.alg !== "string" || !allowed.has(header.alg)) {
		throw new JweNestedInvalidError(
			`the inner JWS "alg" is not allowed; allowed: ${[...allowed].join(", ")}`,
		);
	}
	if (!isJwtType(header.typ)) {
		throw new JweNestedInvalidError(
			'the inner JWS has no JWT "typ" (JWT, application/jwt or *+jwt are expected)',
		);
	}
	return header;
}

/** The nested checks after decryption: cty, a signed JWS with an allowed alg and JWT typ, then verify. */
export async function verifyDecrypted<T>(
	result: DeserializeResult,
	verify: NestedVerifier<T>,
	allowed: ReadonlySet<string>,
): Promise<T> {
	const { cty } = result.protectedHeader;
	if (typeof cty !== "string" || cty.toUpperCase() !== "JWT") {
		throw new JweNestedInvalidError('the JWE has no cty "JWT"; its plaintext is not a nested JWT');
	}
	let jws: string;
	try {
		jws = result.text();
	} catch (cause) {
		throw new JweNestedInvalidError("the plaintext is not text", { cause });
	}
	const jwsHeader = innerHeader(jws, allowed);
	try {
		return await verify(jws, { protectedHeader: result.protectedHeader, jwsHeader });
	} catch (cause) {
		throw new JweNestedVerificationFailedError({ cause });
	}
}
