/**
 * Typed errors of `@xshl/otel` (import from `@xshl/otel` or `@xshl/otel/errors`): the
 * registry, the base class, one subclass per code.
 * @module
 */

/**
 * Every code with the HTTP `status` a server should answer and its `meaning`; the
 * {@link OtelErrorCode} union and the README error table come from it.
 * @example `OTEL_ERROR_CODES.ERR_OTEL_CONFIG_INVALID.status // 500`
 */
// biome-ignore format: one row per code, like the README table
export const OTEL_ERROR_CODES = {
	ERR_OTEL_CONFIG_INVALID: { status: 500, meaning: "instrument() got an unknown part, a part without an on(type, listener) method, or a provider without getTracer/getMeter." },
} as const;

/** Every stable error code `@xshl/otel` can throw. */
export type OtelErrorCode = keyof typeof OTEL_ERROR_CODES;

/** A problem with one option: `path` is the dotted option path (`"parts.store"`). */
export interface ConfigIssue {
	/** The dotted option path, `""` for the root. */
	readonly path: string;
	/** What was wrong and what was expected. */
	readonly message: string;
}

/** Options of every `@xshl/otel` error constructor. */
export interface OtelErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/otel` error: `code` comes from the subclass's static `code`,
 * `status` from {@link OTEL_ERROR_CODES}, `name` from the constructor.
 * @example `try { instrument({ store: {} }) } catch (e) { if (e instanceof OtelError) console.log(e.code) }`
 */
export class OtelError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: OtelErrorCode;
	/** Stable machine-readable code; see {@link OTEL_ERROR_CODES}. */
	readonly code: OtelErrorCode;
	/** The HTTP status a server should answer. */
	readonly status: 500;
	/** @param message - what was wrong and what was expected. @param options - `cause`. */
	constructor(message: string, options?: OtelErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof OtelError).code;
		this.status = OTEL_ERROR_CODES[this.code].status;
	}
}

/** `instrument()` was given something it cannot subscribe to or report through. */
export class OtelConfigError extends OtelError {
	static override readonly code = "ERR_OTEL_CONFIG_INVALID";
	declare readonly code: "ERR_OTEL_CONFIG_INVALID";
	/** Every problem found, one per option path. */
	readonly issues: readonly ConfigIssue[];
	/** @param issues - the problems, each with its option path. */
	constructor(issues: readonly ConfigIssue[]) {
		super(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
		this.issues = issues;
	}
}

/** Discriminated union of every error `@xshl/otel` throws; narrow it on `code`. */
export type OtelErrors = OtelConfigError;
