/**
 * Typed errors of `@xshl/session-core` (import from `@xshl/session-core` or its `/errors`):
 * the registry, the base class, one subclass per code; token rejections extend
 * {@link SessionTokenError}. Messages never carry tokens or keys.
 * @module
 */

/**
 * Every code with the HTTP `status` a server should answer and its `meaning`; the
 * {@link SessionErrorCode} union and the README error table come from it.
 * @example `SESSION_ERROR_CODES.ERR_SESSION_KEYS_UNAVAILABLE.status // 503`
 */
// biome-ignore format: one row per code, like the README table
export const SESSION_ERROR_CODES = {
	ERR_SESSION_CONFIG_INVALID: { status: 500, meaning: "The session config or verify options failed validation (see `issues`); thrown at construction, before any token is read." },
	ERR_SESSION_KEY_INVALID: { status: 500, meaning: "The signing key cannot be imported or does not fit `header.alg` (wrong type, too small, not a private key)." },
	ERR_SESSION_VALUE_INVALID: { status: 400, meaning: "A claim value given to a setter, `set()` or `update()` has the wrong type, or the claim is read-only." },
	ERR_SESSION_AUDIENCE_NOT_ALLOWED: { status: 400, meaning: "An `aud` value outside the configured audience allowlist was set on a session." },
	ERR_SESSION_CLAIM_NOT_JSON: { status: 400, meaning: "A claim value cannot be encoded as JSON (function, symbol, bigint, NaN, Map, class instance, cycle, nesting deeper than 64)." },
	ERR_SESSION_SIGN_FAILED: { status: 500, meaning: "Signing the token failed (the jose error is the `cause`)." },
	ERR_SESSION_TOKEN_TOO_LARGE: { status: 401, meaning: "The token is longer than `maxTokenBytes`; refused before any decoding." },
	ERR_SESSION_TOKEN_MALFORMED: { status: 401, meaning: "The token is not a compact JWS of three base64url parts with a JSON object header and claims set." },
	ERR_SESSION_HEADER_UNSUPPORTED: { status: 401, meaning: "The protected header carries a parameter session tokens never use (`crit`, `b64`, `cty`, `jku`, `jwk`, `x5u`, `x5c`, `x5t`, `zip`)." },
	ERR_SESSION_ALG_NOT_ALLOWED: { status: 401, meaning: "The header `alg` is not in the verifier's explicit algorithm list (`none` and HS* never are by default)." },
	ERR_SESSION_KEY_UNKNOWN: { status: 401, meaning: "No key of the key set matches the token's `kid`/`alg` (or more than one does)." },
	ERR_SESSION_KEYS_UNAVAILABLE: { status: 503, meaning: "The key set cannot provide keys right now (e.g. the JWKS fetch failed): answer 503, never 401." },
	ERR_SESSION_SIGNATURE_INVALID: { status: 401, meaning: "The signature does not verify with the resolved key." },
	ERR_SESSION_TYPE_INVALID: { status: 401, meaning: "The header `typ` is missing or is not `xshl-session+jwt` (nor `JWT` when `acceptedTypes` adds it; RFC 8725 explicit typing)." },
	ERR_SESSION_EXPIRED: { status: 401, meaning: "`exp` is past (beyond the leeway), or `iat` is older than the maximum token age plus the leeway." },
	ERR_SESSION_NOT_YET_VALID: { status: 401, meaning: "`nbf` is in the future beyond the leeway." },
	ERR_SESSION_ISSUED_IN_FUTURE: { status: 401, meaning: "`iat` is in the future beyond the leeway." },
	ERR_SESSION_CLAIM_MISSING: { status: 401, meaning: "A required claim is absent (`claim` names it)." },
	ERR_SESSION_CLAIM_INVALID: { status: 401, meaning: "A claim has the wrong type or form, e.g. `exp` not a safe integer or `jti` not a UUID (`claim` names it)." },
	ERR_SESSION_AUDIENCE_INVALID: { status: 401, meaning: "The token's `aud` has no value in the audience allowlist." },
	ERR_SESSION_ISSUER_INVALID: { status: 401, meaning: "The token's `iss` is not one of the accepted issuers." },
	ERR_SESSION_VERSION_MISMATCH: { status: 401, meaning: "The token's `version` is not the expected session version." },
	ERR_SESSION_SID_MISMATCH: { status: 401, meaning: "The token's `sid` is not the expected session id (another key-set name or another trace)." },
	ERR_SESSION_TRACE_MISMATCH: { status: 401, meaning: "The token's `trace` does not match the verifier's trace for its `jti` (another client context)." },
	ERR_SESSION_REVOKED: { status: 401, meaning: "The `revocations` source reports the token revoked (its `sid`, its `jti`, or a logout everywhere after its `iat`), or refuses every token while its feed is stale." },
} as const;

/** Every stable error code `@xshl/session-core` can throw. */
export type SessionErrorCode = keyof typeof SESSION_ERROR_CODES;
/** Options of every `@xshl/session-core` error constructor. */
export interface SessionErrorOptions {
	/** The underlying error (jose, zod, `@xshl/keys`), kept as `cause`. */
	cause?: unknown;
	/** The claim the failure is about, when there is one. */
	claim?: string;
}
/**
 * Base class of every `@xshl/session-core` error: `code` comes from the subclass's static
 * `code`, `status` from {@link SESSION_ERROR_CODES}, `name` from the constructor.
 * @example `try { await session.merge(token) } catch (e) { if (e instanceof SessionError) reply.code(e.status).send({ code: e.code }) }`
 */
export class SessionError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: SessionErrorCode;
	/** Stable machine-readable code; see {@link SESSION_ERROR_CODES}. */
	readonly code: SessionErrorCode;
	/** The HTTP status a server should answer. */
	readonly status: 400 | 401 | 500 | 503;
	/** The claim the failure is about (`exp`, `aud`, ...), when there is one. */
	readonly claim: string | undefined;
	/** @param message - what was wrong and what was expected. @param options - `cause`, `claim`. */
	constructor(message: string, options?: SessionErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof SessionError).code;
		this.status = SESSION_ERROR_CODES[this.code].status;
		this.claim = options?.claim;
	}
}
/**
 * Base class of every token rejection by `verifySession`, `Session#merge` and
 * `Session#tryMerge` (status 401, or 503 for `ERR_SESSION_KEYS_UNAVAILABLE`).
 * @example `try { await verifySession(token, { keys }) } catch (e) { if (e instanceof SessionTokenError) reply.code(e.status) }`
 */
export class SessionTokenError extends SessionError {}
/** One problem of a config: the dotted option path (`"header.alg"`, `""` for the root) and what was wrong. */
export interface ConfigIssue {
	/** Dotted path of the option, e.g. `header.alg`. */
	readonly path: string;
	/** What was wrong and what was expected. */
	readonly message: string;
}
/** Invalid session config or verify options; `issues` names every field. */
export class SessionConfigError extends SessionError {
	static override readonly code = "ERR_SESSION_CONFIG_INVALID";
	declare readonly code: "ERR_SESSION_CONFIG_INVALID";
	/** Every problem, with the dotted path of the option. */
	readonly issues: readonly ConfigIssue[];
	/** @param message - the issues, joined. @param issues - each problem. @param options - `cause`. */
	constructor(message: string, issues: readonly ConfigIssue[], options?: SessionErrorOptions) {
		super(message, options);
		this.issues = issues;
	}
}
/** The signing key cannot be imported for `header.alg`. */
export class SessionKeyError extends SessionError {
	static override readonly code = "ERR_SESSION_KEY_INVALID";
	declare readonly code: "ERR_SESSION_KEY_INVALID";
}
/** A value set on a session has the wrong type, or the claim is read-only. */
export class SessionValueError extends SessionError {
	static override readonly code = "ERR_SESSION_VALUE_INVALID";
	declare readonly code: "ERR_SESSION_VALUE_INVALID";
}
/** An `aud` set on a session is outside the audience allowlist. */
export class SessionAudienceNotAllowedError extends SessionError {
	static override readonly code = "ERR_SESSION_AUDIENCE_NOT_ALLOWED";
	declare readonly code: "ERR_SESSION_AUDIENCE_NOT_ALLOWED";
}
/** A claim value JSON cannot carry (or nested deeper than 64 levels). */
export class SessionClaimNotJsonError extends SessionError {
	static override readonly code = "ERR_SESSION_CLAIM_NOT_JSON";
	declare readonly code: "ERR_SESSION_CLAIM_NOT_JSON";
}
/** jose could not sign the token; its error is the `cause`. */
export class SessionSignError extends SessionError {
	static override readonly code = "ERR_SESSION_SIGN_FAILED";
	declare readonly code: "ERR_SESSION_SIGN_FAILED";
}
/** The token is longer than `maxTokenBytes`. */
export class SessionTokenTooLargeError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_TOKEN_TOO_LARGE";
	declare readonly code: "ERR_SESSION_TOKEN_TOO_LARGE";
}
/** The token is not a well-formed compact JWS with JSON header and claims. */
export class SessionTokenMalformedError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_TOKEN_MALFORMED";
	declare readonly code: "ERR_SESSION_TOKEN_MALFORMED";
}
/** The protected header carries a parameter session tokens never use. */
export class SessionHeaderUnsupportedError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_HEADER_UNSUPPORTED";
	declare readonly code: "ERR_SESSION_HEADER_UNSUPPORTED";
}
/** The header `alg` is not in the verifier's algorithm list. */
export class SessionAlgNotAllowedError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_ALG_NOT_ALLOWED";
	declare readonly code: "ERR_SESSION_ALG_NOT_ALLOWED";
}
/** No key (or more than one) of the key set matches the token's `kid`/`alg`. */
export class SessionKeyUnknownError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_KEY_UNKNOWN";
	declare readonly code: "ERR_SESSION_KEY_UNKNOWN";
}
/** The key set cannot provide keys right now (status 503, never 401). */
export class SessionKeysUnavailableError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_KEYS_UNAVAILABLE";
	declare readonly code: "ERR_SESSION_KEYS_UNAVAILABLE";
}
/** The signature does not verify. */
export class SessionSignatureInvalidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_SIGNATURE_INVALID";
	declare readonly code: "ERR_SESSION_SIGNATURE_INVALID";
}
/** The header `typ` is missing or not an accepted session type. */
export class SessionTypeInvalidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_TYPE_INVALID";
	declare readonly code: "ERR_SESSION_TYPE_INVALID";
}
/** The token expired, or is older than the maximum token age. */
export class SessionExpiredError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_EXPIRED";
	declare readonly code: "ERR_SESSION_EXPIRED";
}
/** `nbf` is in the future. */
export class SessionNotYetValidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_NOT_YET_VALID";
	declare readonly code: "ERR_SESSION_NOT_YET_VALID";
}
/** `iat` is in the future. */
export class SessionIssuedInFutureError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_ISSUED_IN_FUTURE";
	declare readonly code: "ERR_SESSION_ISSUED_IN_FUTURE";
}
/** A required claim is absent; `claim` names it. */
export class SessionClaimMissingError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_CLAIM_MISSING";
	declare readonly code: "ERR_SESSION_CLAIM_MISSING";
}
/** A claim has the wrong type or form; `claim` names it. */
export class SessionClaimInvalidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_CLAIM_INVALID";
	declare readonly code: "ERR_SESSION_CLAIM_INVALID";
}
/** The token's `aud` has no value in the audience allowlist. */
export class SessionAudienceInvalidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_AUDIENCE_INVALID";
	declare readonly code: "ERR_SESSION_AUDIENCE_INVALID";
}
/** The token's `iss` is not an accepted issuer. */
export class SessionIssuerInvalidError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_ISSUER_INVALID";
	declare readonly code: "ERR_SESSION_ISSUER_INVALID";
}
/** The token's `version` is not the expected one. */
export class SessionVersionMismatchError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_VERSION_MISMATCH";
	declare readonly code: "ERR_SESSION_VERSION_MISMATCH";
}
/** The token's `sid` is not the expected session id. */
export class SessionSidMismatchError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_SID_MISMATCH";
	declare readonly code: "ERR_SESSION_SID_MISMATCH";
}
/** The token's `trace` does not match this client's trace. */
export class SessionTraceMismatchError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_TRACE_MISMATCH";
	declare readonly code: "ERR_SESSION_TRACE_MISMATCH";
}
/** The `revocations` source reports the token revoked (or refuses every token, fail-closed). */
export class SessionRevokedError extends SessionTokenError {
	static override readonly code = "ERR_SESSION_REVOKED";
	declare readonly code: "ERR_SESSION_REVOKED";
}
/** Discriminated union of every error `@xshl/session-core` throws; narrow it on `code`. */
// biome-ignore format: the union in as few lines as it takes
export type SessionErrors =
	| SessionConfigError | SessionKeyError | SessionValueError | SessionAudienceNotAllowedError
	| SessionClaimNotJsonError | SessionSignError | SessionTokenTooLargeError
	| SessionTokenMalformedError | SessionHeaderUnsupportedError | SessionAlgNotAllowedError
	| SessionKeyUnknownError | SessionKeysUnavailableError | SessionSignatureInvalidError
	| SessionTypeInvalidError | SessionExpiredError | SessionNotYetValidError
	| SessionIssuedInFutureError | SessionClaimMissingError | SessionClaimInvalidError
	| SessionAudienceInvalidError | SessionIssuerInvalidError | SessionVersionMismatchError
	| SessionSidMismatchError | SessionTraceMismatchError | SessionRevokedError;
