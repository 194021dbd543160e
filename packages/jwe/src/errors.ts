/**
 * Typed errors of `@xshl/jwe`. Every failure is a subclass of {@link JweError} with a stable
 * `code`; handle them across packages by `code`, not `instanceof`. Messages say what was wrong
 * and what was expected; they never carry tokens, plaintext or key material.
 *
 * Import from `@xshl/jwe` or `@xshl/jwe/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/jwe` with its one-line meaning. The
 * {@link JweErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { JWE_ERROR_CODES } from '@xshl/jwe/errors'
 * console.log(JWE_ERROR_CODES.ERR_JWE_DECRYPTION_FAILED)
 * ```
 */
export const JWE_ERROR_CODES = {
	ERR_JWE_CONFIG_INVALID:
		"Options are invalid (unknown or forbidden algorithm, bad limit, missing keys); thrown before any token is read.",
	ERR_JWE_HEADER_INVALID:
		"The protected header given to serialize() lacks alg, enc or kid, or carries a parameter we refuse to emit.",
	ERR_JWE_PAYLOAD_INVALID:
		"A payload cannot be encoded (serialize), or a plaintext is not UTF-8 text or JSON (text()/json()).",
	ERR_JWE_NO_MATCHING_KEY:
		"No recipient key for the header's kid (serialize), or no configured decryption key for the token's kid and alg (deserialize).",
	ERR_JWE_ENCRYPTION_FAILED:
		"jose could not encrypt with the recipient key (wrong key type for alg, too-small RSA key...).",
	ERR_JWE_TOKEN_TOO_LARGE:
		"The token is longer than maxTokenLength; checked before any decoding (or, on serialize, the produced token would be).",
	ERR_JWE_INVALID:
		"The input is not a well-formed compact JWE (wrong part count, bad base64url, bad header JSON, missing alg/enc, bad IV or tag length...).",
	ERR_JWE_ALG_NOT_ALLOWED:
		"The token's alg or enc is outside the configured allowlist (RSA1_5 and PBES2 are never in the default one).",
	ERR_JWE_ZIP_REFUSED:
		'The token (or header) carries a "zip" parameter; compressed JWE is always refused.',
	ERR_JWE_NOT_SUPPORTED: "jose does not support an algorithm or parameter the token uses.",
	ERR_JWE_DECRYPTION_FAILED:
		"Decryption failed. Identical for a wrong key, a modified wrapped key, IV, ciphertext or tag, so nothing leaks.",
	ERR_JWE_NESTED_INVALID:
		'A nested token is malformed: the JWE lacks cty "JWT", the plaintext is not a signed compact JWS, or the inner typ is not JWT.',
	ERR_JWE_NESTED_VERIFICATION_FAILED:
		"The inner JWS of a nested token failed verification (the verifier's error is the cause).",
} as const;

/** Every stable error code `@xshl/jwe` can throw. */
export type JweErrorCode = keyof typeof JWE_ERROR_CODES;

/** Options shared by every `@xshl/jwe` error constructor. */
export interface JweErrorOptions {
	/** The underlying error (usually a jose or zod error), kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/jwe` error.
 *
 * @example
 * ```ts
 * import { deserialize, JweError } from '@xshl/jwe'
 * try { await deserialize('x', { keys: key }) } catch (e) { if (e instanceof JweError) console.log(e.code) }
 * ```
 */
export class JweError extends Error {
	/** Stable machine-readable code; see {@link JWE_ERROR_CODES}. */
	readonly code: JweErrorCode;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what was wrong and what was expected; never carries secrets.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(code: JweErrorCode, message: string, options?: JweErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
	}
}

/** One problem found while validating options (from zod). */
export interface JweConfigIssue {
	/** Where the problem is, e.g. `["keyManagementAlgorithms", 0]`. */
	readonly path: readonly PropertyKey[];
	/** What was wrong. */
	readonly message: string;
}

/**
 * Invalid options. Code `ERR_JWE_CONFIG_INVALID`; `issues` lists each problem.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize(token, { keys: key, keyManagementAlgorithms: ['RSA1_5'] }) // throws ERR_JWE_CONFIG_INVALID
 * ```
 */
export class JweConfigError extends JweError {
	/** Always `ERR_JWE_CONFIG_INVALID`. */
	override readonly code: "ERR_JWE_CONFIG_INVALID" = "ERR_JWE_CONFIG_INVALID";
	/** The problems, each with a path and a message. */
	readonly issues: readonly JweConfigIssue[];

	/**
	 * @param message - summary of the problems.
	 * @param issues - each problem with its path.
	 * @param options - `cause` (the zod error).
	 */
	constructor(message: string, issues: readonly JweConfigIssue[], options?: JweErrorOptions) {
		super("ERR_JWE_CONFIG_INVALID", message, options);
		this.issues = issues;
	}
}

/**
 * The header given to `serialize()` is unusable. Code `ERR_JWE_HEADER_INVALID`.
 *
 * @example
 * ```ts
 * import { serialize } from '@xshl/jwe'
 * await serialize('x', { alg: 'RSA-OAEP-256', enc: 'A256GCM' } as never, { keys }) // no kid: ERR_JWE_HEADER_INVALID
 * ```
 */
export class JweHeaderInvalidError extends JweError {
	/** Always `ERR_JWE_HEADER_INVALID`. */
	override readonly code: "ERR_JWE_HEADER_INVALID" = "ERR_JWE_HEADER_INVALID";

	/**
	 * @param message - what was wrong with the header.
	 * @param options - `cause`, if any.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_HEADER_INVALID", message, options);
	}
}

/**
 * A payload cannot be encoded, or a plaintext is not text / JSON. Code `ERR_JWE_PAYLOAD_INVALID`.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * const result = await deserialize(token, { keys })
 * try { result.json() } catch (e) { console.log((e as { code: string }).code) } // when not JSON
 * ```
 */
export class JwePayloadInvalidError extends JweError {
	/** Always `ERR_JWE_PAYLOAD_INVALID`. */
	override readonly code: "ERR_JWE_PAYLOAD_INVALID" = "ERR_JWE_PAYLOAD_INVALID";

	/**
	 * @param message - what was wrong.
	 * @param options - `cause`, if any.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_PAYLOAD_INVALID", message, options);
	}
}

/**
 * No key for this `kid`. Code `ERR_JWE_NO_MATCHING_KEY`. On serialize the key set's own error
 * (e.g. `ERR_KEYS_NO_MATCHING_KEY`) is the cause.
 *
 * @example
 * ```ts
 * import { serialize } from '@xshl/jwe'
 * await serialize('x', { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'unknown' }, { keys }) // ERR_JWE_NO_MATCHING_KEY
 * ```
 */
export class JweNoMatchingKeyError extends JweError {
	/** Always `ERR_JWE_NO_MATCHING_KEY`. */
	override readonly code: "ERR_JWE_NO_MATCHING_KEY" = "ERR_JWE_NO_MATCHING_KEY";

	/**
	 * @param message - which lookup failed (kid and alg, never key material).
	 * @param options - `cause`, e.g. the key set's error.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_NO_MATCHING_KEY", message, options);
	}
}

/**
 * jose refused to encrypt with the recipient key. Code `ERR_JWE_ENCRYPTION_FAILED`.
 *
 * @example
 * ```ts
 * import { serialize } from '@xshl/jwe'
 * // an EC key looked up for alg RSA-OAEP-256 -> ERR_JWE_ENCRYPTION_FAILED
 * ```
 */
export class JweEncryptionFailedError extends JweError {
	/** Always `ERR_JWE_ENCRYPTION_FAILED`. */
	override readonly code: "ERR_JWE_ENCRYPTION_FAILED" = "ERR_JWE_ENCRYPTION_FAILED";

	/**
	 * @param message - what failed.
	 * @param options - `cause` (the jose error).
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_ENCRYPTION_FAILED", message, options);
	}
}

/**
 * The token is longer than `maxTokenLength`. Code `ERR_JWE_TOKEN_TOO_LARGE`. Checked before
 * the token is split or decoded.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize('a'.repeat(10_000), { keys }) // ERR_JWE_TOKEN_TOO_LARGE
 * ```
 */
export class JweTokenTooLargeError extends JweError {
	/** Always `ERR_JWE_TOKEN_TOO_LARGE`. */
	override readonly code: "ERR_JWE_TOKEN_TOO_LARGE" = "ERR_JWE_TOKEN_TOO_LARGE";
	/** The length seen, in characters. */
	readonly length: number;
	/** The configured limit, in characters. */
	readonly maxTokenLength: number;

	/**
	 * @param length - the length seen, in characters.
	 * @param maxTokenLength - the configured limit, in characters.
	 */
	constructor(length: number, maxTokenLength: number) {
		super(
			"ERR_JWE_TOKEN_TOO_LARGE",
			`JWE is ${length} characters long; the limit (maxTokenLength) is ${maxTokenLength}`,
		);
		this.length = length;
		this.maxTokenLength = maxTokenLength;
	}
}

/**
 * The input is not a well-formed compact JWE. Code `ERR_JWE_INVALID`.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize('a.b.c', { keys }) // a JWS, not a JWE: ERR_JWE_INVALID
 * ```
 */
export class JweInvalidError extends JweError {
	/** Always `ERR_JWE_INVALID`. */
	override readonly code: "ERR_JWE_INVALID" = "ERR_JWE_INVALID";

	/**
	 * @param message - what was malformed.
	 * @param options - `cause` (the jose error), if any.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_INVALID", message, options);
	}
}

/**
 * The token's `alg` or `enc` is outside the allowlist. Code `ERR_JWE_ALG_NOT_ALLOWED`; the
 * cause is a jose `JOSEAlgNotAllowed` (`ERR_JOSE_ALG_NOT_ALLOWED`).
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize(rsa15Token, { keys }) // ERR_JWE_ALG_NOT_ALLOWED
 * ```
 */
export class JweAlgNotAllowedError extends JweError {
	/** Always `ERR_JWE_ALG_NOT_ALLOWED`. */
	override readonly code: "ERR_JWE_ALG_NOT_ALLOWED" = "ERR_JWE_ALG_NOT_ALLOWED";
	/** Which header parameter was refused. */
	readonly parameter: "alg" | "enc";

	/**
	 * @param parameter - `alg` or `enc`.
	 * @param message - what was refused and what is allowed.
	 * @param options - `cause` (a jose `JOSEAlgNotAllowed`).
	 */
	constructor(parameter: "alg" | "enc", message: string, options?: JweErrorOptions) {
		super("ERR_JWE_ALG_NOT_ALLOWED", message, options);
		this.parameter = parameter;
	}
}

/**
 * A `zip` parameter was found. Code `ERR_JWE_ZIP_REFUSED`; on deserialize the cause is a jose
 * `JOSENotSupported` (`ERR_JOSE_NOT_SUPPORTED`), as jose gives with `maxDecompressedLength: 0`.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize(zipToken, { keys }) // ERR_JWE_ZIP_REFUSED, before any decryption
 * ```
 */
export class JweZipRefusedError extends JweError {
	/** Always `ERR_JWE_ZIP_REFUSED`. */
	override readonly code: "ERR_JWE_ZIP_REFUSED" = "ERR_JWE_ZIP_REFUSED";

	/**
	 * @param message - where the zip parameter was.
	 * @param options - `cause`, if any.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_ZIP_REFUSED", message, options);
	}
}

/**
 * jose does not support something the token uses. Code `ERR_JWE_NOT_SUPPORTED`.
 *
 * @example
 * ```ts
 * import { JweNotSupportedError } from '@xshl/jwe/errors'
 * console.log(new JweNotSupportedError('x').code) // ERR_JWE_NOT_SUPPORTED
 * ```
 */
export class JweNotSupportedError extends JweError {
	/** Always `ERR_JWE_NOT_SUPPORTED`. */
	override readonly code: "ERR_JWE_NOT_SUPPORTED" = "ERR_JWE_NOT_SUPPORTED";

	/**
	 * @param message - what is not supported.
	 * @param options - `cause` (the jose error).
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_NOT_SUPPORTED", message, options);
	}
}

/** The one message of every {@link JweDecryptionFailedError}. */
export const DECRYPTION_FAILED_MESSAGE = "JWE decryption failed";

/**
 * Decryption failed. Code `ERR_JWE_DECRYPTION_FAILED`. Class, code and message are identical
 * for a wrong key, a modified encrypted key, IV, ciphertext or tag (RFC 7516 §11.5), and no
 * `cause` is attached, so the error cannot be used as an oracle.
 *
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * await deserialize(tamperedToken, { keys }) // ERR_JWE_DECRYPTION_FAILED
 * ```
 */
export class JweDecryptionFailedError extends JweError {
	/** Always `ERR_JWE_DECRYPTION_FAILED`. */
	override readonly code: "ERR_JWE_DECRYPTION_FAILED" = "ERR_JWE_DECRYPTION_FAILED";

	/** Always the same message; no cause. */
	constructor() {
		super("ERR_JWE_DECRYPTION_FAILED", DECRYPTION_FAILED_MESSAGE);
	}
}

/**
 * A nested token is malformed. Code `ERR_JWE_NESTED_INVALID`.
 *
 * @example
 * ```ts
 * import { decryptThenVerify } from '@xshl/jwe'
 * await decryptThenVerify(jweOfRawClaims, { keys, verify }) // ERR_JWE_NESTED_INVALID
 * ```
 */
export class JweNestedInvalidError extends JweError {
	/** Always `ERR_JWE_NESTED_INVALID`. */
	override readonly code: "ERR_JWE_NESTED_INVALID" = "ERR_JWE_NESTED_INVALID";

	/**
	 * @param message - what was wrong with the nesting.
	 * @param options - `cause`, if any.
	 */
	constructor(message: string, options?: JweErrorOptions) {
		super("ERR_JWE_NESTED_INVALID", message, options);
	}
}

/**
 * The inner JWS failed verification. Code `ERR_JWE_NESTED_VERIFICATION_FAILED`; the verifier's
 * own error (e.g. a session-core `ERR_SESSION_*` or jose `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`)
 * is the cause.
 *
 * @example
 * ```ts
 * import { decryptThenVerify } from '@xshl/jwe'
 * try { await decryptThenVerify(token, { keys, verify }) } catch (e) { console.log((e as Error).cause) }
 * ```
 */
export class JweNestedVerificationFailedError extends JweError {
	/** Always `ERR_JWE_NESTED_VERIFICATION_FAILED`. */
	override readonly code: "ERR_JWE_NESTED_VERIFICATION_FAILED" =
		"ERR_JWE_NESTED_VERIFICATION_FAILED";

	/**
	 * @param options - `cause` (the verifier's error).
	 */
	constructor(options?: JweErrorOptions) {
		super(
			"ERR_JWE_NESTED_VERIFICATION_FAILED",
			"the inner JWS of the nested token failed verification",
			options,
		);
	}
}

/** Discriminated union of every error `@xshl/jwe` throws; narrow it on `code`. */
export type JweErrors =
	| JweConfigError
	| JweHeaderInvalidError
	| JwePayloadInvalidError
	| JweNoMatchingKeyError
	| JweEncryptionFailedError
	| JweTokenTooLargeError
	| JweInvalidError
	| JweAlgNotAllowedError
	| JweZipRefusedError
	| JweNotSupportedError
	| JweDecryptionFailedError
	| JweNestedInvalidError
	| JweNestedVerificationFailedError;
