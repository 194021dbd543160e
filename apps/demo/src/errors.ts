/**
 * HTTP error mapping. Every error leaves the server as `{ error: { code, message } }` with a
 * 4xx status for client input, 401 (+ `WWW-Authenticate`) for auth failures and 503 when a
 * store or key set is unavailable. Package errors answer the `status` their code carries.
 */

import { errorAnswer } from "@xshl/http";

/** An error the demo raises itself, with its HTTP status. */
export class HttpError extends Error {
	readonly code: string;
	readonly statusCode: number;
	/** For 401: the `error` parameter of `WWW-Authenticate: Bearer`. */
	readonly bearerError: string | undefined;
	constructor(statusCode: number, code: string, message: string, bearerError?: string) {
		super(message);
		this.name = "HttpError";
		this.statusCode = statusCode;
		this.code = code;
		this.bearerError = bearerError;
	}
}

/** Registry of the codes the demo itself raises. */
export const DEMO_ERROR_CODES = {
	ERR_DEMO_BAD_REQUEST: 400,
	ERR_DEMO_NOT_FOUND: 404,
	ERR_DEMO_METHOD_NOT_ALLOWED: 405,
	ERR_DEMO_PAYLOAD_TOO_LARGE: 413,
	ERR_DEMO_UNSUPPORTED_MEDIA_TYPE: 415,
	ERR_DEMO_RATE_LIMITED: 429,
	ERR_DEMO_INVALID_CREDENTIALS: 401,
	ERR_DEMO_TOKEN_MISSING: 401,
	ERR_DEMO_TOKEN_MALFORMED: 401,
	ERR_DEMO_REFRESH_MISSING: 401,
	ERR_DEMO_CLIENT_AUTH: 401,
	ERR_DEMO_FORBIDDEN: 403,
	ERR_DEMO_CSRF: 403,
	ERR_DEMO_NOT_ISSUER: 404,
	ERR_DEMO_INTERNAL: 500,
} as const;

export interface MappedError {
	statusCode: number;
	code: string;
	message: string;
	headers: Record<string, string>;
}

function bearer(error: string, description: string): string {
	return `Bearer realm="xshl-demo", error="${error}", error_description="${description.replace(/["\\\r\n]/g, "")}"`;
}

/**
 * Map any thrown value to an HTTP answer. Messages are the error's own (package and demo
 * messages never contain tokens or keys); unknown errors become a generic 500.
 *
 * @param err - what was thrown.
 */
export function mapError(err: unknown): MappedError {
	const e = err as {
		code?: unknown;
		statusCode?: unknown;
		status?: unknown;
		message?: unknown;
		bearerError?: unknown;
		validation?: unknown;
	};
	const code = typeof e?.code === "string" ? e.code : undefined;
	const message = typeof e?.message === "string" ? e.message : "error";

	if (code?.startsWith("ERR_HTTP_")) {
		// @xshl/http's own errors carry their status and RFC 6750 headers
		const a = errorAnswer(err, { realm: "xshl-demo" });
		return { statusCode: a.status, code: a.code, message: a.message, headers: { ...a.headers } };
	}
	if (err instanceof HttpError) {
		const headers: Record<string, string> = {};
		if (err.statusCode === 401) {
			headers["www-authenticate"] = bearer(err.bearerError ?? "invalid_token", err.message);
		}
		return { statusCode: err.statusCode, code: err.code, message: err.message, headers };
	}
	if (
		code?.startsWith("FST_") ||
		(typeof e?.statusCode === "number" && !code?.startsWith("ERR_"))
	) {
		// Fastify's own errors (body parsing, size, media type, rate limit).
		const status = typeof e.statusCode === "number" ? e.statusCode : 400;
		if (status === 413)
			return plain(413, "ERR_DEMO_PAYLOAD_TOO_LARGE", "Request body is too large");
		if (status === 415) {
			return plain(415, "ERR_DEMO_UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
		}
		if (status === 429) return plain(429, "ERR_DEMO_RATE_LIMITED", "Too many requests");
		if (status === 431) return plain(431, "ERR_DEMO_BAD_REQUEST", "Request headers are too large");
		if (status >= 400 && status < 500) {
			return plain(status, "ERR_DEMO_BAD_REQUEST", safeFastifyMessage(code, message));
		}
		return plain(500, "ERR_DEMO_INTERNAL", "Internal error");
	}
	// every package error carries the HTTP status of its code (each package's
	// `…_ERROR_CODES` registry): no mapping by code or prefix here
	const status = typeof e?.status === "number" ? e.status : undefined;
	if (code?.startsWith("ERR_") && status !== undefined) {
		if (status === 503) return { statusCode: 503, code, message, headers: { "retry-after": "1" } };
		if (status === 401) {
			const headers = { "www-authenticate": bearer("invalid_token", message) };
			return { statusCode: 401, code, message, headers };
		}
		if (status === 400) return plain(400, "ERR_DEMO_BAD_REQUEST", message);
		if (status > 400 && status < 500) return plain(status, code, message);
	}
	return plain(500, "ERR_DEMO_INTERNAL", "Internal error");
}

function plain(statusCode: number, code: string, message: string): MappedError {
	return { statusCode, code, message, headers: {} };
}

function safeFastifyMessage(code: string | undefined, message: string): string {
	if (code === "FST_ERR_CTP_EMPTY_JSON_BODY")
		return "Body cannot be empty when Content-Type is JSON";
	if (code === "FST_ERR_CTP_INVALID_JSON_BODY" || /JSON/.test(message))
		return "Body is not valid JSON";
	if (code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH") return "Invalid Content-Length";
	return "Bad request";
}

/** A 400 with the first zod issue, naming the field but never echoing the value. */
export function badRequest(
	where: string,
	issues: { path: PropertyKey[]; message: string }[],
): HttpError {
	const first = issues[0];
	const path = first?.path.map(String).join(".") || where;
	return new HttpError(
		400,
		"ERR_DEMO_BAD_REQUEST",
		`Invalid ${where}: ${path}: ${first?.message ?? "invalid"}`,
	);
}
