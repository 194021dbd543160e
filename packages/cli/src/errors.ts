/**
 * Typed errors of `@xshl/cli`. The `xshl` command turns them into an exit status: a
 * {@link CliUsageError} exits with 2 (and prints the usage), every other {@link CliError}
 * with 1. Errors of the other packages (`ERR_KEYS_…`, `ERR_SESSION_…`) are reported by
 * their own `code`.
 *
 * Import from `@xshl/cli` or `@xshl/cli/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/cli`: the HTTP status a server would answer for the
 * same failure, and its meaning. The {@link CliErrorCode} union and the README table come
 * from it.
 *
 * @example
 * ```ts
 * import { CLI_ERROR_CODES } from '@xshl/cli/errors'
 * console.log(CLI_ERROR_CODES.ERR_CLI_USAGE.meaning)
 * ```
 */
// biome-ignore format: one row per code, like the README table
export const CLI_ERROR_CODES = {
	ERR_CLI_USAGE: { status: 400, meaning: "The command line is wrong: an unknown command or flag, a missing or invalid argument (exit status 2)." },
	ERR_CLI_INPUT_INVALID: { status: 400, meaning: "An input file cannot be read or is not what the command expects (a ring snapshot, a JWKS, a decryption key)." },
	ERR_CLI_FILE_EXISTS: { status: 409, meaning: "The output file already exists; pass --force to overwrite it." },
	ERR_CLI_TOKEN_MALFORMED: { status: 400, meaning: "The token is neither a compact JWS (three parts) nor a compact JWE (five parts) with a JSON header." },
} as const;

/** Every stable error code `@xshl/cli` throws. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** Options shared by every `@xshl/cli` error constructor. */
export interface CliErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/cli` error: `code` from the subclass's `static code`, `status`
 * from {@link CLI_ERROR_CODES}, `name` from the constructor, `cause` passed through.
 *
 * @example
 * ```ts
 * import { CliError, generateKeys } from '@xshl/cli'
 * try { await generateKeys({ alg: 'ES256', out: 'ring.json' }) } catch (e) { if (e instanceof CliError) console.log(e.code) }
 * ```
 */
export class CliError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: CliErrorCode;
	/** Stable machine-readable code; see {@link CLI_ERROR_CODES}. */
	readonly code: CliErrorCode;
	/** The HTTP status a server would answer for the same failure. */
	readonly status: 400 | 409;
	/** The exit status of the `xshl` command for this failure: 2 for usage errors, else 1. */
	readonly exitCode: 1 | 2;

	/**
	 * @param message - what was wrong and what was expected; never carries keys or tokens.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(message: string, options?: CliErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof CliError).code;
		this.status = CLI_ERROR_CODES[this.code].status;
		this.exitCode = this.code === "ERR_CLI_USAGE" ? 2 : 1;
	}
}

/** `ERR_CLI_USAGE`: the command line is wrong; `xshl` prints the usage and exits with 2. */
export class CliUsageError extends CliError {
	static override readonly code = "ERR_CLI_USAGE";
	declare readonly code: "ERR_CLI_USAGE";
	/** The usage text of the command meant, printed after the message. */
	readonly usage: string;

	/**
	 * @param message - one line: what is wrong.
	 * @param usage - the usage text of the command.
	 */
	constructor(message: string, usage: string) {
		super(message);
		this.usage = usage;
	}
}

/** `ERR_CLI_INPUT_INVALID`: an input file cannot be read or has the wrong shape. */
export class CliInputInvalidError extends CliError {
	static override readonly code = "ERR_CLI_INPUT_INVALID";
	declare readonly code: "ERR_CLI_INPUT_INVALID";
}

/** `ERR_CLI_FILE_EXISTS`: the output file exists and `--force` was not given. */
export class CliFileExistsError extends CliError {
	static override readonly code = "ERR_CLI_FILE_EXISTS";
	declare readonly code: "ERR_CLI_FILE_EXISTS";
}

/** `ERR_CLI_TOKEN_MALFORMED`: not a compact JWS or JWE. */
export class CliTokenMalformedError extends CliError {
	static override readonly code = "ERR_CLI_TOKEN_MALFORMED";
	declare readonly code: "ERR_CLI_TOKEN_MALFORMED";
}

/** Every error class of `@xshl/cli`, discriminated by `code`. */
// biome-ignore format: the union in as few lines as it takes
export type CliErrors =
	| CliUsageError | CliInputInvalidError | CliFileExistsError | CliTokenMalformedError;
