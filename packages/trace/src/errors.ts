/**
 * Typed errors of `@xshl/trace` (import from `@xshl/trace` or `@xshl/trace/errors`): the registry, the
 * base class, one subclass per code. Messages never carry tokens or keys.
 * @module
 */

/**
 * Every code with the HTTP `status` a server should answer and its `meaning`; the
 * {@link TraceErrorCode} union and the README error table come from it.
 * @example `TRACE_ERROR_CODES.ERR_TRACE_JTI_INVALID.status // 400`
 */
// biome-ignore format: one row per code, like the README table
export const TRACE_ERROR_CODES = {
	ERR_TRACE_PART_UNSUPPORTED: { status: 500, meaning: "A trace part is not a string, a safe integer or a bigint, so its text could differ between Python and JavaScript." },
	ERR_TRACE_JTI_INVALID: { status: 400, meaning: "A jti (or namespace) is not a UUID in a form Python's uuid.UUID() accepts." },
	ERR_TRACE_NAME_EMPTY: { status: 500, meaning: "The key-set name a session id is derived from is empty or not a string." },
} as const;

/** Every stable error code `@xshl/trace` can throw. */
export type TraceErrorCode = keyof typeof TRACE_ERROR_CODES;
/** Options of every `@xshl/trace` error constructor. */
export interface TraceErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}
/**
 * Base class of every `@xshl/trace` error: `code` comes from the subclass's static `code`,
 * `status` from {@link TRACE_ERROR_CODES}, `name` from the constructor.
 * @example `try { new Trace(1.5) } catch (e) { if (e instanceof TraceError) console.log(e.code, e.status) }`
 */
export class TraceError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: TraceErrorCode;
	/** Stable machine-readable code; see {@link TRACE_ERROR_CODES}. */
	readonly code: TraceErrorCode;
	/** The HTTP status a server should answer. */
	readonly status: 400 | 500;
	/** @param message - what was wrong and what was expected. @param options - `cause`. */
	constructor(message: string, options?: TraceErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof TraceError).code;
		this.status = TRACE_ERROR_CODES[this.code].status;
	}
}
/** A trace part whose text could differ between Python's `str()` and JavaScript's `String()`. */
export class TracePartUnsupportedError extends TraceError {
	static override readonly code = "ERR_TRACE_PART_UNSUPPORTED";
	declare readonly code: "ERR_TRACE_PART_UNSUPPORTED";
	/** Zero-based position of the refused part. */
	readonly index: number;
	/** @param index - zero-based position of the part. @param message - what was expected. */
	constructor(index: number, message: string) {
		super(message);
		this.index = index;
	}
}
/** A `jti` (or namespace) that is not a UUID in a form Python's `uuid.UUID()` accepts. */
export class TraceJtiInvalidError extends TraceError {
	static override readonly code = "ERR_TRACE_JTI_INVALID";
	declare readonly code: "ERR_TRACE_JTI_INVALID";
}
/** An empty (or non-string) key-set name given to `sessionId`. */
export class TraceNameEmptyError extends TraceError {
	static override readonly code = "ERR_TRACE_NAME_EMPTY";
	declare readonly code: "ERR_TRACE_NAME_EMPTY";
}
/** Discriminated union of every error `@xshl/trace` throws; narrow it on `code`. */
// biome-ignore format: the union in as few lines as it takes
export type TraceErrors =
	| TracePartUnsupportedError | TraceJtiInvalidError | TraceNameEmptyError;
