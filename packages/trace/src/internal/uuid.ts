import { v5 } from "uuid";
import { TraceJtiInvalidError, TracePartUnsupportedError } from "../errors";

/** RFC 9562 name-space id for ISO OIDs, the same as Python's `uuid.NAMESPACE_OID`. */
export const NAMESPACE_OID = "6ba7b812-9dad-11d1-80b4-00c04fd430c8";

const UUID_FORM =
	/^(?:urn:uuid:)?(\{)?([0-9a-fA-F]{8})(-?)([0-9a-fA-F]{4})\3([0-9a-fA-F]{4})\3([0-9a-fA-F]{4})\3([0-9a-fA-F]{12})(\})?$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const encoder = new TextEncoder();

/**
 * Normalizes a UUID the way Python's `uuid.UUID(str)` does for the forms it documents:
 * any letter case, optional braces, optional `urn:uuid:` prefix, with or without the four
 * hyphens. Returns the canonical lowercase 8-4-4-4-12 form.
 *
 * Stricter than Python on purpose: unbalanced braces, stray hyphens, whitespace, signs and
 * underscores (which Python's `int(hex, 16)` would tolerate) are refused.
 */
export function normalizeUuid(value: unknown, what: string): string {
	if (typeof value !== "string") {
		throw new TraceJtiInvalidError(`${what} must be a UUID string, got ${describe(value)}`);
	}
	const m = UUID_FORM.exec(value);
	if (m === null || (m[1] === "{") !== (m[8] === "}")) {
		throw new TraceJtiInvalidError(
			`${what} must be a UUID (8-4-4-4-12 hex digits, optionally in braces or with a urn:uuid: prefix), got a string of ${value.length} characters`,
		);
	}
	return `${m[2]}-${m[4]}-${m[5]}-${m[6]}-${m[7]}`.toLowerCase();
}

/**
 * UUIDv5 of UTF-8 `name` bytes under a canonical namespace UUID (Python's `uuid.uuid5`).
 * The namespace is handed to `uuid` as 16 bytes: decoding the already validated canonical
 * form here is several times cheaper than letting `uuid` parse the string again.
 */
export function uuid5(name: Uint8Array, namespace: string): string {
	return v5(name, uuidBytes(namespace));
}

/** The 16 bytes of a canonical lowercase 8-4-4-4-12 UUID (as returned by {@link normalizeUuid}). */
function uuidBytes(canonical: string): Uint8Array {
	const out = new Uint8Array(16);
	let j = 0;
	for (let i = 0; i < 36; i += 2) {
		if (i === 8 || i === 13 || i === 18 || i === 23) i++;
		out[j++] = (hexValue(canonical.charCodeAt(i)) << 4) | hexValue(canonical.charCodeAt(i + 1));
	}
	return out;
}

function hexValue(code: number): number {
	return code <= 57 ? code - 48 : code - 87;
}

/** UTF-8 bytes of a string that has no lone surrogates (checked by the caller). */
export function utf8(text: string): Uint8Array {
	return encoder.encode(text);
}

/**
 * The text of one trace part, identical to Python's `str()` of the same value, or a
 * {@link TracePartUnsupportedError} naming the part's index.
 */
export function partText(part: unknown, index: number): string {
	switch (typeof part) {
		case "string":
			if (LONE_SURROGATE.test(part)) {
				throw new TracePartUnsupportedError(
					index,
					`trace part ${index} contains a lone UTF-16 surrogate, which has no UTF-8 encoding (Python refuses it too)`,
				);
			}
			return part;
		case "bigint":
			return part.toString(10);
		case "number":
			if (Number.isSafeInteger(part)) return String(part);
			throw new TracePartUnsupportedError(
				index,
				`trace part ${index} is the number ${String(part)}: only safe integers are allowed as numbers (use a bigint for larger values, a string for anything else), because Python prints floats differently`,
			);
		default:
			throw new TracePartUnsupportedError(
				index,
				`trace part ${index} is ${describe(part)}: a part must be a string, a safe integer or a bigint, because Python's str() would print it differently`,
			);
	}
}

/** A short description of a value's type for error messages; never the value itself. */
export function describe(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	const t = typeof value;
	return t === "object" ? "an object" : `a ${t}`;
}
