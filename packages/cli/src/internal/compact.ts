// Decoding of compact JWS/JWE without verifying anything (for the inspector).
import { CliTokenMalformedError } from "../errors";

/** A decoded compact token. */
export type Decoded =
	| {
			kind: "jws";
			header: Record<string, unknown>;
			/** The JSON claims, when the payload is a JSON object. */
			claims: Record<string, unknown> | undefined;
			/** The payload as text when it is not a JSON object. */
			payloadText: string | undefined;
			/** Decoded signature length. */
			signatureBytes: number;
	  }
	| {
			kind: "jwe";
			header: Record<string, unknown>;
			/** Decoded lengths of the encrypted key, IV, ciphertext and tag. */
			encryptedKeyBytes: number;
			ivBytes: number;
			ciphertextBytes: number;
			tagBytes: number;
	  };

const SEGMENT = /^[A-Za-z0-9_-]*$/;

function bytes(segment: string): Uint8Array {
	return new Uint8Array(Buffer.from(segment, "base64url"));
}

function json(segment: string, what: string): Record<string, unknown> {
	let value: unknown;
	try {
		value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes(segment)));
	} catch (e) {
		throw new CliTokenMalformedError(`the ${what} is not base64url-encoded UTF-8 JSON`, {
			cause: e,
		});
	}
	if (value === null || typeof value !== "object" || Array.isArray(value))
		throw new CliTokenMalformedError(`the ${what} is not a JSON object`);
	return value as Record<string, unknown>;
}

/** Strips whitespace and a `Bearer ` prefix. */
export function cleanToken(input: string): string {
	return input.trim().replace(/^Bearer\s+/i, "");
}

/**
 * Decodes a compact JWS (3 parts) or JWE (5 parts).
 * @throws CliTokenMalformedError `ERR_CLI_TOKEN_MALFORMED`
 */
export function decodeCompact(token: string): Decoded {
	const parts = token.split(".");
	if (parts.length !== 3 && parts.length !== 5)
		throw new CliTokenMalformedError(
			`expected a compact JWS (3 parts) or JWE (5 parts), got ${parts.length} part${parts.length === 1 ? "" : "s"}`,
		);
	const bad = parts.findIndex((p) => !SEGMENT.test(p));
	if (bad !== -1)
		throw new CliTokenMalformedError(`part ${bad + 1} has characters outside base64url`);
	const header = json(parts[0]!, "header");
	if (parts.length === 5)
		return {
			kind: "jwe",
			header,
			encryptedKeyBytes: bytes(parts[1]!).byteLength,
			ivBytes: bytes(parts[2]!).byteLength,
			ciphertextBytes: bytes(parts[3]!).byteLength,
			tagBytes: bytes(parts[4]!).byteLength,
		};
	let claims: Record<string, unknown> | undefined;
	let payloadText: string | undefined;
	try {
		claims = json(parts[1]!, "payload");
	} catch {
		payloadText = new TextDecoder().decode(bytes(parts[1]!));
	}
	return { kind: "jws", header, claims, payloadText, signatureBytes: bytes(parts[2]!).byteLength };
}
