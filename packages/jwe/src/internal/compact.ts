import { errors } from "jose";
import {
	JweAlgNotAllowedError,
	JweInvalidError,
	JweTokenTooLargeError,
	JweZipRefusedError,
} from "../errors";
import type { Policy } from "./policy";

const decoder = new TextDecoder("utf-8", { fatal: true });
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url (no padding, no other characters) to bytes. */
export function decodeBase64url(input: string): Uint8Array {
	if (!B64URL.test(input) || input.length % 4 === 1) throw new TypeError("not base64url");
	const b64 = input.replaceAll("-", "+").replaceAll("_", "/");
	const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}

/** Parses a base64url JSON object header; throws our typed error on anything else. */
export function parseHeader(segment: string, what: string): Record<string, unknown> {
	let value: unknown;
	try {
		value = JSON.parse(decoder.decode(decodeBase64url(segment)));
	} catch (cause) {
		throw new JweInvalidError(`${what} protected header is not base64url-encoded JSON`, { cause });
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		throw new JweInvalidError(`${what} protected header is not a JSON object`);
	}
	return value as Record<string, unknown>;
}

/**
 * The checks that happen before any key is touched, in this order: type, length (before any
 * split or decode), five parts, header JSON, `zip`, `alg`/`enc` against the allowlists.
 */
export function precheck(token: unknown, policy: Policy): Record<string, unknown> {
	if (typeof token !== "string") {
		throw new JweInvalidError("a compact JWE must be a string");
	}
	if (token.length > policy.maxTokenBytes) {
		throw new JweTokenTooLargeError(token.length, policy.maxTokenBytes);
	}
	const dot = token.indexOf(".");
	let parts = 1;
	for (let i = dot; i !== -1; i = token.indexOf(".", i + 1)) parts++;
	if (parts !== 5) {
		throw new JweInvalidError(
			`expected a compact JWE (5 dot-separated parts), got ${parts} part${parts === 1 ? "" : "s"}`,
		);
	}
	const header = parseHeader(token.slice(0, dot), "JWE");
	if (Object.hasOwn(header, "zip")) {
		throw new JweZipRefusedError('compressed JWE ("zip") is always refused', {
			cause: new errors.JOSENotSupported(
				'JWE "zip" (Compression Algorithm) Header Parameter is not supported.',
			),
		});
	}
	const { alg, enc } = header;
	if (typeof alg !== "string" || alg === "") {
		throw new JweInvalidError('JWE protected header lacks "alg"');
	}
	if (!policy.algSet.has(alg)) {
		throw new JweAlgNotAllowedError(
			"alg",
			`JWE "alg" is not allowed; allowed: ${policy.keyManagementAlgorithms.join(", ")}`,
			{
				cause: new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed'),
			},
		);
	}
	if (typeof enc !== "string" || enc === "") {
		throw new JweInvalidError('JWE protected header lacks "enc"');
	}
	if (!policy.encSet.has(enc)) {
		throw new JweAlgNotAllowedError(
			"enc",
			`JWE "enc" is not allowed; allowed: ${policy.contentEncryptionAlgorithms.join(", ")}`,
			{
				cause: new errors.JOSEAlgNotAllowed(
					'"enc" (Encryption Algorithm) Header Parameter value not allowed',
				),
			},
		);
	}
	return header;
}
