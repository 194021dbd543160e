/**
 * Typed errors of `@xshl/session-core`. Every failure is a subclass of {@link SessionError}
 * with a stable `code` and an HTTP `status` hint; handle them across packages by `code`, not
 * `instanceof`. Token rejections extend {@link SessionTokenError}. jose and zod failures are
 * kept as `cause`. Messages never carry tokens or keys.
 *
 * Import from `@xshl/session-core` or `@xshl/session-core/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/session-core` with its one-line meaning. The
 * {@link SessionErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { SESSION_ERROR_CODES } from '@xshl/session-core/errors'
 * console.log(SESSION_ERROR_CODES.ERR_SESSION_EXPIRED)
 * ```
 */
export const SESSION_ERROR_CODES = {
	ERR_SESSION_CONFIG_INVALID:
		"The session config or verify options failed validation (see `issues`); thrown at construction, before any token is read.",
	ERR_SESSION_KEY_INVALID:
		"The signing key cannot be imported or does not fit `header.alg` (wrong type, too small, not a private key).",
	ERR_SESSION_VALUE_INVALID:
		"A claim value given to a setter, `set()` or `update()` has the wrong type, or the claim is read-only.",
	ERR_SESSION_AUDIENCE_NOT_ALLOWED:
		"An `aud` value outside the configured audience allowlist was set on a session.",
	ERR_SESSION_CLAIM_NOT_JSON:
		"A claim value cannot be encoded as JSON (function, symbol, bigint, NaN, Map, class instance, cycle, nesting deeper than 64).",
	ERR_SESSION_SIGN_FAILED: "Signing the token failed (the jose error is the `cause`).",
	ERR_SESSION_TOKEN_TOO_LARGE:
		"The token is longer than `maxTokenBytes`; refused before any decoding.",
	ERR_SESSION_TOKEN_MALFORMED:
		"The token is not a compact JWS of three base64url parts with a JSON object header and claims set.",
	ERR_SESSION_HEADER_UNSUPPORTED:
		"The protected header carries a parameter session tokens never use (`crit`, `b64`, `cty`, `jku`, `jwk`, `x5u`, `x5c`, `x5t`, `zip`).",
	ERR_SESSION_ALG_NOT_ALLOWED:
		"The header `alg` is not in the verifier's explicit algorithm list (`none` and HS* never are by default).",
	ERR_SESSION_KEY_UNKNOWN:
		"No key of the key set matches the token's `kid`/`alg` (or more than one does).",
	ERR_SESSION_KEYS_UNAVAILABLE:
		"The key set cannot provide keys right now (e.g. the JWKS fetch failed): answer 503, never 401.",
	ERR_SESSION_SIGNATURE_INVALID: "The signature does not verify with the resolved key.",
	ERR_SESSION_TYPE_INVALID:
		"The header `typ` is missing or is not `xshl-session+jwt` (nor `JWT` when `acceptedTypes` adds it; RFC 8725 explicit typing).",
	ERR_SESSION_EXPIRED:
		"`exp` is past (beyond the leeway), or `iat` is older than `maxTokenAge` plus the leeway.",
	ERR_SESSION_NOT_YET_VALID: "`nbf` is in the future beyond the leeway.",
	ERR_SESSION_ISSUED_IN_FUTURE: "`iat` is in the future beyond the leeway.",
	ERR_SESSION_CLAIM_MISSING: "A required claim is absent (`claim` names it).",
	ERR_SESSION_CLAIM_INVALID:
		"A claim has the wrong type or form, e.g. `exp` not a safe integer or `jti` not a UUID (`claim` names it).",
	ERR_SESSION_AUDIENCE_INVALID: "The token's `aud` has no value in the audience allowlist.",
	ERR_SESSION_ISSUER_INVALID: "The token's `iss` is not one of the accepted issuers.",
	ERR_SESSION_VERSION_MISMATCH: "The token's `version` is not the expected session version.",
	ERR_SESSION_SID_MISMATCH:
		"The token's `sid` is not the expected session id (another key-set name or another trace).",
	ERR_SESSION_TRACE_MISMATCH:
		"The token's `trace` does not match the verifier's trace for its `jti` (another client context).",
} as const;

/** Every stable error code `@xshl/session-core` can throw. */
export type SessionErrorCode = keyof typeof SESSION_ERROR_CODES;

/**
 * HTTP status hint per code: 401 for a rejected token, 503 when keys are unavailable, 400 for
 * a bad value set by the caller, 500 for a server-side misconfiguration.
 *
 * @example
 * ```ts
 * import { SESSION_ERROR_STATUS } from '@xshl/session-core/errors'
 * SESSION_ERROR_STATUS.ERR_SESSION_KEYS_UNAVAILABLE // 503
 * ```
 */
export const SESSION_ERROR_STATUS: Readonly<Record<SessionErrorCode, 400 | 401 | 500 | 503>> = {
	ERR_SESSION_CONFIG_INVALID: 500,
	ERR_SESSION_KEY_INVALID: 500,
	ERR_SESSION_VALUE_INVALID: 400,
	ERR_SESSION_AUDIENCE_NOT_ALLOWED: 400,
	ERR_SESSION_CLAIM_NOT_JSON: 400,
	ERR_SESSION_SIGN_FAILED: 500,
	ERR_SESSION_TOKEN_TOO_LARGE: 401,
	ERR_SESSION_TOKEN_MALFORMED: 401,
	ERR_SESSION_HEADER_UNSUPPORTED: 401,
	ERR_SESSION_ALG_NOT_ALLOWED: 401,
	ERR_SESSION_KEY_UNKNOWN: 401,
	ERR_SESSION_KEYS_UNAVAILABLE: 503,
	ERR_SESSION_SIGNATURE_INVALID: 401,
	ERR_SESSION_TYPE_INVALID: 401,
	ERR_SESSION_EXPIRED: 401,
	ERR_SESSION_NOT_YET_VALID: 401,
	ERR_SESSION_ISSUED_IN_FUTURE: 401,
	ERR_SESSION_CLAIM_MISSING: 401,
	ERR_SESSION_CLAIM_INVALID: 401,
	ERR_SESSION_AUDIENCE_INVALID: 401,
	ERR_SESSION_ISSUER_INVALID: 401,
	ERR_SESSION_VERSION_MISMATCH: 401,
	ERR_SESSION_SID_MISMATCH: 401,
	ERR_SESSION_TRACE_MISMATCH: 401,
};

/** Options shared by every `@xshl/session-core` error constructor. */
export interface SessionErrorOptions {
	/** The underlying error (jose, zod, `@xshl/keys`), kept as `cause`. */
	cause?: unknown;
	/** The claim the failure is about, when there is one. */
	claim?: string;
}

/**
 * Base class of every `@xshl/session-core` error.
 *
 * @example
 * ```ts
 * import { SessionError } from '@xshl/session-core'
 * try { await session.merge(token) } catch (e) { if (e instanceof SessionError) console.log(e.code, e.status) }
 * ```
 */
export class SessionError extends Error {
	/** Stable machine-readable code; see {@link SESSION_ERROR_CODES}. */
	readonly code: SessionErrorCode;
	/** The claim the failure is about (`exp`, `aud`, ...), when there is one. */
	readonly claim: string | undefined;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what was wrong and what was expected; never carries tokens or keys.
	 * @param options - `cause` and `claim`.
	 */
	constructor(code: SessionErrorCode, message: string, options?: SessionErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
		this.claim = options?.claim;
	}

	/** HTTP status hint for this code; see {@link SESSION_ERROR_STATUS}. */
	get status(): 400 | 401 | 500 | 503 {
		return SESSION_ERROR_STATUS[this.code];
	}
}

/**
 * Base class of every token rejection by `verifySession`, `Session#merge` and
 * `Session#tryMerge` (status 401, or 503 for `ERR_SESSION_KEYS_UNAVAILABLE`).
 *
 * @example
 * ```ts
 * import { SessionTokenError, verifySession } from '@xshl/session-core'
 * try { await verifySession(token, { keys }) } catch (e) { if (e instanceof SessionTokenError) reply.code(e.status) }
 * ```
 */
export class SessionTokenError extends SessionError {}

/** A session config or verify options that failed zod validation, one entry per issue. */
export interface SessionConfigIssue {
	/** Dotted path of the field, e.g. `header.alg`. */
	readonly path: string;
	/** What was wrong and what was expected. */
	readonly message: string;
}

/**
 * The session config or verify options failed validation (see `issues`); thrown at construction, before any token is read. Code `ERR_SESSION_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionConfigError } from '@xshl/session-core/errors'
 * new SessionConfigError("x", []).code // 'ERR_SESSION_CONFIG_INVALID'
 * ```
 */
export class SessionConfigError extends SessionError {
	/** Always `ERR_SESSION_CONFIG_INVALID`. */
	override readonly code: "ERR_SESSION_CONFIG_INVALID" = "ERR_SESSION_CONFIG_INVALID";

	/** Every zod issue, with the dotted path of the field. */
	readonly issues: readonly SessionConfigIssue[];

	/**
	 * @param message - the issues, joined, each naming its field.
	 * @param issues - every issue with its field path.
	 * @param options - `cause` (the zod error).
	 */
	constructor(
		message: string,
		issues: readonly SessionConfigIssue[],
		options?: SessionErrorOptions,
	) {
		super("ERR_SESSION_CONFIG_INVALID", message, options);
		this.issues = issues;
	}
}

/**
 * The signing key cannot be imported or does not fit `header.alg` (wrong type, too small, not a private key). Code `ERR_SESSION_KEY_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionKeyError } from '@xshl/session-core/errors'
 * new SessionKeyError("x").code // 'ERR_SESSION_KEY_INVALID'
 * ```
 */
export class SessionKeyError extends SessionError {
	/** Always `ERR_SESSION_KEY_INVALID`. */
	override readonly code: "ERR_SESSION_KEY_INVALID" = "ERR_SESSION_KEY_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_KEY_INVALID", message, options);
	}
}

/**
 * A claim value given to a setter, `set()` or `update()` has the wrong type, or the claim is read-only. Code `ERR_SESSION_VALUE_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionValueError } from '@xshl/session-core/errors'
 * new SessionValueError("x").code // 'ERR_SESSION_VALUE_INVALID'
 * ```
 */
export class SessionValueError extends SessionError {
	/** Always `ERR_SESSION_VALUE_INVALID`. */
	override readonly code: "ERR_SESSION_VALUE_INVALID" = "ERR_SESSION_VALUE_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_VALUE_INVALID", message, options);
	}
}

/**
 * An `aud` value outside the configured audience allowlist was set on a session. Code `ERR_SESSION_AUDIENCE_NOT_ALLOWED`.
 *
 * @example
 * ```ts
 * import { SessionAudienceNotAllowedError } from '@xshl/session-core/errors'
 * new SessionAudienceNotAllowedError("x").code // 'ERR_SESSION_AUDIENCE_NOT_ALLOWED'
 * ```
 */
export class SessionAudienceNotAllowedError extends SessionError {
	/** Always `ERR_SESSION_AUDIENCE_NOT_ALLOWED`. */
	override readonly code: "ERR_SESSION_AUDIENCE_NOT_ALLOWED" = "ERR_SESSION_AUDIENCE_NOT_ALLOWED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_AUDIENCE_NOT_ALLOWED", message, options);
	}
}

/**
 * A claim value cannot be encoded as JSON (function, symbol, bigint, NaN, Map, class instance, cycle, nesting deeper than 64). Code `ERR_SESSION_CLAIM_NOT_JSON`.
 *
 * @example
 * ```ts
 * import { SessionClaimNotJsonError } from '@xshl/session-core/errors'
 * new SessionClaimNotJsonError("x").code // 'ERR_SESSION_CLAIM_NOT_JSON'
 * ```
 */
export class SessionClaimNotJsonError extends SessionError {
	/** Always `ERR_SESSION_CLAIM_NOT_JSON`. */
	override readonly code: "ERR_SESSION_CLAIM_NOT_JSON" = "ERR_SESSION_CLAIM_NOT_JSON";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_CLAIM_NOT_JSON", message, options);
	}
}

/**
 * Signing the token failed (the jose error is the `cause`). Code `ERR_SESSION_SIGN_FAILED`.
 *
 * @example
 * ```ts
 * import { SessionSignError } from '@xshl/session-core/errors'
 * new SessionSignError("x").code // 'ERR_SESSION_SIGN_FAILED'
 * ```
 */
export class SessionSignError extends SessionError {
	/** Always `ERR_SESSION_SIGN_FAILED`. */
	override readonly code: "ERR_SESSION_SIGN_FAILED" = "ERR_SESSION_SIGN_FAILED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_SIGN_FAILED", message, options);
	}
}

/**
 * The token is longer than `maxTokenBytes`; refused before any decoding. Code `ERR_SESSION_TOKEN_TOO_LARGE`.
 *
 * @example
 * ```ts
 * import { SessionTokenTooLargeError } from '@xshl/session-core/errors'
 * new SessionTokenTooLargeError("x").code // 'ERR_SESSION_TOKEN_TOO_LARGE'
 * ```
 */
export class SessionTokenTooLargeError extends SessionTokenError {
	/** Always `ERR_SESSION_TOKEN_TOO_LARGE`. */
	override readonly code: "ERR_SESSION_TOKEN_TOO_LARGE" = "ERR_SESSION_TOKEN_TOO_LARGE";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_TOKEN_TOO_LARGE", message, options);
	}
}

/**
 * The token is not a compact JWS of three base64url parts with a JSON object header and claims set. Code `ERR_SESSION_TOKEN_MALFORMED`.
 *
 * @example
 * ```ts
 * import { SessionTokenMalformedError } from '@xshl/session-core/errors'
 * new SessionTokenMalformedError("x").code // 'ERR_SESSION_TOKEN_MALFORMED'
 * ```
 */
export class SessionTokenMalformedError extends SessionTokenError {
	/** Always `ERR_SESSION_TOKEN_MALFORMED`. */
	override readonly code: "ERR_SESSION_TOKEN_MALFORMED" = "ERR_SESSION_TOKEN_MALFORMED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_TOKEN_MALFORMED", message, options);
	}
}

/**
 * The protected header carries a parameter session tokens never use (`crit`, `b64`, `cty`, `jku`, `jwk`, `x5u`, `x5c`, `x5t`, `zip`). Code `ERR_SESSION_HEADER_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * import { SessionHeaderUnsupportedError } from '@xshl/session-core/errors'
 * new SessionHeaderUnsupportedError("x").code // 'ERR_SESSION_HEADER_UNSUPPORTED'
 * ```
 */
export class SessionHeaderUnsupportedError extends SessionTokenError {
	/** Always `ERR_SESSION_HEADER_UNSUPPORTED`. */
	override readonly code: "ERR_SESSION_HEADER_UNSUPPORTED" = "ERR_SESSION_HEADER_UNSUPPORTED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_HEADER_UNSUPPORTED", message, options);
	}
}

/**
 * The header `alg` is not in the verifier's explicit algorithm list (`none` and HS* never are by default). Code `ERR_SESSION_ALG_NOT_ALLOWED`.
 *
 * @example
 * ```ts
 * import { SessionAlgNotAllowedError } from '@xshl/session-core/errors'
 * new SessionAlgNotAllowedError("x").code // 'ERR_SESSION_ALG_NOT_ALLOWED'
 * ```
 */
export class SessionAlgNotAllowedError extends SessionTokenError {
	/** Always `ERR_SESSION_ALG_NOT_ALLOWED`. */
	override readonly code: "ERR_SESSION_ALG_NOT_ALLOWED" = "ERR_SESSION_ALG_NOT_ALLOWED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_ALG_NOT_ALLOWED", message, options);
	}
}

/**
 * No key of the key set matches the token's `kid`/`alg` (or more than one does). Code `ERR_SESSION_KEY_UNKNOWN`.
 *
 * @example
 * ```ts
 * import { SessionKeyUnknownError } from '@xshl/session-core/errors'
 * new SessionKeyUnknownError("x").code // 'ERR_SESSION_KEY_UNKNOWN'
 * ```
 */
export class SessionKeyUnknownError extends SessionTokenError {
	/** Always `ERR_SESSION_KEY_UNKNOWN`. */
	override readonly code: "ERR_SESSION_KEY_UNKNOWN" = "ERR_SESSION_KEY_UNKNOWN";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_KEY_UNKNOWN", message, options);
	}
}

/**
 * The key set cannot provide keys right now (e.g. the JWKS fetch failed): answer 503, never 401. Code `ERR_SESSION_KEYS_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { SessionKeysUnavailableError } from '@xshl/session-core/errors'
 * new SessionKeysUnavailableError("x").code // 'ERR_SESSION_KEYS_UNAVAILABLE'
 * ```
 */
export class SessionKeysUnavailableError extends SessionTokenError {
	/** Always `ERR_SESSION_KEYS_UNAVAILABLE`. */
	override readonly code: "ERR_SESSION_KEYS_UNAVAILABLE" = "ERR_SESSION_KEYS_UNAVAILABLE";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_KEYS_UNAVAILABLE", message, options);
	}
}

/**
 * The signature does not verify with the resolved key. Code `ERR_SESSION_SIGNATURE_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionSignatureInvalidError } from '@xshl/session-core/errors'
 * new SessionSignatureInvalidError("x").code // 'ERR_SESSION_SIGNATURE_INVALID'
 * ```
 */
export class SessionSignatureInvalidError extends SessionTokenError {
	/** Always `ERR_SESSION_SIGNATURE_INVALID`. */
	override readonly code: "ERR_SESSION_SIGNATURE_INVALID" = "ERR_SESSION_SIGNATURE_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_SIGNATURE_INVALID", message, options);
	}
}

/**
 * The header `typ` is missing or is not `xshl-session+jwt` (nor `JWT` when `acceptedTypes` adds it; RFC 8725 explicit typing). Code `ERR_SESSION_TYPE_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionTypeInvalidError } from '@xshl/session-core/errors'
 * new SessionTypeInvalidError("x").code // 'ERR_SESSION_TYPE_INVALID'
 * ```
 */
export class SessionTypeInvalidError extends SessionTokenError {
	/** Always `ERR_SESSION_TYPE_INVALID`. */
	override readonly code: "ERR_SESSION_TYPE_INVALID" = "ERR_SESSION_TYPE_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_TYPE_INVALID", message, options);
	}
}

/**
 * `exp` is past (beyond the leeway), or `iat` is older than `maxTokenAge` plus the leeway. Code `ERR_SESSION_EXPIRED`.
 *
 * @example
 * ```ts
 * import { SessionExpiredError } from '@xshl/session-core/errors'
 * new SessionExpiredError("x").code // 'ERR_SESSION_EXPIRED'
 * ```
 */
export class SessionExpiredError extends SessionTokenError {
	/** Always `ERR_SESSION_EXPIRED`. */
	override readonly code: "ERR_SESSION_EXPIRED" = "ERR_SESSION_EXPIRED";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_EXPIRED", message, options);
	}
}

/**
 * `nbf` is in the future beyond the leeway. Code `ERR_SESSION_NOT_YET_VALID`.
 *
 * @example
 * ```ts
 * import { SessionNotYetValidError } from '@xshl/session-core/errors'
 * new SessionNotYetValidError("x").code // 'ERR_SESSION_NOT_YET_VALID'
 * ```
 */
export class SessionNotYetValidError extends SessionTokenError {
	/** Always `ERR_SESSION_NOT_YET_VALID`. */
	override readonly code: "ERR_SESSION_NOT_YET_VALID" = "ERR_SESSION_NOT_YET_VALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_NOT_YET_VALID", message, options);
	}
}

/**
 * `iat` is in the future beyond the leeway. Code `ERR_SESSION_ISSUED_IN_FUTURE`.
 *
 * @example
 * ```ts
 * import { SessionIssuedInFutureError } from '@xshl/session-core/errors'
 * new SessionIssuedInFutureError("x").code // 'ERR_SESSION_ISSUED_IN_FUTURE'
 * ```
 */
export class SessionIssuedInFutureError extends SessionTokenError {
	/** Always `ERR_SESSION_ISSUED_IN_FUTURE`. */
	override readonly code: "ERR_SESSION_ISSUED_IN_FUTURE" = "ERR_SESSION_ISSUED_IN_FUTURE";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_ISSUED_IN_FUTURE", message, options);
	}
}

/**
 * A required claim is absent (`claim` names it). Code `ERR_SESSION_CLAIM_MISSING`.
 *
 * @example
 * ```ts
 * import { SessionClaimMissingError } from '@xshl/session-core/errors'
 * new SessionClaimMissingError("x").code // 'ERR_SESSION_CLAIM_MISSING'
 * ```
 */
export class SessionClaimMissingError extends SessionTokenError {
	/** Always `ERR_SESSION_CLAIM_MISSING`. */
	override readonly code: "ERR_SESSION_CLAIM_MISSING" = "ERR_SESSION_CLAIM_MISSING";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_CLAIM_MISSING", message, options);
	}
}

/**
 * A claim has the wrong type or form, e.g. `exp` not a safe integer or `jti` not a UUID (`claim` names it). Code `ERR_SESSION_CLAIM_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionClaimInvalidError } from '@xshl/session-core/errors'
 * new SessionClaimInvalidError("x").code // 'ERR_SESSION_CLAIM_INVALID'
 * ```
 */
export class SessionClaimInvalidError extends SessionTokenError {
	/** Always `ERR_SESSION_CLAIM_INVALID`. */
	override readonly code: "ERR_SESSION_CLAIM_INVALID" = "ERR_SESSION_CLAIM_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_CLAIM_INVALID", message, options);
	}
}

/**
 * The token's `aud` has no value in the audience allowlist. Code `ERR_SESSION_AUDIENCE_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionAudienceInvalidError } from '@xshl/session-core/errors'
 * new SessionAudienceInvalidError("x").code // 'ERR_SESSION_AUDIENCE_INVALID'
 * ```
 */
export class SessionAudienceInvalidError extends SessionTokenError {
	/** Always `ERR_SESSION_AUDIENCE_INVALID`. */
	override readonly code: "ERR_SESSION_AUDIENCE_INVALID" = "ERR_SESSION_AUDIENCE_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_AUDIENCE_INVALID", message, options);
	}
}

/**
 * The token's `iss` is not one of the accepted issuers. Code `ERR_SESSION_ISSUER_INVALID`.
 *
 * @example
 * ```ts
 * import { SessionIssuerInvalidError } from '@xshl/session-core/errors'
 * new SessionIssuerInvalidError("x").code // 'ERR_SESSION_ISSUER_INVALID'
 * ```
 */
export class SessionIssuerInvalidError extends SessionTokenError {
	/** Always `ERR_SESSION_ISSUER_INVALID`. */
	override readonly code: "ERR_SESSION_ISSUER_INVALID" = "ERR_SESSION_ISSUER_INVALID";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_ISSUER_INVALID", message, options);
	}
}

/**
 * The token's `version` is not the expected session version. Code `ERR_SESSION_VERSION_MISMATCH`.
 *
 * @example
 * ```ts
 * import { SessionVersionMismatchError } from '@xshl/session-core/errors'
 * new SessionVersionMismatchError("x").code // 'ERR_SESSION_VERSION_MISMATCH'
 * ```
 */
export class SessionVersionMismatchError extends SessionTokenError {
	/** Always `ERR_SESSION_VERSION_MISMATCH`. */
	override readonly code: "ERR_SESSION_VERSION_MISMATCH" = "ERR_SESSION_VERSION_MISMATCH";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_VERSION_MISMATCH", message, options);
	}
}

/**
 * The token's `sid` is not the expected session id (another key-set name or another trace). Code `ERR_SESSION_SID_MISMATCH`.
 *
 * @example
 * ```ts
 * import { SessionSidMismatchError } from '@xshl/session-core/errors'
 * new SessionSidMismatchError("x").code // 'ERR_SESSION_SID_MISMATCH'
 * ```
 */
export class SessionSidMismatchError extends SessionTokenError {
	/** Always `ERR_SESSION_SID_MISMATCH`. */
	override readonly code: "ERR_SESSION_SID_MISMATCH" = "ERR_SESSION_SID_MISMATCH";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_SID_MISMATCH", message, options);
	}
}

/**
 * The token's `trace` does not match the verifier's trace for its `jti` (another client context). Code `ERR_SESSION_TRACE_MISMATCH`.
 *
 * @example
 * ```ts
 * import { SessionTraceMismatchError } from '@xshl/session-core/errors'
 * new SessionTraceMismatchError("x").code // 'ERR_SESSION_TRACE_MISMATCH'
 * ```
 */
export class SessionTraceMismatchError extends SessionTokenError {
	/** Always `ERR_SESSION_TRACE_MISMATCH`. */
	override readonly code: "ERR_SESSION_TRACE_MISMATCH" = "ERR_SESSION_TRACE_MISMATCH";

	/**
	 * @param message - what was wrong and what was expected.
	 * @param options - `cause` and `claim`.
	 */
	constructor(message: string, options?: SessionErrorOptions) {
		super("ERR_SESSION_TRACE_MISMATCH", message, options);
	}
}

/** Discriminated union of every error `@xshl/session-core` throws; narrow it on `code`. */
export type SessionErrors =
	| SessionConfigError
	| SessionKeyError
	| SessionValueError
	| SessionAudienceNotAllowedError
	| SessionClaimNotJsonError
	| SessionSignError
	| SessionTokenTooLargeError
	| SessionTokenMalformedError
	| SessionHeaderUnsupportedError
	| SessionAlgNotAllowedError
	| SessionKeyUnknownError
	| SessionKeysUnavailableError
	| SessionSignatureInvalidError
	| SessionTypeInvalidError
	| SessionExpiredError
	| SessionNotYetValidError
	| SessionIssuedInFutureError
	| SessionClaimMissingError
	| SessionClaimInvalidError
	| SessionAudienceInvalidError
	| SessionIssuerInvalidError
	| SessionVersionMismatchError
	| SessionSidMismatchError
	| SessionTraceMismatchError;
