/**
 * Typed errors of `@xshl/http`. Every failure the HTTP layer raises itself is a subclass of
 * {@link HttpError} with a stable `code`, the HTTP `status` to answer and, for 401 and 403,
 * the RFC 6750 `WWW-Authenticate` challenge. Errors of the other packages (an expired token,
 * a reused refresh token, a store that is down) pass through with their own `code` and
 * `status`. Messages never carry tokens, secrets or the value of a trace part.
 *
 * Import from `@xshl/http` or `@xshl/http/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/http`: the HTTP status a server answers and what the
 * code means. The {@link HttpErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { HTTP_ERROR_CODES } from '@xshl/http/errors'
 * HTTP_ERROR_CODES.ERR_HTTP_CSRF.status // 403
 * ```
 */
export const HTTP_ERROR_CODES = {
	ERR_HTTP_CONFIG_INVALID: {
		status: 500,
		meaning: "The server or authenticator options failed validation (see `issues`).",
	},
	ERR_HTTP_BAD_REQUEST: {
		status: 400,
		meaning: "A body field, parameter or form value is missing, repeated or of the wrong form.",
	},
	ERR_HTTP_BODY_TOO_LARGE: {
		status: 413,
		meaning: "The request body is larger than `maxBodyBytes`; it was not parsed.",
	},
	ERR_HTTP_BODY_TOO_DEEP: {
		status: 400,
		meaning: "The JSON body nests deeper than `maxJsonDepth`; it was not parsed.",
	},
	ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: {
		status: 415,
		meaning: "The body's Content-Type is not the one the route accepts.",
	},
	ERR_HTTP_HEADER_TOO_LARGE: {
		status: 431,
		meaning: "The Cookie or Authorization header is larger than `maxHeaderBytes`.",
	},
	ERR_HTTP_NOT_FOUND: { status: 404, meaning: "No route, or no such session of this user." },
	ERR_HTTP_METHOD_NOT_ALLOWED: {
		status: 405,
		meaning: "The route exists but not for this method (`Allow` lists the methods).",
	},
	ERR_HTTP_CSRF: {
		status: 403,
		meaning:
			"A cookie route was called without the custom header, with a non-JSON body, cross-site or from an origin not in the allowlist.",
	},
	ERR_HTTP_RATE_LIMITED: {
		status: 429,
		meaning: "The rate-limit hook refused the request (`Retry-After` says when to retry).",
	},
	ERR_HTTP_INVALID_CREDENTIALS: {
		status: 401,
		meaning: "The `authenticate` function did not accept the username and password.",
	},
	ERR_HTTP_CLIENT_AUTH: {
		status: 401,
		meaning: "Introspection or revocation was called without valid client credentials.",
	},
	ERR_HTTP_TOKEN_MISSING: {
		status: 401,
		meaning: "No `Authorization: Bearer` token was sent.",
	},
	ERR_HTTP_TOKEN_MALFORMED: {
		status: 401,
		meaning:
			"The Authorization header is not exactly `Bearer <compact JWS>`, or the token came in the query string.",
	},
	ERR_HTTP_REFRESH_MISSING: {
		status: 401,
		meaning: "The refresh cookie is absent or not of the refresh-token form.",
	},
	ERR_HTTP_TRACE_MISMATCH: {
		status: 401,
		meaning: "The token is bound to another client: `part` names the trace part that differed.",
	},
	ERR_HTTP_TRACE_RECIPE_MISMATCH: {
		status: 401,
		meaning:
			"The token was issued under another trace recipe (name or version) than the verifier's.",
	},
	ERR_HTTP_TOKEN_REVOKED: {
		status: 401,
		meaning: "The `isRevoked` hook reported the token or its session as revoked.",
	},
	ERR_HTTP_INSUFFICIENT_SCOPE: {
		status: 403,
		meaning: "The token lacks a scope the route requires (`scopes` lists them).",
	},
	ERR_HTTP_CLAIM_CHECK_FAILED: {
		status: 401,
		meaning: "The `claimCheck` function refused the token's claims.",
	},
	ERR_HTTP_INTERNAL: {
		status: 500,
		meaning: "An unexpected error; details are in the `error` event, never in the answer.",
	},
} as const;

/** Every stable error code `@xshl/http` raises. */
export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

/** Options shared by every `@xshl/http` error constructor. */
export interface HttpErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/** One invalid option: its dotted path (`""` for the root) and what was expected. */
export interface HttpConfigIssue {
	/** Dotted option path, e.g. `csrf.allowedOrigins.0`. */
	readonly path: string;
	/** What was wrong and what was expected. */
	readonly message: string;
}

/**
 * Base class of every `@xshl/http` error: `code` comes from the subclass, `status` from
 * {@link HTTP_ERROR_CODES}, `name` from the constructor.
 *
 * @example
 * ```ts
 * import { HttpError } from '@xshl/http'
 * try { await authenticate(request) } catch (e) { if (e instanceof HttpError) console.log(e.code, e.status) }
 * ```
 */
export class HttpError extends Error {
	/** The code; each subclass declares its own. */
	static readonly code: HttpErrorCode = "ERR_HTTP_INTERNAL";
	/** Stable machine-readable code; see {@link HTTP_ERROR_CODES}. */
	readonly code: HttpErrorCode;
	/** The HTTP status to answer. */
	readonly status: number;
	/**
	 * The RFC 6750 `error` attribute of `WWW-Authenticate: Bearer` (`invalid_request`,
	 * `invalid_token`, `insufficient_scope`), when the error is an authentication failure.
	 */
	readonly bearerError: string | undefined;

	/**
	 * @param message - what was wrong; never carries tokens, secrets or trace-part values.
	 * @param options - `cause`.
	 */
	constructor(message: string, options?: HttpErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		const code = (new.target as unknown as { code: HttpErrorCode }).code;
		this.name = new.target.name;
		this.code = code;
		this.status = HTTP_ERROR_CODES[code].status;
		this.bearerError = BEARER_ERRORS[code];
	}
}

const BEARER_ERRORS: Partial<Record<HttpErrorCode, string>> = {
	ERR_HTTP_TOKEN_MISSING: "",
	ERR_HTTP_INVALID_CREDENTIALS: "invalid_client",
	ERR_HTTP_REFRESH_MISSING: "invalid_request",
	ERR_HTTP_TOKEN_MALFORMED: "invalid_request",
	ERR_HTTP_TRACE_MISMATCH: "invalid_token",
	ERR_HTTP_TRACE_RECIPE_MISMATCH: "invalid_token",
	ERR_HTTP_TOKEN_REVOKED: "invalid_token",
	ERR_HTTP_CLAIM_CHECK_FAILED: "invalid_token",
	ERR_HTTP_INSUFFICIENT_SCOPE: "insufficient_scope",
};

/**
 * Options failed validation when the server or authenticator was built. Code `ERR_HTTP_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { HttpConfigError } from '@xshl/http/errors'
 * new HttpConfigError('bad', [{ path: 'issuer', message: 'required' }]).issues[0].path // 'issuer'
 * ```
 */
export class HttpConfigError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_CONFIG_INVALID";
	/** Every issue, with the dotted option path. */
	readonly issues: readonly HttpConfigIssue[];
	/**
	 * @param message - the issues joined.
	 * @param issues - every issue.
	 */
	constructor(message: string, issues: readonly HttpConfigIssue[]) {
		super(message);
		this.issues = issues;
	}
}

/** A malformed body field, parameter or form value. Code `ERR_HTTP_BAD_REQUEST`. @example `new HttpBadRequestError('body.username: required').status // 400` */
export class HttpBadRequestError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_BAD_REQUEST";
}
/** The body is over `maxBodyBytes`. Code `ERR_HTTP_BODY_TOO_LARGE`. @example `new HttpBodyTooLargeError('x').status // 413` */
export class HttpBodyTooLargeError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_BODY_TOO_LARGE";
}
/** The JSON body nests too deep. Code `ERR_HTTP_BODY_TOO_DEEP`. @example `new HttpBodyTooDeepError('x').status // 400` */
export class HttpBodyTooDeepError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_BODY_TOO_DEEP";
}
/** Wrong body Content-Type. Code `ERR_HTTP_UNSUPPORTED_MEDIA_TYPE`. @example `new HttpUnsupportedMediaTypeError('x').status // 415` */
export class HttpUnsupportedMediaTypeError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_UNSUPPORTED_MEDIA_TYPE";
}
/** A header over `maxHeaderBytes`. Code `ERR_HTTP_HEADER_TOO_LARGE`. @example `new HttpHeaderTooLargeError('x').status // 431` */
export class HttpHeaderTooLargeError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_HEADER_TOO_LARGE";
}
/** No route or no such session. Code `ERR_HTTP_NOT_FOUND`. @example `new HttpNotFoundError('x').status // 404` */
export class HttpNotFoundError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_NOT_FOUND";
}
/** Wrong method for a route. Code `ERR_HTTP_METHOD_NOT_ALLOWED`. @example `new HttpMethodNotAllowedError('x', ['POST']).allow // ['POST']` */
export class HttpMethodNotAllowedError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_METHOD_NOT_ALLOWED";
	/** The methods the route accepts (the `Allow` header). */
	readonly allow: readonly string[];
	/**
	 * @param message - what was wrong.
	 * @param allow - the accepted methods.
	 */
	constructor(message: string, allow: readonly string[]) {
		super(message);
		this.allow = allow;
	}
}
/** CSRF check failed. Code `ERR_HTTP_CSRF`. @example `new HttpCsrfError('x').status // 403` */
export class HttpCsrfError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_CSRF";
}
/** The rate-limit hook refused. Code `ERR_HTTP_RATE_LIMITED`. @example `new HttpRateLimitedError('x', 1000).retryAfterMs // 1000` */
export class HttpRateLimitedError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_RATE_LIMITED";
	/** Milliseconds until a retry may pass (the `Retry-After` header, rounded up to seconds). */
	readonly retryAfterMs: number;
	/**
	 * @param message - what was limited.
	 * @param retryAfterMs - milliseconds until a retry may pass.
	 */
	constructor(message: string, retryAfterMs: number) {
		super(message);
		this.retryAfterMs = retryAfterMs;
	}
}
/** Wrong username or password. Code `ERR_HTTP_INVALID_CREDENTIALS`. @example `new HttpInvalidCredentialsError('x').status // 401` */
export class HttpInvalidCredentialsError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_INVALID_CREDENTIALS";
}
/** Missing or wrong client credentials. Code `ERR_HTTP_CLIENT_AUTH`. @example `new HttpClientAuthError('x').status // 401` */
export class HttpClientAuthError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_CLIENT_AUTH";
}
/** No bearer token. Code `ERR_HTTP_TOKEN_MISSING`. @example `new HttpTokenMissingError('x').status // 401` */
export class HttpTokenMissingError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_TOKEN_MISSING";
}
/** Malformed Authorization header or a query token. Code `ERR_HTTP_TOKEN_MALFORMED`. @example `new HttpTokenMalformedError('x').status // 401` */
export class HttpTokenMalformedError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_TOKEN_MALFORMED";
}
/** No usable refresh cookie. Code `ERR_HTTP_REFRESH_MISSING`. @example `new HttpRefreshMissingError('x').status // 401` */
export class HttpRefreshMissingError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_REFRESH_MISSING";
}

/** The parts of a trace recipe a mismatch can name. */
export type TracePartName = "fingerprint" | "ip" | "userAgent" | "unknown";

/**
 * The token is bound to another client; `part` names the trace part that differed (never its
 * value). Code `ERR_HTTP_TRACE_MISMATCH`.
 *
 * @example
 * ```ts
 * new HttpTraceMismatchError('userAgent').part // 'userAgent'
 * ```
 */
export class HttpTraceMismatchError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_TRACE_MISMATCH";
	/** The part that differed; `unknown` for a token without part digests. */
	readonly part: TracePartName;
	/**
	 * @param part - the differing part.
	 * @param options - `cause` (the session-core error).
	 */
	constructor(part: TracePartName, options?: HttpErrorOptions) {
		super(
			part === "unknown"
				? "The token is bound to another client"
				: `The token is bound to another client: the ${part} part of the trace differs`,
			options,
		);
		this.part = part;
	}
}

/**
 * The token names another trace recipe than the verifier's. Code `ERR_HTTP_TRACE_RECIPE_MISMATCH`.
 *
 * @example
 * ```ts
 * new HttpTraceRecipeMismatchError('xshl-web@1', 'xshl-web@2').expected // 'xshl-web@2'
 * ```
 */
export class HttpTraceRecipeMismatchError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_TRACE_RECIPE_MISMATCH";
	/** The recipe id in the token (`name@version`), or `"none"`. */
	readonly actual: string;
	/** The verifier's recipe id. */
	readonly expected: string;
	/**
	 * @param actual - the token's recipe id.
	 * @param expected - the verifier's recipe id.
	 */
	constructor(actual: string, expected: string) {
		super(`The token was issued under trace recipe ${actual}; this verifier uses ${expected}`);
		this.actual = actual;
		this.expected = expected;
	}
}
/** The `isRevoked` hook said yes. Code `ERR_HTTP_TOKEN_REVOKED`. @example `new HttpTokenRevokedError('x').status // 401` */
export class HttpTokenRevokedError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_TOKEN_REVOKED";
}
/**
 * A required scope is missing. Code `ERR_HTTP_INSUFFICIENT_SCOPE`.
 *
 * @example
 * ```ts
 * new HttpInsufficientScopeError(['admin']).scopes // ['admin']
 * ```
 */
export class HttpInsufficientScopeError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_INSUFFICIENT_SCOPE";
	/** The scopes the route requires. */
	readonly scopes: readonly string[];
	/** @param scopes - the scopes the route requires. */
	constructor(scopes: readonly string[]) {
		super(`The token lacks a required scope (${scopes.join(" ")})`);
		this.scopes = scopes;
	}
}
/** `claimCheck` refused. Code `ERR_HTTP_CLAIM_CHECK_FAILED`. @example `new HttpClaimCheckError('x').status // 401` */
export class HttpClaimCheckError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_CLAIM_CHECK_FAILED";
}
/** An unexpected failure. Code `ERR_HTTP_INTERNAL`. @example `new HttpInternalError('x').status // 500` */
export class HttpInternalError extends HttpError {
	static override readonly code: HttpErrorCode = "ERR_HTTP_INTERNAL";
}
