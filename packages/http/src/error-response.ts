/**
 * Any thrown value as an HTTP answer: `{ error: { code, message } }`, the status from the
 * error, RFC 6750 `WWW-Authenticate` on 401/403, `Retry-After` on 429/503.
 */
import { HttpError, HttpMethodNotAllowedError, HttpRateLimitedError } from "./errors";

/** How an error leaves the server. */
export interface ErrorAnswer {
	/** HTTP status. */
	readonly status: number;
	/** The stable code (`ERR_HTTP_…`, `ERR_SESSION_…`, `ERR_STORE_…`, …). */
	readonly code: string;
	/** The error's own message (never a token or a secret); `Internal error` for 500. */
	readonly message: string;
	/** Headers to send (lower-case names). */
	readonly headers: Readonly<Record<string, string>>;
}

/** Options of {@link errorAnswer}. */
export interface ErrorAnswerOptions {
	/** The `realm` of `WWW-Authenticate`. @default "xshl" */
	realm?: string;
}

const SAFE_STATUS = new Set([400, 401, 403, 404, 405, 409, 413, 415, 429, 431, 503]);

function quoted(s: string): string {
	return s.replace(/["\\\r\n]/g, "").slice(0, 200);
}

/**
 * The answer for any thrown value. `HttpError`s and errors of the other xshl packages carry a
 * `code` and a `status`; anything else is a 500 `ERR_HTTP_INTERNAL` with a generic message.
 *
 * @param err - what was thrown.
 * @param options - the realm.
 * @returns status, code, message and headers.
 * @example
 * ```ts
 * errorAnswer(new HttpTokenMissingError('Authorization: Bearer token required')).headers['www-authenticate'] // 'Bearer realm="xshl"'
 * ```
 */
export function errorAnswer(err: unknown, options?: ErrorAnswerOptions): ErrorAnswer {
	const realm = quoted(options?.realm ?? "xshl");
	const e = err as { code?: unknown; status?: unknown; message?: unknown };
	const code =
		typeof e?.code === "string" && /^ERR_[A-Z0-9_]{1,60}$/.test(e.code) ? e.code : undefined;
	const status = typeof e?.status === "number" ? e.status : undefined;
	if (code === undefined || status === undefined || !SAFE_STATUS.has(status))
		return { status: 500, code: "ERR_HTTP_INTERNAL", message: "Internal error", headers: {} };
	const message = typeof e.message === "string" ? e.message : code;
	const headers: Record<string, string> = {};
	if (status === 401 || status === 403) {
		if (code === "ERR_HTTP_CLIENT_AUTH") headers["www-authenticate"] = `Basic realm="${realm}"`;
		else if (code !== "ERR_HTTP_CSRF") {
			// RFC 7235: every 401 carries a challenge
			const be =
				err instanceof HttpError
					? err.bearerError
					: code === "ERR_REAUTH_REQUIRED"
						? "insufficient_user_authentication"
						: "invalid_token";
			let v = `Bearer realm="${realm}"`;
			if (be) v += `, error="${be}", error_description="${quoted(message)}"`;
			const scopes = (err as { scopes?: unknown }).scopes;
			if (be === "insufficient_scope" && Array.isArray(scopes))
				v += `, scope="${quoted(scopes.join(" "))}"`;
			headers["www-authenticate"] = v;
		}
	}
	if (err instanceof HttpRateLimitedError)
		headers["retry-after"] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
	else if (status === 503) headers["retry-after"] = "1";
	if (err instanceof HttpMethodNotAllowedError) headers.allow = err.allow.join(", ");
	return { status, code, message, headers };
}

/**
 * {@link errorAnswer} as a `Response` with `Cache-Control: no-store`.
 *
 * @param err - what was thrown.
 * @param options - the realm.
 * @returns the JSON response.
 * @example
 * ```ts
 * try { await authenticate(request) } catch (e) { return errorResponse(e) }
 * ```
 */
export function errorResponse(err: unknown, options?: ErrorAnswerOptions): Response {
	const a = errorAnswer(err, options);
	return new Response(JSON.stringify({ error: { code: a.code, message: a.message } }), {
		status: a.status,
		headers: {
			"content-type": "application/json; charset=utf-8",
			"cache-control": "no-store",
			...a.headers,
		},
	});
}
