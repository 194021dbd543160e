/**
 * `Trace`: binds a token to the context it was issued in (user agent, a per-login salt,
 * an IP, ...) without putting those attributes into the token.
 *
 * Import from `@xshl/trace`.
 *
 * @module
 */
import { normalizeUuid, partText, utf8, uuid5 } from "./internal/uuid";

/**
 * One trace part: a string, a safe integer or a bigint. Anything else is refused because
 * its text could differ between Python's `str()` and JavaScript's `String()`.
 */
export type TracePart = string | number | bigint;

/** The claims {@link Trace.validate} reads: only `jti` is used. */
export interface TraceClaims {
	/** The token id, a UUID. */
	readonly jti?: unknown;
}

/**
 * The client context a session token is bound to. `String(trace)` is the parts joined
 * with `:`, exactly as Python's `":".join(map(str, parts))`.
 *
 * Note: `new Trace('a:b', 'c')` and `new Trace('a', 'b:c')` have the same text and so the
 * same values; this is kept for parity with the Python original (catalog TRC-04). Put
 * parts that can contain `:` (user agents do) last, or hash them first.
 *
 * @example
 * ```ts
 * import { Trace } from '@xshl/trace'
 * const trace = new Trace('Mozilla/5.0', 'per-login-salt', 42)
 * const jti = crypto.randomUUID()
 * const value = trace.get(jti)           // goes into the token's `trace` claim
 * trace.validate({ jti }, value)         // true
 * ```
 */
export class Trace {
	/** The parts, as given. */
	readonly parts: readonly TracePart[];
	readonly #text: string;
	readonly #bytes: Uint8Array;
	// One-entry memo: a verifier that keeps a Trace per client sees the same jti on every
	// request of that token's lifetime, so the last answer is the likely next one.
	#lastJti: string | undefined;
	#lastValue = "";

	/**
	 * @param parts - strings, safe integers or bigints; zero parts give the empty string.
	 * @throws {TracePartUnsupportedError} `ERR_TRACE_PART_UNSUPPORTED` for any other part,
	 *   naming its index.
	 */
	constructor(...parts: TracePart[]) {
		this.#text = parts.map(partText).join(":");
		this.#bytes = utf8(this.#text);
		this.parts = Object.freeze([...parts]);
	}

	/**
	 * The parts joined with `:`.
	 *
	 * @returns the trace text, as Python's `str(trace)`.
	 */
	toString(): string {
		return this.#text;
	}

	/**
	 * The UTF-8 bytes of {@link Trace.toString}.
	 *
	 * @returns a copy of the encoded text.
	 */
	bytes(): Uint8Array {
		return this.#bytes.slice();
	}

	/**
	 * The trace value for one token: UUIDv5 with the `jti` as namespace and the trace
	 * text as name, byte-identical to Python's `uuid.uuid5(uuid.UUID(jti), str(trace))`.
	 *
	 * @param jti - the token id; any form Python's `uuid.UUID()` documents (case, braces,
	 *   `urn:uuid:`, no hyphens).
	 * @returns the canonical lowercase UUID string.
	 * @throws {TraceJtiInvalidError} `ERR_TRACE_JTI_INVALID` when `jti` is not such a UUID.
	 */
	get(jti: string): string {
		if (typeof jti === "string" && jti === this.#lastJti) return this.#lastValue;
		const value = uuid5(this.#bytes, normalizeUuid(jti, "jti"));
		this.#lastJti = jti;
		this.#lastValue = value;
		return value;
	}

	/**
	 * Checks a token's `trace` claim against this trace. Never throws on hostile input:
	 * a missing or malformed `jti` or a non-string value is simply not valid.
	 *
	 * @param claims - the token's claims; only `jti` is read.
	 * @param value - the token's `trace` claim.
	 * @returns true when `value === this.get(claims.jti)`.
	 */
	validate(claims: TraceClaims, value: unknown): boolean {
		if (typeof value !== "string" || claims === null || typeof claims !== "object") return false;
		let expected: string;
		try {
			expected = this.get(claims.jti as string);
		} catch {
			return false;
		}
		return equalConstantTime(expected, value);
	}
}

function equalConstantTime(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}
