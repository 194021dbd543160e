/**
 * Typed errors of `@xshl/keys`. Every failure is a subclass of {@link KeysError} with a
 * stable `code`; handle them across packages by `code`, not `instanceof`.
 *
 * Two codes matter to a verifier: `ERR_KEYS_NO_MATCHING_KEY` / `ERR_KEYS_MULTIPLE_MATCHING_KEYS`
 * (the token is bad: answer 401) and `ERR_KEYS_UNAVAILABLE` (the keys cannot be had right now:
 * answer 503, never 401). Fetch failures (`ERR_KEYS_FETCH_*`, `ERR_KEYS_HTTP_STATUS`, ...) are
 * the `cause` of an `ERR_KEYS_UNAVAILABLE`, and are what `refreshError` events carry.
 *
 * Import from `@xshl/keys` or `@xshl/keys/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/keys` with its one-line meaning. The
 * {@link KeysErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { KEYS_ERROR_CODES } from '@xshl/keys/errors'
 * console.log(KEYS_ERROR_CODES.ERR_KEYS_NO_MATCHING_KEY)
 * ```
 */
export const KEYS_ERROR_CODES = {
	ERR_KEYS_CONFIG_INVALID:
		"Options, a target, a JWKS given in memory, or a key ring export are invalid (thrown at construction or import).",
	ERR_KEYS_UNAVAILABLE:
		"No usable key set: the first load failed, the set is past its maximum staleness, or the set was closed. Answer 503, not 401.",
	ERR_KEYS_NO_MATCHING_KEY:
		"No key matches the kid/alg/use asked for (also: an empty or over-long kid, or a kid still unknown inside the cooldown).",
	ERR_KEYS_MULTIPLE_MATCHING_KEYS:
		"More than one key matches the kid/alg/use asked for; the lookup fails closed (duplicate kid).",
	ERR_KEYS_FETCH_TIMEOUT: "A JWKS request (headers and body) did not complete within timeoutMs.",
	ERR_KEYS_NETWORK: "A JWKS request failed at the network level (DNS, connection refused, reset).",
	ERR_KEYS_TLS:
		"A JWKS request failed TLS verification (self-signed or unknown CA, hostname mismatch); `causeCode` has the runtime's code.",
	ERR_KEYS_HTTP_STATUS:
		"The JWKS endpoint answered with a status other than 200 (or 304 to a conditional request).",
	ERR_KEYS_RESPONSE_TOO_LARGE: "The JWKS response body is larger than maxBytes.",
	ERR_KEYS_CONTENT_TYPE: "The JWKS response has a content type that is not JSON (e.g. text/html).",
	ERR_KEYS_REDIRECT_REFUSED:
		"The JWKS endpoint redirected to another origin, to http from https, or more than 3 times.",
	ERR_KEYS_JWKS_INVALID:
		"The JWKS response is not JSON, not a {keys:[...]} set, has too many keys, or has no usable key.",
	ERR_KEYS_RING_EMPTY: "The key ring has no key for the purpose asked for.",
} as const;

/** Every stable error code `@xshl/keys` can throw. */
export type KeysErrorCode = keyof typeof KEYS_ERROR_CODES;

/** Options shared by every `@xshl/keys` error constructor. */
export interface KeysErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/keys` error.
 *
 * @example
 * ```ts
 * import { KeysError } from '@xshl/keys'
 * try { await keys.getKey({ kid: 'x' }) } catch (e) { if (e instanceof KeysError) console.log(e.code) }
 * ```
 */
export class KeysError extends Error {
	/** Stable machine-readable code; see {@link KEYS_ERROR_CODES}. */
	readonly code: KeysErrorCode;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what was wrong and what was expected; never carries keys or tokens.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(code: KeysErrorCode, message: string, options?: KeysErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
	}
}

/** One problem found by a zod check, as exposed by {@link KeysConfigError}. */
export interface KeysConfigIssue {
	/** Path of the offending member, e.g. `["retry","retries"]`. */
	path: (string | number)[];
	/** What was wrong. */
	message: string;
}

/**
 * Invalid options, target, in-memory JWKS or key ring export. Thrown at construction or
 * import, before any token is read. Code `ERR_KEYS_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { RemoteKeySet } from '@xshl/keys'
 * try { new RemoteKeySet({ name: '', url: 'https://idp.example/jwks' }) } catch (e) { console.log(e.issues) }
 * ```
 */
export class KeysConfigError extends KeysError {
	/** Always `ERR_KEYS_CONFIG_INVALID`. */
	override readonly code: "ERR_KEYS_CONFIG_INVALID" = "ERR_KEYS_CONFIG_INVALID";
	/** The zod issues (path and message), or one synthetic issue. */
	readonly issues: KeysConfigIssue[];

	/**
	 * @param message - what was invalid.
	 * @param issues - the individual problems.
	 * @param options - `cause` (e.g. the ZodError or a jose import error).
	 */
	constructor(message: string, issues: KeysConfigIssue[] = [], options?: KeysErrorOptions) {
		super("ERR_KEYS_CONFIG_INVALID", message, options);
		this.issues = issues;
	}
}

/** Why a key set is unavailable; see {@link KeysUnavailableError}. */
export type UnavailableReason = "fetch-failed" | "backoff" | "loading" | "expired" | "closed";

/**
 * No usable key set right now. `reason` is `fetch-failed` (the first load failed; `cause`
 * is the fetch error), `backoff` (a previous cold load failed and the retry delay has not
 * passed), `loading` (another request is loading it and `shareInflight` is off), `expired` (the last good set is older than `maxStaleMs` past its expiry) or
 * `closed`. A verifier must answer 503, never 401. Code `ERR_KEYS_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { RemoteKeySet } from '@xshl/keys'
 * const keys = new RemoteKeySet({ name: 's', url: 'http://127.0.0.1:9/jwks' })
 * try { await keys.load() } catch (e) { console.log(e.code, e.reason) } // ERR_KEYS_UNAVAILABLE fetch-failed
 * ```
 */
export class KeysUnavailableError extends KeysError {
	/** Always `ERR_KEYS_UNAVAILABLE`. */
	override readonly code: "ERR_KEYS_UNAVAILABLE" = "ERR_KEYS_UNAVAILABLE";
	/** Why the set is unavailable. */
	readonly reason: UnavailableReason;

	/**
	 * @param reason - why.
	 * @param message - what happened.
	 * @param options - `cause`: the fetch error, when there is one.
	 */
	constructor(reason: UnavailableReason, message: string, options?: KeysErrorOptions) {
		super("ERR_KEYS_UNAVAILABLE", message, options);
		this.reason = reason;
	}
}

/** Why no key matched; see {@link NoMatchingKeyError}. */
export type NoMatchReason = "unknown-kid" | "cooldown" | "kid-invalid" | "no-candidate";

/**
 * No key matches the query. `reason` is `unknown-kid` (refetched, still unknown), `cooldown`
 * (still unknown and the cooldown window has not ended, so no fetch was made),
 * `kid-invalid` (empty, not a string, or longer than 256 characters; no lookup was made) or
 * `no-candidate` (no key fits the `alg`/`use`, or no kid while several keys fit).
 * Code `ERR_KEYS_NO_MATCHING_KEY`.
 *
 * @example
 * ```ts
 * try { await keys.getKey({ kid: 'nope' }) } catch (e) { console.log(e.code, e.reason) }
 * ```
 */
export class NoMatchingKeyError extends KeysError {
	/** Always `ERR_KEYS_NO_MATCHING_KEY`. */
	override readonly code: "ERR_KEYS_NO_MATCHING_KEY" = "ERR_KEYS_NO_MATCHING_KEY";
	/** Why no key matched. */
	readonly reason: NoMatchReason;

	/**
	 * @param reason - why.
	 * @param message - what was asked for (kid truncated, never a key).
	 */
	constructor(reason: NoMatchReason, message: string) {
		super("ERR_KEYS_NO_MATCHING_KEY", message);
		this.reason = reason;
	}
}

/**
 * More than one key fits the query after filtering by `use` and `alg`: the lookup fails
 * closed instead of picking the first (duplicate kid, catalog KEY-08).
 * Code `ERR_KEYS_MULTIPLE_MATCHING_KEYS`.
 *
 * @example
 * ```ts
 * try { await keys.getKey({ kid: 'dup' }) } catch (e) { console.log(e.code) } // ERR_KEYS_MULTIPLE_MATCHING_KEYS
 * ```
 */
export class MultipleMatchingKeysError extends KeysError {
	/** Always `ERR_KEYS_MULTIPLE_MATCHING_KEYS`. */
	override readonly code: "ERR_KEYS_MULTIPLE_MATCHING_KEYS" = "ERR_KEYS_MULTIPLE_MATCHING_KEYS";
	/** How many keys matched. */
	readonly count: number;

	/**
	 * @param count - how many keys matched.
	 * @param message - what was asked for.
	 */
	constructor(count: number, message: string) {
		super("ERR_KEYS_MULTIPLE_MATCHING_KEYS", message);
		this.count = count;
	}
}

/**
 * Base of the errors a single JWKS request can fail with. `retryable` says whether the
 * request is retried (network, timeout, 408, 429, 5xx).
 *
 * @example
 * ```ts
 * keys.on('refreshError', (e) => console.log(e.error.code, e.error.retryable))
 * ```
 */
export class KeysFetchError extends KeysError {
	/** Whether a retry may succeed. */
	readonly retryable: boolean;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what happened (the URL is never included, it may carry credentials).
	 * @param retryable - whether a retry may succeed.
	 * @param options - `cause`.
	 */
	constructor(
		code: KeysErrorCode,
		message: string,
		retryable: boolean,
		options?: KeysErrorOptions,
	) {
		super(code, message, options);
		this.retryable = retryable;
	}
}

/**
 * The request (headers and body) took longer than `timeoutMs`. Code `ERR_KEYS_FETCH_TIMEOUT`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.code) } // ERR_KEYS_FETCH_TIMEOUT
 * ```
 */
export class KeysFetchTimeoutError extends KeysFetchError {
	/** Always `ERR_KEYS_FETCH_TIMEOUT`. */
	override readonly code: "ERR_KEYS_FETCH_TIMEOUT" = "ERR_KEYS_FETCH_TIMEOUT";
	/** The timeout that fired, in ms. */
	readonly timeoutMs: number;

	/**
	 * @param timeoutMs - the timeout that fired, in ms.
	 */
	constructor(timeoutMs: number) {
		super("ERR_KEYS_FETCH_TIMEOUT", `JWKS request timed out after ${timeoutMs} ms`, true);
		this.timeoutMs = timeoutMs;
	}
}

/**
 * A network failure (connection refused, DNS, reset). Code `ERR_KEYS_NETWORK`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.code, e.cause.causeCode) } // ERR_KEYS_NETWORK ECONNREFUSED
 * ```
 */
export class KeysNetworkError extends KeysFetchError {
	/** Always `ERR_KEYS_NETWORK`. */
	override readonly code: "ERR_KEYS_NETWORK" = "ERR_KEYS_NETWORK";
	/** The runtime's error code (e.g. `ECONNREFUSED`), when it gave one. */
	readonly causeCode: string | undefined;

	/**
	 * @param causeCode - the runtime's error code, if any.
	 * @param options - `cause`: the runtime's error.
	 */
	constructor(causeCode: string | undefined, options?: KeysErrorOptions) {
		super(
			"ERR_KEYS_NETWORK",
			`JWKS request failed (${causeCode ?? "network error"})`,
			true,
			options,
		);
		this.causeCode = causeCode;
	}
}

/**
 * TLS verification failed (self-signed or unknown CA, expired, wrong host). Not retried.
 * Code `ERR_KEYS_TLS`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.causeCode) } // DEPTH_ZERO_SELF_SIGNED_CERT
 * ```
 */
export class KeysTlsError extends KeysFetchError {
	/** Always `ERR_KEYS_TLS`. */
	override readonly code: "ERR_KEYS_TLS" = "ERR_KEYS_TLS";
	/** The runtime's TLS error code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
	readonly causeCode: string;

	/**
	 * @param causeCode - the runtime's TLS error code.
	 * @param options - `cause`: the runtime's error.
	 */
	constructor(causeCode: string, options?: KeysErrorOptions) {
		super("ERR_KEYS_TLS", `JWKS request failed TLS verification (${causeCode})`, false, options);
		this.causeCode = causeCode;
	}
}

/**
 * The endpoint answered with a status other than 200 (or 304 to a conditional request).
 * Retried on 408, 429 and 5xx. Code `ERR_KEYS_HTTP_STATUS`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.status) } // 500
 * ```
 */
export class KeysHttpStatusError extends KeysFetchError {
	/** Always `ERR_KEYS_HTTP_STATUS`. */
	override readonly code: "ERR_KEYS_HTTP_STATUS" = "ERR_KEYS_HTTP_STATUS";
	/** The HTTP status received. */
	readonly status: number;
	/** `Retry-After` in ms, when the server sent one. */
	readonly retryAfterMs: number | undefined;

	/**
	 * @param status - the HTTP status received.
	 * @param retryAfterMs - `Retry-After` in ms, if sent.
	 */
	constructor(status: number, retryAfterMs?: number) {
		super(
			"ERR_KEYS_HTTP_STATUS",
			`JWKS endpoint answered ${status}, expected 200`,
			status === 408 || status === 429 || status >= 500,
		);
		this.status = status;
		this.retryAfterMs = retryAfterMs;
	}
}

/**
 * The body is larger than `maxBytes` (by `Content-Length` or counted while streaming; the
 * read is aborted). Code `ERR_KEYS_RESPONSE_TOO_LARGE`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.code) } // ERR_KEYS_RESPONSE_TOO_LARGE
 * ```
 */
export class KeysResponseTooLargeError extends KeysFetchError {
	/** Always `ERR_KEYS_RESPONSE_TOO_LARGE`. */
	override readonly code: "ERR_KEYS_RESPONSE_TOO_LARGE" = "ERR_KEYS_RESPONSE_TOO_LARGE";
	/** The limit, in bytes. */
	readonly maxBytes: number;

	/**
	 * @param maxBytes - the limit, in bytes.
	 */
	constructor(maxBytes: number) {
		super("ERR_KEYS_RESPONSE_TOO_LARGE", `JWKS response is larger than ${maxBytes} bytes`, false);
		this.maxBytes = maxBytes;
	}
}

/**
 * The response's content type is not JSON. Code `ERR_KEYS_CONTENT_TYPE`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.contentType) } // text/html
 * ```
 */
export class KeysContentTypeError extends KeysFetchError {
	/** Always `ERR_KEYS_CONTENT_TYPE`. */
	override readonly code: "ERR_KEYS_CONTENT_TYPE" = "ERR_KEYS_CONTENT_TYPE";
	/** The media type received (parameters removed, at most 100 characters). */
	readonly contentType: string;

	/**
	 * @param contentType - the media type received.
	 */
	constructor(contentType: string) {
		const type = contentType.slice(0, 100);
		super(
			"ERR_KEYS_CONTENT_TYPE",
			`JWKS response has content type ${JSON.stringify(type)}, expected application/json or application/jwk-set+json`,
			false,
		);
		this.contentType = type;
	}
}

/**
 * A redirect that is not followed: to another origin (not in `allowRedirectOrigins`), from
 * https to http, or more than 3 hops. Code `ERR_KEYS_REDIRECT_REFUSED`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.code) } // ERR_KEYS_REDIRECT_REFUSED
 * ```
 */
export class KeysRedirectError extends KeysFetchError {
	/** Always `ERR_KEYS_REDIRECT_REFUSED`. */
	override readonly code: "ERR_KEYS_REDIRECT_REFUSED" = "ERR_KEYS_REDIRECT_REFUSED";

	/**
	 * @param message - why the redirect was refused (origins only, never the path).
	 */
	constructor(message: string) {
		super("ERR_KEYS_REDIRECT_REFUSED", message, false);
	}
}

/**
 * The body is not a usable JWKS: not JSON, not `{keys:[...]}`, more than `maxKeys` keys, or
 * no usable key at all (the previous set is kept). Code `ERR_KEYS_JWKS_INVALID`.
 *
 * @example
 * ```ts
 * try { await keys.load() } catch (e) { console.log(e.cause.code) } // ERR_KEYS_JWKS_INVALID
 * ```
 */
export class KeysJwksInvalidError extends KeysFetchError {
	/** Always `ERR_KEYS_JWKS_INVALID`. */
	override readonly code: "ERR_KEYS_JWKS_INVALID" = "ERR_KEYS_JWKS_INVALID";

	/**
	 * @param message - what was wrong with the document.
	 * @param options - `cause` (e.g. the SyntaxError or ZodError).
	 */
	constructor(message: string, options?: KeysErrorOptions) {
		super("ERR_KEYS_JWKS_INVALID", message, false, options);
	}
}

/**
 * The key ring has no key for the purpose asked for (e.g. `encryptionKey()` with
 * encryption turned off is `undefined`, but `decryptionKeys()` on an exported ring without
 * encryption keys is fine; this is thrown when signing is impossible). Code `ERR_KEYS_RING_EMPTY`.
 *
 * @example
 * ```ts
 * try { ring.signingKey() } catch (e) { console.log(e.code) }
 * ```
 */
export class KeyRingEmptyError extends KeysError {
	/** Always `ERR_KEYS_RING_EMPTY`. */
	override readonly code: "ERR_KEYS_RING_EMPTY" = "ERR_KEYS_RING_EMPTY";

	/**
	 * @param message - what was missing.
	 */
	constructor(message: string) {
		super("ERR_KEYS_RING_EMPTY", message);
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
	| KeyRingEmptyError;
