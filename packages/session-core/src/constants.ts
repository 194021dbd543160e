/**
 * Constants of `@xshl/session-core`: the four defaults of the Python original, plus the
 * limits and the token type this package adds.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */

/**
 * Default session `version` claim.
 *
 * @example
 * ```ts
 * import { DEFAULT_SESSION_VERSION } from '@xshl/session-core'
 * DEFAULT_SESSION_VERSION // 1
 * ```
 */
export const DEFAULT_SESSION_VERSION = 1;

/**
 * Default token lifetime in milliseconds (`exp - iat` = 120 s, the Python original's
 * `DEFAULT_SESSION_EXPIRES`).
 *
 * @example
 * ```ts
 * import { DEFAULT_SESSION_EXPIRES_MS } from '@xshl/session-core'
 * DEFAULT_SESSION_EXPIRES_MS // 120000
 * ```
 */
export const DEFAULT_SESSION_EXPIRES_MS = 120_000;

/**
 * The zero UUID: default issuer (`app`) and default `sub`.
 *
 * @example
 * ```ts
 * import { DEFAULT_UID } from '@xshl/session-core'
 * DEFAULT_UID // '00000000-0000-0000-0000-000000000000'
 * ```
 */
export const DEFAULT_UID = "00000000-0000-0000-0000-000000000000";

/**
 * Placeholder string: the default `aud` of a new session.
 *
 * @example
 * ```ts
 * import { DEFAULT_STR } from '@xshl/session-core'
 * DEFAULT_STR // 'undef'
 * ```
 */
export const DEFAULT_STR = "undef";

/**
 * Largest accepted `expiresMs` (15 minutes); a larger value is a config error.
 *
 * @example
 * ```ts
 * import { MAX_SESSION_EXPIRES_MS } from '@xshl/session-core'
 * MAX_SESSION_EXPIRES_MS // 900000
 * ```
 */
export const MAX_SESSION_EXPIRES_MS = 900_000;

/**
 * Default clock leeway in milliseconds for `exp`, `nbf` and `iat` (allowed 0 to 60 000).
 *
 * @example
 * ```ts
 * import { DEFAULT_LEEWAY_MS } from '@xshl/session-core'
 * DEFAULT_LEEWAY_MS // 5000
 * ```
 */
export const DEFAULT_LEEWAY_MS = 5000;

/**
 * Default largest token accepted by verification, in bytes (8 KiB); longer tokens are
 * refused before any base64 or JSON decoding.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_TOKEN_BYTES } from '@xshl/session-core'
 * DEFAULT_MAX_TOKEN_BYTES // 8192
 * ```
 */
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/**
 * The `typ` header of every session token (RFC 8725 §3.11 explicit typing). Verification
 * also accepts `application/xshl-session+jwt`, in any case.
 *
 * @example
 * ```ts
 * import { SESSION_TOKEN_TYPE } from '@xshl/session-core'
 * SESSION_TOKEN_TYPE // 'xshl-session+jwt'
 * ```
 */
export const SESSION_TOKEN_TYPE = "xshl-session+jwt";

/**
 * The asymmetric JWS algorithms a session may sign and verify with.
 *
 * @example
 * ```ts
 * import { SIGNING_ALGORITHMS } from '@xshl/session-core'
 * SIGNING_ALGORITHMS.includes('ES256') // true
 * ```
 */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = Object.freeze([
	"EdDSA",
	"Ed25519",
	"ES256",
	"ES384",
	"ES512",
	"PS256",
	"PS384",
	"PS512",
	"RS256",
	"RS384",
	"RS512",
]);

/**
 * The HMAC algorithms, allowed only with `allowHmac: true` (single-service setups).
 *
 * @example
 * ```ts
 * import { HMAC_ALGORITHMS } from '@xshl/session-core'
 * HMAC_ALGORITHMS // ['HS256', 'HS384', 'HS512']
 * ```
 */
export const HMAC_ALGORITHMS: readonly HmacAlgorithm[] = Object.freeze(["HS256", "HS384", "HS512"]);

/** An asymmetric JWS algorithm a session can use. */
export type SigningAlgorithm =
	| "EdDSA"
	| "Ed25519"
	| "ES256"
	| "ES384"
	| "ES512"
	| "PS256"
	| "PS384"
	| "PS512"
	| "RS256"
	| "RS384"
	| "RS512";

/** An HMAC JWS algorithm (opt-in only). */
export type HmacAlgorithm = "HS256" | "HS384" | "HS512";

/**
 * The claims merged by `session.merge(token)` unless the config or a subclass says otherwise.
 *
 * @example
 * ```ts
 * import { DEFAULT_MERGE_CLAIMS } from '@xshl/session-core'
 * DEFAULT_MERGE_CLAIMS // ['aud', 'sub', '_payloads', 'scope', '_scope']
 * ```
 */
export const DEFAULT_MERGE_CLAIMS: readonly string[] = Object.freeze([
	"aud",
	"sub",
	"_payloads",
	"scope",
	"_scope",
]);
