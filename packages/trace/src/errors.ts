/**
 * Typed errors of `@xshl/trace`. Every failure is a subclass of {@link TraceError} with a
 * stable `code`; handle them across packages by `code`, not `instanceof`.
 *
 * Import from `@xshl/trace` or `@xshl/trace/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/trace` with its one-line meaning. The
 * {@link TraceErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { TRACE_ERROR_CODES } from '@xshl/trace/errors'
 * console.log(TRACE_ERROR_CODES.ERR_TRACE_JTI_INVALID)
 * ```
 */
export const TRACE_ERROR_CODES = {
	ERR_TRACE_PART_UNSUPPORTED:
		"A trace part is not a string, a safe integer or a bigint, so its text could differ between Python and JavaScript.",
	ERR_TRACE_JTI_INVALID:
		"A jti (or namespace) is not a UUID in a form Python's uuid.UUID() accepts.",
	ERR_TRACE_NAME_EMPTY: "The key-set name a session id is derived from is empty or not a string.",
} as const;

/** Every stable error code `@xshl/trace` can throw. */
export type TraceErrorCode = keyof typeof TRACE_ERROR_CODES;

/** Options shared by every `@xshl/trace` error constructor. */
export interface TraceErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/trace` error.
 *
 * @example
 * ```ts
 * import { Trace, TraceError } from '@xshl/trace'
 * try { new Trace(1.5) } catch (e) { if (e instanceof TraceError) console.log(e.code) }
 * ```
 */
export class TraceError extends Error {
	/** Stable machine-readable code; see {@link TRACE_ERROR_CODES}. */
	readonly code: TraceErrorCode;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what was wrong and what was expected; never carries secrets.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(code: TraceErrorCode, message: string, options?: TraceErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
	}
}

/**
 * A trace part whose text could differ between Python's `str()` and JavaScript's
 * `String()`: a float, a boolean, `null`, `undefined`, an object, an array, a symbol, a
 * function, an unsafe integer given as a `number`, or a string with a lone UTF-16 surrogate.
 * Code `ERR_TRACE_PART_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * import { Trace, TracePartUnsupportedError } from '@xshl/trace'
 * try { new Trace('ua', true as never) } catch (e) { console.log((e as TracePartUnsupportedError).index) } // 1
 * ```
 */
export class TracePartUnsupportedError extends TraceError {
	/** Always `ERR_TRACE_PART_UNSUPPORTED`. */
	override readonly code: "ERR_TRACE_PART_UNSUPPORTED" = "ERR_TRACE_PART_UNSUPPORTED";

	/** Zero-based position of the refused part. */
	readonly index: number;

	/**
	 * @param index - zero-based position of the refused part.
	 * @param message - what the part was and what was expected.
	 */
	constructor(index: number, message: string) {
		super("ERR_TRACE_PART_UNSUPPORTED", message);
		this.index = index;
	}
}

/**
 * A `jti` (or a namespace) that is not a UUID in a form Python's `uuid.UUID()` accepts.
 * Code `ERR_TRACE_JTI_INVALID`.
 *
 * @example
 * ```ts
 * import { Trace } from '@xshl/trace'
 * try { new Trace('ua').get('not-a-uuid') } catch (e) { console.log((e as { code: string }).code) }
 * ```
 */
export class TraceJtiInvalidError extends TraceError {
	/** Always `ERR_TRACE_JTI_INVALID`. */
	override readonly code: "ERR_TRACE_JTI_INVALID" = "ERR_TRACE_JTI_INVALID";

	/**
	 * @param message - what was wrong with the value.
	 */
	constructor(message: string) {
		super("ERR_TRACE_JTI_INVALID", message);
	}
}

/**
 * An empty (or non-string) key-set name given to {@link sessionId}.
 * Code `ERR_TRACE_NAME_EMPTY`.
 *
 * @example
 * ```ts
 * import { sessionId, Trace } from '@xshl/trace'
 * try { sessionId('', new Trace('ua')) } catch (e) { console.log((e as { code: string }).code) }
 * ```
 */
export class TraceNameEmptyError extends TraceError {
	/** Always `ERR_TRACE_NAME_EMPTY`. */
	override readonly code: "ERR_TRACE_NAME_EMPTY" = "ERR_TRACE_NAME_EMPTY";

	/**
	 * @param message - what the name was.
	 */
	constructor(message: string) {
		super("ERR_TRACE_NAME_EMPTY", message);
	}
}

/** Discriminated union of every error `@xshl/trace` throws; narrow it on `code`. */
export type TraceErrors = TracePartUnsupportedError | TraceJtiInvalidError | TraceNameEmptyError;
