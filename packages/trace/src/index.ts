/**
 * `@xshl/trace`: trace values and session ids, byte-identical to the Python original.
 *
 * @module
 */

export type { TraceErrorCode, TraceErrorOptions, TraceErrors } from "./errors";
export {
	TRACE_ERROR_CODES,
	TraceError,
	TraceJtiInvalidError,
	TraceNameEmptyError,
	TracePartUnsupportedError,
} from "./errors";
export { NAMESPACE_OID, sessionId, uuidV5 } from "./session-id";
export type { TraceClaims, TracePart } from "./trace";
export { Trace } from "./trace";
