/**
 * Typed errors of `@xshl/jwe` (import from `@xshl/jwe` or `@xshl/jwe/errors`): the registry, the
 * base class, one subclass per code. Messages never carry tokens or keys.
 * @module
 */

/**
 * Every code with the HTTP `status` a server should answer and its `meaning`; the
 * {@link JweErrorCode} union and the README error table come from it.
 * @example `JWE_ERROR_CODES.ERR_JWE_DECRYPTION_FAILED.status // 401`
 */
// biome-ignore format: one row per code, like the README table
export const JWE_ERROR_CODES = {
	ERR_JWE_CONFIG_INVALID: { status: 500, meaning: "Options are invalid (unknown or forbidden algorithm, bad limit, missing keys); thrown before any token is read." },
	ERR_JWE_HEADER_INVALID: { status: 500, meaning: "The protected header given to serialize() lacks alg, enc or kid, or carries a parameter we refuse to emit." },
	ERR_JWE_PAYLOAD_INVALID: { status: 400, meaning: "A payload cannot be encoded (serialize), or a plaintext is not UTF-8 text or JSON (text()/json())." },
	ERR_JWE_NO_MATCHING_KEY: { status: 401, meaning: "No recipient key for the header's kid (serialize), or no configured decryption key for the token's kid and alg (deserialize)." },
	ERR_JWE_ENCRYPTION_FAILED: { status: 500, meaning: "jose could not encrypt with the recipient key (wrong key type for alg, too-small RSA key...)." },
	ERR_JWE_TOKEN_TOO_LARGE: { status: 401, meaning: "The token is longer than maxTokenBytes; checked before any decoding (or, on serialize, the produced token would be)." },
	ERR_JWE_INVALID: { status: 401, meaning: "The input is not a well-formed compact JWE (wrong part count, bad base64url, bad header JSON, missing alg/enc, bad IV or tag length...)." },
	ERR_JWE_ALG_NOT_ALLOWED: { status: 401, meaning: "The token's alg or enc is outside the configured allowlist (RSA1_5 and PBES2 are never in the default one)." },
	ERR_JWE_ZIP_REFUSED: { status: 401, meaning: 'The token (or header) carries a "zip" parameter; compressed JWE is always refused.' },
	ERR_JWE_NOT_SUPPORTED: { status: 401, meaning: "jose does not support an algorithm or parameter the token uses." },
	ERR_JWE_DECRYPTION_FAILED: { status: 401, meaning: "Decryption failed, identically for a wrong key, a modified wrapped key, IV, ciphertext or tag, so nothing leaks." },
	ERR_JWE_NESTED_INVALID: { status: 401, meaning: 'A nested token is malformed: the JWE lacks cty "JWT", the plaintext is not a signed compact JWS, or the inner typ is not JWT.' },
	ERR_JWE_NESTED_VERIFICATION_FAILED: { status: 401, meaning: "The inner JWS of a nested token failed verification (the verifier's error is the cause)." },
} as const;

/** Every stable error code `@xshl/jwe` can throw. */
export type JweErrorCode = keyof typeof JWE_ERROR_CODES;
/** Options of every `@xshl/jwe` error constructor. */
export interface JweErrorOptions {
	/** The underlying error (usually a jose or zod error), kept as `cause`. */
	cause?: unknown;
}
/**
 * Base class of every `@xshl/jwe` error: `code` comes from the subclass's static `code`,
 * `status` from {@link JWE_ERROR_CODES}, `name` from the constructor.
 * @example `try { await deserialize('x', { keys: key }) } catch (e) { if (e instanceof JweError) console.log(e.code, e.status) }`
 */
export class JweError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: JweErrorCode;
	/** Stable machine-readable code; see {@link JWE_ERROR_CODES}. */
	readonly code: JweErrorCode;
	/** The HTTP status a server should answer. */
	readonly status: 400 | 401 | 500;
	/** @param message - what was wrong and what was expected. @param options - `cause`. */
	constructor(message: string, options?: JweErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof JweError).code;
		this.status = JWE_ERROR_CODES[this.code].status;
	}
}
/** One problem of the options: the dotted option path (`""` for the root) and what was wrong. */
export interface ConfigIssue {
	/** Dotted path of the option, e.g. `keyManagementAlgorithms.0`. */
	readonly path: string;
	/** What was wrong. */
	readonly message: string;
}
/** Invalid options; `issues` lists each problem. */
export class JweConfigError extends JweError {
	static override readonly code = "ERR_JWE_CONFIG_INVALID";
	declare readonly code: "ERR_JWE_CONFIG_INVALID";
	/** The problems, each with a path and a message. */
	readonly issues: readonly ConfigIssue[];
	/** @param message - summary. @param issues - each problem. @param options - `cause` (zod's error). */
	constructor(message: string, issues: readonly ConfigIssue[], options?: JweErrorOptions) {
		super(message, options);
		this.issues = issues;
	}
}
/** The header given to `serialize()` is unusable. */
export class JweHeaderInvalidError extends JweError {
	static override readonly code = "ERR_JWE_HEADER_INVALID";
	declare readonly code: "ERR_JWE_HEADER_INVALID";
}
/** A payload cannot be encoded, or a plaintext is not text / JSON. */
export class JwePayloadInvalidError extends JweError {
	static override readonly code = "ERR_JWE_PAYLOAD_INVALID";
	declare readonly code: "ERR_JWE_PAYLOAD_INVALID";
}
/** No key for this `kid`; on serialize the key set's own error is the `cause`. */
export class JweNoMatchingKeyError extends JweError {
	static override readonly code = "ERR_JWE_NO_MATCHING_KEY";
	declare readonly code: "ERR_JWE_NO_MATCHING_KEY";
}
/** jose refused to encrypt with the recipient key. */
export class JweEncryptionFailedError extends JweError {
	static override readonly code = "ERR_JWE_ENCRYPTION_FAILED";
	declare readonly code: "ERR_JWE_ENCRYPTION_FAILED";
}
/** The token is longer than the limit; checked before the token is split or decoded. */
export class JweTokenTooLargeError extends JweError {
	static override readonly code = "ERR_JWE_TOKEN_TOO_LARGE";
	declare readonly code: "ERR_JWE_TOKEN_TOO_LARGE";
	/** The token's size, in bytes (a compact JWE is ASCII: one byte per character). */
	readonly bytes: number;
	/** The configured limit, in bytes. */
	readonly maxTokenBytes: number;
	/** @param bytes - the token's size. @param maxTokenBytes - the limit (both in bytes). */
	constructor(bytes: number, maxTokenBytes: number) {
		super(`JWE is ${bytes} bytes long; the limit (maxTokenBytes) is ${maxTokenBytes}`);
		this.bytes = bytes;
		this.maxTokenBytes = maxTokenBytes;
	}
}
/** The input is not a well-formed compact JWE. */
export class JweInvalidError extends JweError {
	static override readonly code = "ERR_JWE_INVALID";
	declare readonly code: "ERR_JWE_INVALID";
}
/** The token's `alg` or `enc` is outside the allowlist; the cause is jose's `JOSEAlgNotAllowed`. */
export class JweAlgNotAllowedError extends JweError {
	static override readonly code = "ERR_JWE_ALG_NOT_ALLOWED";
	declare readonly code: "ERR_JWE_ALG_NOT_ALLOWED";
	/** Which header parameter was refused. */
	readonly parameter: "alg" | "enc";
	/** @param parameter - `alg` or `enc`. @param message - what. @param options - `cause`. */
	constructor(parameter: "alg" | "enc", message: string, options?: JweErrorOptions) {
		super(message, options);
		this.parameter = parameter;
	}
}
/** A `zip` parameter was found (compressed JWE is always refused). */
export class JweZipRefusedError extends JweError {
	static override readonly code = "ERR_JWE_ZIP_REFUSED";
	declare readonly code: "ERR_JWE_ZIP_REFUSED";
}
/** jose does not support something the token uses. */
export class JweNotSupportedError extends JweError {
	static override readonly code = "ERR_JWE_NOT_SUPPORTED";
	declare readonly code: "ERR_JWE_NOT_SUPPORTED";
}
/** The one message of every {@link JweDecryptionFailedError}. */
export const DECRYPTION_FAILED_MESSAGE = "JWE decryption failed";
/**
 * Decryption failed. Class, code and message are identical for a wrong key, a modified
 * encrypted key, IV, ciphertext or tag (RFC 7516 §11.5), and no `cause` is attached, so the
 * error cannot be used as an oracle.
 */
export class JweDecryptionFailedError extends JweError {
	static override readonly code = "ERR_JWE_DECRYPTION_FAILED";
	declare readonly code: "ERR_JWE_DECRYPTION_FAILED";
	/** Always the same message; no cause. */
	constructor() {
		super(DECRYPTION_FAILED_MESSAGE);
	}
}
/** A nested token is malformed (no `cty: "JWT"`, no signed compact JWS inside, inner `typ`). */
export class JweNestedInvalidError extends JweError {
	static override readonly code = "ERR_JWE_NESTED_INVALID";
	declare readonly code: "ERR_JWE_NESTED_INVALID";
}
/** The inner JWS failed verification; the verifier's own error is the `cause`. */
export class JweNestedVerificationFailedError extends JweError {
	static override readonly code = "ERR_JWE_NESTED_VERIFICATION_FAILED";
	declare readonly code: "ERR_JWE_NESTED_VERIFICATION_FAILED";
	/** @param options - `cause` (the verifier's error). */
	constructor(options?: JweErrorOptions) {
		super("the inner JWS of the nested token failed verification", options);
	}
}
/** Discriminated union of every error `@xshl/jwe` throws; narrow it on `code`. */
// biome-ignore format: the union in as few lines as it takes
export type JweErrors =
	| JweConfigError | JweHeaderInvalidError | JwePayloadInvalidError | JweNoMatchingKeyError
	| JweEncryptionFailedError | JweTokenTooLargeError | JweInvalidError | JweAlgNotAllowedError
	| JweZipRefusedError | JweNotSupportedError | JweDecryptionFailedError
	| JweNestedInvalidError | JweNestedVerificationFailedError;
