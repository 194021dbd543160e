/**
 * Typed errors of `@xshl/keys`: a registry of codes, a base class, one subclass per code. Match
 * on `code` across packages and on `instanceof` inside one; fetch failures are the `cause` of an
 * `ERR_KEYS_UNAVAILABLE` and what `refreshError` events carry. Import from `@xshl/keys` or
 * `@xshl/keys/errors`.
 * @module
 */

/**
 * Every error code of `@xshl/keys` with the HTTP status a server should answer and its
 * meaning. The {@link KeysErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { KEYS_ERROR_CODES } from '@xshl/keys/errors'
 * KEYS_ERROR_CODES.ERR_KEYS_UNAVAILABLE.status // 503
 * ```
 */
// biome-ignore format: one row per code, like the README table
export const KEYS_ERROR_CODES = {
	ERR_KEYS_CONFIG_INVALID: { status: 500, meaning: "Options, a target, a JWKS given in memory, or a key ring snapshot are invalid (thrown at construction or restore)." },
	ERR_KEYS_UNAVAILABLE: { status: 503, meaning: "No usable key set: the first load failed, the set is past its maximum staleness, or the set was closed. Answer 503, not 401." },
	ERR_KEYS_NO_MATCHING_KEY: { status: 401, meaning: "No key matches the kid/alg/use asked for (also: an empty or over-long kid, or a kid still unknown inside the cooldown)." },
	ERR_KEYS_MULTIPLE_MATCHING_KEYS: { status: 401, meaning: "More than one key matches the kid/alg/use asked for; the lookup fails closed (duplicate kid)." },
	ERR_KEYS_FETCH_TIMEOUT: { status: 503, meaning: "A JWKS request (headers and body) did not complete within timeoutMs." },
	ERR_KEYS_NETWORK: { status: 503, meaning: "A JWKS request failed at the network level (DNS, connection refused, reset)." },
	ERR_KEYS_TLS: { status: 503, meaning: "A JWKS request failed TLS verification (self-signed or unknown CA, hostname mismatch); causeCode has the runtime's code." },
	ERR_KEYS_HTTP_STATUS: { status: 503, meaning: "The JWKS endpoint answered with a status other than 200 (or 304 to a conditional request)." },
	ERR_KEYS_RESPONSE_TOO_LARGE: { status: 503, meaning: "The JWKS response body is larger than maxResponseBytes." },
	ERR_KEYS_CONTENT_TYPE: { status: 503, meaning: "The JWKS response has a content type that is not JSON (e.g. text/html)." },
	ERR_KEYS_REDIRECT_REFUSED: { status: 503, meaning: "The JWKS endpoint redirected to another origin, to http from https, or more than 3 times." },
	ERR_KEYS_JWKS_INVALID: { status: 503, meaning: "The JWKS response is not JSON, not a {keys:[...]} set, has too many keys, or has no usable key." },
	ERR_KEYS_RING_EMPTY: { status: 500, meaning: "The key ring has no key for the purpose asked for." },
	ERR_KEYS_ROTATION_TOO_SOON: { status: 409, meaning: "A key ring rotation was asked for closer to the previous switch than minRotationIntervalMs." },
	ERR_KEYS_FEED_INVALID: { status: 503, meaning: "A revocation feed document is not a JWS of the feed type verified by the key set, or its payload is malformed (tampered); the state held is kept." },
	ERR_KEYS_FEED_ROLLBACK: { status: 503, meaning: "A revocation feed document has a lower seq than the one held (an old feed replayed); the newer state is kept." },
} as const;

/** Every stable error code `@xshl/keys` can throw. */
export type KeysErrorCode = keyof typeof KEYS_ERROR_CODES;
/** Options of every `@xshl/keys` error constructor. */
export interface KeysErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}
/** One problem of a configuration: `path` is the dotted option path (`""` for the root). */
export interface ConfigIssue {
	/** Dotted path of the offending member, e.g. `"jwks.keys.2"`. */
	readonly path: string;
	/** What was wrong. */
	readonly message: string;
}
/**
 * Base class of every `@xshl/keys` error: `code` comes from the subclass's static `code`,
 * `status` from {@link KEYS_ERROR_CODES}, `name` from the constructor.
 *
 * @example
 * ```ts
 * import { KeysError } from '@xshl/keys'
 * try { await keys.getKey({ kid: 'x' }) } catch (e) { if (e instanceof KeysError) console.log(e.code, e.status) }
 * ```
 */
export class KeysError extends Error {
	/** The code of this class; each subclass declares its own. */
	declare static readonly code: KeysErrorCode;
	/** Stable machine-readable code; see {@link KEYS_ERROR_CODES}. */
	readonly code: KeysErrorCode;
	/** The HTTP status a server should answer. */
	readonly status: (typeof KEYS_ERROR_CODES)[KeysErrorCode]["status"];
	/**
	 * @param message - what was wrong and what was expected; never carries keys, tokens or URLs.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(message: string, options?: KeysErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof KeysError).code;
		this.status = KEYS_ERROR_CODES[this.code].status;
	}
}
/** Invalid options, target, in-memory JWKS or ring snapshot, thrown before any token is read. */
export class KeysConfigError extends KeysError {
	static override readonly code = "ERR_KEYS_CONFIG_INVALID";
	declare readonly code: "ERR_KEYS_CONFIG_INVALID";
	/** The individual problems (zod issues, or one synthetic issue). */
	readonly issues: readonly ConfigIssue[];
	/** @param message - what was invalid. @param issues - the problems. @param options - `cause`. */
	constructor(message: string, issues: readonly ConfigIssue[] = [], options?: KeysErrorOptions) {
		super(message, options);
		this.issues = issues;
	}
}
/** Why a key set is unavailable; see {@link KeysUnavailableError}. */
export type UnavailableReason = "fetch-failed" | "backoff" | "expired" | "closed";
/** No usable key set right now (`reason`); a verifier must answer 503, never 401. */
export class KeysUnavailableError extends KeysError {
	static override readonly code = "ERR_KEYS_UNAVAILABLE";
	declare readonly code: "ERR_KEYS_UNAVAILABLE";
	/** `fetch-failed`, `backoff` (retry delay after a cold failure), `expired` or `closed`. */
	readonly reason: UnavailableReason;
	/** @param reason - why. @param message - what happened. @param options - `cause`. */
	constructor(reason: UnavailableReason, message: string, options?: KeysErrorOptions) {
		super(message, options);
		this.reason = reason;
	}
}
/** Why no key matched; see {@link NoMatchingKeyError}. */
export type NoMatchReason = "unknown-kid" | "cooldown" | "kid-invalid" | "no-candidate";
/** No key matches the query (`reason`): answer 401. */
export class NoMatchingKeyError extends KeysError {
	static override readonly code = "ERR_KEYS_NO_MATCHING_KEY";
	declare readonly code: "ERR_KEYS_NO_MATCHING_KEY";
	/** `unknown-kid`, `cooldown`, `kid-invalid` or `no-candidate`. */
	readonly reason: NoMatchReason;
	/** @param reason - why. @param message - what was asked for (kid truncated, never a key). */
	constructor(reason: NoMatchReason, message: string) {
		super(message);
		this.reason = reason;
	}
}
/** More than one key fits after filtering by `use` and `alg`: the lookup fails closed. */
export class MultipleMatchingKeysError extends KeysError {
	static override readonly code = "ERR_KEYS_MULTIPLE_MATCHING_KEYS";
	declare readonly code: "ERR_KEYS_MULTIPLE_MATCHING_KEYS";
	/** How many keys matched. */
	readonly count: number;
	/** @param count - how many keys matched. @param message - what was asked for. */
	constructor(count: number, message: string) {
		super(message);
		this.count = count;
	}
}
/** Base of the errors one JWKS request fails with; `retryable` says whether it is retried. */
export class KeysFetchError extends KeysError {
	/** Whether a retry may succeed (network, timeout, 408, 429, 5xx). */
	readonly retryable: boolean;
	/** @param message - never the URL. @param retryable - see above. @param options - `cause`. */
	constructor(message: string, retryable: boolean, options?: KeysErrorOptions) {
		super(message, options);
		this.retryable = retryable;
	}
}
/** The request (headers and body) took longer than `timeoutMs` (in ms). */
export class KeysFetchTimeoutError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_FETCH_TIMEOUT";
	declare readonly code: "ERR_KEYS_FETCH_TIMEOUT";
	/** @param timeoutMs - the timeout that fired, in ms. */
	constructor(readonly timeoutMs: number) {
		super(`JWKS request timed out after ${timeoutMs} ms`, true);
	}
}
/** A network failure (DNS, connection refused, reset); `causeCode` is the runtime's code. */
export class KeysNetworkError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_NETWORK";
	declare readonly code: "ERR_KEYS_NETWORK";
	/** The runtime's error code (e.g. `ECONNREFUSED`), when it gave one. */
	readonly causeCode: string | undefined;
	/** @param causeCode - the runtime's code. @param options - `cause`: the runtime's error. */
	constructor(causeCode: string | undefined, options?: KeysErrorOptions) {
		super(`JWKS request failed (${causeCode ?? "network error"})`, true, options);
		this.causeCode = causeCode;
	}
}
/** TLS verification failed (unknown CA, expired, wrong host); not retried. */
export class KeysTlsError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_TLS";
	declare readonly code: "ERR_KEYS_TLS";
	/** The runtime's TLS error code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
	readonly causeCode: string;
	/** @param causeCode - the runtime's TLS code. @param options - `cause`: the runtime's error. */
	constructor(causeCode: string, options?: KeysErrorOptions) {
		super(`JWKS request failed TLS verification (${causeCode})`, false, options);
		this.causeCode = causeCode;
	}
}
/** The endpoint answered `responseStatus`, not 200 (or 304); retried on 408, 429 and 5xx. */
export class KeysHttpStatusError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_HTTP_STATUS";
	declare readonly code: "ERR_KEYS_HTTP_STATUS";
	/** The HTTP status received. */
	readonly responseStatus: number;
	/** `Retry-After` in ms, when the server sent one. */
	readonly retryAfterMs: number | undefined;
	/** @param responseStatus - the status received. @param retryAfterMs - `Retry-After`, in ms. */
	constructor(responseStatus: number, retryAfterMs?: number) {
		const retry = responseStatus === 408 || responseStatus === 429 || responseStatus >= 500;
		super(`JWKS endpoint answered ${responseStatus}, expected 200`, retry);
		this.responseStatus = responseStatus;
		this.retryAfterMs = retryAfterMs;
	}
}
/** The body is larger than `maxResponseBytes` (by `Content-Length` or while streaming). */
export class KeysResponseTooLargeError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_RESPONSE_TOO_LARGE";
	declare readonly code: "ERR_KEYS_RESPONSE_TOO_LARGE";
	/** @param maxResponseBytes - the limit, in bytes. */
	constructor(readonly maxResponseBytes: number) {
		super(`JWKS response is larger than ${maxResponseBytes} bytes`, false);
	}
}
/** The response's media type (`contentType`, at most 100 characters) is not JSON. */
export class KeysContentTypeError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_CONTENT_TYPE";
	declare readonly code: "ERR_KEYS_CONTENT_TYPE";
	/** The media type received (parameters removed, at most 100 characters). */
	readonly contentType: string;
	/** @param contentType - the media type received. */
	constructor(contentType: string) {
		const type = contentType.slice(0, 100);
		super(`JWKS response has content type ${JSON.stringify(type)}, expected JSON`, false);
		this.contentType = type;
	}
}
/** A redirect not followed: another origin, https to http, or more than 3 hops. */
export class KeysRedirectError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_REDIRECT_REFUSED";
	declare readonly code: "ERR_KEYS_REDIRECT_REFUSED";
	/** @param message - why the redirect was refused (origins only, never the path). */
	constructor(message: string) {
		super(message, false);
	}
}
/** The body is not a usable JWKS (not JSON, not `{keys:[...]}`, too many or no usable keys). */
export class KeysJwksInvalidError extends KeysFetchError {
	static override readonly code = "ERR_KEYS_JWKS_INVALID";
	declare readonly code: "ERR_KEYS_JWKS_INVALID";
	/** @param message - what was wrong. @param options - `cause` (a SyntaxError or ZodError). */
	constructor(message: string, options?: KeysErrorOptions) {
		super(message, false, options);
	}
}
/** The key ring has no key for the purpose asked for (no active signing key). */
export class KeyRingEmptyError extends KeysError {
	static override readonly code = "ERR_KEYS_RING_EMPTY";
	declare readonly code: "ERR_KEYS_RING_EMPTY";
}
/** A rotation closer to the previous switch than `minRotationIntervalMs`; retry at `retryAt`. */
export class KeyRingRotationTooSoonError extends KeysError {
	static override readonly code = "ERR_KEYS_ROTATION_TOO_SOON";
	declare readonly code: "ERR_KEYS_ROTATION_TOO_SOON";
	/** The earliest switch time accepted, in ms since the epoch. */
	readonly retryAt: number;
	/** @param retryAt - the earliest switch accepted, in ms. @param message - the interval. */
	constructor(retryAt: number, message: string) {
		super(message);
		this.retryAt = retryAt;
	}
}
/** A revocation feed document failed verification or parsing; the state held is kept. */
export class KeysFeedInvalidError extends KeysError {
	static override readonly code = "ERR_KEYS_FEED_INVALID";
	declare readonly code: "ERR_KEYS_FEED_INVALID";
}
/** A revocation feed document older than the one held (`seq` went down); the newer state is kept. */
export class KeysFeedRollbackError extends KeysError {
	static override readonly code = "ERR_KEYS_FEED_ROLLBACK";
	declare readonly code: "ERR_KEYS_FEED_ROLLBACK";
	/** The `seq` held. */
	readonly heldSeq: number;
	/** The `seq` received. */
	readonly receivedSeq: number;
	/** @param heldSeq - the seq held. @param receivedSeq - the seq received. */
	constructor(heldSeq: number, receivedSeq: number) {
		super(`revocation feed rolled back: seq ${receivedSeq} is lower than the ${heldSeq} held`);
		this.heldSeq = heldSeq;
		this.receivedSeq = receivedSeq;
	}
}
/** Discriminated union of every error `@xshl/keys` throws; narrow it on `code`. */
export type KeysErrors =
	| KeysConfigError
	| KeysUnavailableError
	| NoMatchingKeyError
	| MultipleMatchingKeysError
	| KeysFetchTimeoutError
	| KeysNetworkError
	| KeysTlsError
	| KeysHttpStatusError
	| KeysResponseTooLargeError
	| KeysContentTypeError
	| KeysRedirectError
	| KeysJwksInvalidError
	| KeyRingEmptyError
	| KeyRingRotationTooSoonError
	| KeysFeedInvalidError
	| KeysFeedRollbackError;
