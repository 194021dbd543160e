/**
 * Session ids: the `sid` claim of a session, derived from the key set's name and the trace.
 *
 * Import from `@xshl/trace`.
 *
 * @module
 */
import { TraceNameEmptyError } from "./errors";
import {
	describe,
	normalizeUuid,
	NAMESPACE_OID as OID,
	partText,
	utf8,
	uuid5,
} from "./internal/uuid";
import { Trace } from "./trace";

/**
 * Python's `uuid.NAMESPACE_OID`, the root namespace of session ids.
 *
 * @example
 * ```ts
 * import { NAMESPACE_OID } from '@xshl/trace'
 * NAMESPACE_OID // '6ba7b812-9dad-11d1-80b4-00c04fd430c8'
 * ```
 */
export const NAMESPACE_OID: string = OID;

/**
 * The session id (`sid` claim):
 * `UUIDv5(namespace = UUIDv5(NAMESPACE_OID, name), name = String(trace))`, byte-identical
 * to Python's `uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_OID, name), str(trace))`.
 *
 * @param name - the key set's name (`RemoteKeySet.name` in `@xshl/keys`); non-empty.
 * @param trace - a {@link Trace}, or its text.
 * @returns the canonical lowercase UUID string.
 * @throws {TraceNameEmptyError} `ERR_TRACE_NAME_EMPTY` when `name` is empty or not a string.
 * @throws {TracePartUnsupportedError} `ERR_TRACE_PART_UNSUPPORTED` when `name` or a
 *   trace text has a lone surrogate.
 *
 * @example
 * ```ts
 * import { sessionId, Trace } from '@xshl/trace'
 * const sid = sessionId('session_name', new Trace('Mozilla/5.0', 'salt'))
 * ```
 */
export function sessionId(name: string, trace: Trace | string): string {
	if (typeof name !== "string" || name.length === 0) {
		throw new TraceNameEmptyError(
			`the key-set name must be a non-empty string, got ${typeof name === "string" ? "an empty string" : describe(name)}`,
		);
	}
	const namespace = uuid5(utf8(partText(name, 0)), OID);
	const text = trace instanceof Trace ? trace.bytes() : utf8(partText(trace, 0));
	return uuid5(text, namespace);
}

/**
 * Python's `uuid.uuid5(uuid.UUID(namespace), name)`, exposed for interop tests and for
 * callers that derive their own ids the same way.
 *
 * @param namespace - a UUID in any form Python's `uuid.UUID()` documents.
 * @param name - a string (encoded as UTF-8) or raw bytes.
 * @returns the canonical lowercase UUID string.
 * @throws {TraceJtiInvalidError} `ERR_TRACE_JTI_INVALID` when `namespace` is not a UUID.
 * @throws {TracePartUnsupportedError} `ERR_TRACE_PART_UNSUPPORTED` when `name` has a lone
 *   surrogate.
 *
 * @example
 * ```ts
 * import { uuidV5 } from '@xshl/trace'
 * uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org') // '886313e1-3b8a-5372-9b90-0c9aee199e5d'
 * ```
 */
export function uuidV5(namespace: string, name: string | Uint8Array): string {
	const bytes = name instanceof Uint8Array ? name : utf8(partText(name, 0));
	return uuid5(bytes, normalizeUuid(namespace, "namespace"));
}
