/**
 * Request helpers shared by the routes: zod parsing, bearer extraction, trace, CSRF.
 */
import { Trace } from "@xshl/trace";
import type { FastifyReply, FastifyRequest } from "fastify";
import * as z from "zod";
import { cookieNames, cookieValue, parseCookies, serializeCookie } from "./cookies.js";
import { badRequest, HttpError } from "./errors.js";
import type { TraceParts } from "./ports.js";

/** Parse with a schema or throw a 400 naming the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
	const r = schema.safeParse(value);
	if (!r.success) throw badRequest(where, r.error.issues);
	return r.data;
}

/** Max bytes of a compact JWT/JWE we accept (catalog FMT-05). */
export const MAX_TOKEN_BYTES = 8192;
/** `Bearer <compact JWS>`, exactly one space, case-sensitive scheme; the token is returned. */
const BearerHeader = z
	.string()
	.max(MAX_TOKEN_BYTES + 7)
	.regex(/^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/)
	.transform((h) => h.slice(7));
/** The fingerprint salt cookie value. */
const Salt = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/);
/** The user agent: any string, capped at 512 characters; absent is "". */
const UserAgent = z
	.string()
	.optional()
	.transform((ua) => (ua ?? "").slice(0, 512));
/** The refresh cookie value (≤ 200 chars of base64url and dots), checked before any store call. */
const RefreshCookie = z
	.string()
	.max(200)
	.regex(/^[A-Za-z0-9._~-]+$/);

/**
 * The bearer token of a request. Exactly `Authorization: Bearer <compact JWS>`; query
 * tokens are refused (catalog WEB-05).
 *
 * @throws {HttpError} 401 `ERR_DEMO_TOKEN_MISSING` / `ERR_DEMO_TOKEN_MALFORMED`, 400 for `?access_token=`.
 */
export function bearerToken(req: FastifyRequest): string {
	const q = req.query as Record<string, unknown> | undefined;
	if (q && typeof q === "object" && Object.hasOwn(q, "access_token")) {
		throw new HttpError(400, "ERR_DEMO_BAD_REQUEST", "Tokens in the query string are not accepted");
	}
	const h = req.headers.authorization;
	if (h === undefined || h === "") {
		throw new HttpError(
			401,
			"ERR_DEMO_TOKEN_MISSING",
			"Authorization: Bearer token required",
			"invalid_request",
		);
	}
	if (typeof h !== "string" || h.length > MAX_TOKEN_BYTES + 7) {
		throw new HttpError(
			401,
			"ERR_DEMO_TOKEN_MALFORMED",
			"Authorization header is malformed",
			"invalid_request",
		);
	}
	const m = BearerHeader.safeParse(h);
	if (!m.success) {
		throw new HttpError(
			401,
			"ERR_DEMO_TOKEN_MALFORMED",
			"Authorization header is malformed",
			"invalid_request",
		);
	}
	return m.data;
}

/** Options for building the trace of a request. */
export interface TraceOptions {
	cookieSecure: boolean;
	traceIp: boolean;
}

/** The client's fingerprint salt (from its cookie), or "" when absent or malformed. */
export function fingerprint(req: FastifyRequest, opts: TraceOptions): string {
	const v = cookieValue(req.headers.cookie, cookieNames(opts.cookieSecure).fingerprint);
	return Salt.safeParse(v).success ? (v as string) : "";
}

/** The user agent, capped at 512 chars. */
export function userAgent(req: FastifyRequest): string {
	const ua = UserAgent.safeParse(req.headers["user-agent"]);
	return ua.success ? ua.data : "";
}

/**
 * The parts of the trace the request's token must match (no hashing: see {@link toTrace}):
 * the per-login salt (fingerprint cookie), the IP when `TRACE_IP` is on, the user agent.
 */
export function traceParts(
	req: FastifyRequest,
	opts: TraceOptions,
	salt = fingerprint(req, opts),
): TraceParts {
	return { salt, ip: opts.traceIp ? req.ip : undefined, ua: userAgent(req) };
}

/** The `Trace` of some parts: salt, IP (when present), and the user agent last (it may contain `:`). */
export function toTrace(parts: TraceParts): Trace {
	return parts.ip === undefined
		? new Trace(parts.salt, parts.ua)
		: new Trace(parts.salt, parts.ip, parts.ua);
}

/**
 * A string that identifies the parts exactly (a cache key): the salt is base64url or empty (no
 * `|`), and the IP is length-prefixed (behind a proxy it comes from a header), so the user
 * agent after it is unambiguous.
 */
export function traceKey(parts: TraceParts): string {
	return parts.ip === undefined
		? `u|${parts.salt}|${parts.ua}`
		: `i|${parts.salt}|${parts.ip.length}|${parts.ip}|${parts.ua}`;
}

/** The trace the request's token must match (login and refresh build it once). */
export function traceOf(
	req: FastifyRequest,
	opts: TraceOptions,
	salt = fingerprint(req, opts),
): Trace {
	return toTrace(traceParts(req, opts, salt));
}

/** The refresh token from its cookie (≤ 200 chars, parsed before any store call). */
export function refreshCookie(req: FastifyRequest, secure: boolean): string {
	const v = parseCookies(req.headers.cookie).get(cookieNames(secure).refresh);
	if (!v)
		throw new HttpError(
			401,
			"ERR_DEMO_REFRESH_MISSING",
			"Refresh cookie missing",
			"invalid_request",
		);
	if (!RefreshCookie.safeParse(v).success) {
		throw new HttpError(
			401,
			"ERR_DEMO_REFRESH_MISSING",
			"Refresh cookie is malformed",
			"invalid_request",
		);
	}
	return v;
}

/** Set the refresh and fingerprint cookies. */
export function setSessionCookies(
	reply: FastifyReply,
	opts: { secure: boolean; refreshToken: string; salt: string; maxAge: number },
): void {
	const names = cookieNames(opts.secure);
	reply.header("set-cookie", [
		serializeCookie(names.refresh, opts.refreshToken, {
			path: "/auth",
			maxAge: opts.maxAge,
			secure: opts.secure,
		}),
		serializeCookie(names.fingerprint, opts.salt, {
			path: "/",
			maxAge: opts.maxAge,
			secure: opts.secure,
		}),
	]);
}

/** Clear the refresh cookie only (same attributes, `Max-Age=0`). */
export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
	reply.header(
		"set-cookie",
		serializeCookie(cookieNames(secure).refresh, "", { path: "/auth", maxAge: 0, secure }),
	);
}

/** Clear both cookies with identical attributes and `Max-Age=0`. */
export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
	const names = cookieNames(secure);
	reply.header("set-cookie", [
		serializeCookie(names.refresh, "", { path: "/auth", maxAge: 0, secure }),
		serializeCookie(names.fingerprint, "", { path: "/", maxAge: 0, secure }),
	]);
}

/** CSRF header name and value the page sends on every cookie route. */
export const CSRF_HEADER = "x-xshl-request";

/**
 * CSRF defence for cookie routes (catalog WEB-03), run in `onRequest` (before body
 * parsing): POST only (routes are registered for POST only), JSON only, the custom header
 * `X-XSHL-Request: 1`, `Sec-Fetch-Site` same-origin/none when present, else `Origin` (when
 * present) in the allowlist.
 *
 * @throws {HttpError} 403 `ERR_DEMO_CSRF`.
 */
export function checkCsrf(req: FastifyRequest, allowedOrigins: readonly string[]): void {
	if (req.headers[CSRF_HEADER] !== "1") {
		throw new HttpError(403, "ERR_DEMO_CSRF", "Missing X-XSHL-Request: 1 header");
	}
	const ct = req.headers["content-type"];
	if (ct !== undefined && ct !== "" && !/^application\/json\s*(;|$)/i.test(ct)) {
		throw new HttpError(403, "ERR_DEMO_CSRF", "Cookie routes accept application/json only");
	}
	const site = req.headers["sec-fetch-site"];
	if (site !== undefined) {
		if (site !== "same-origin" && site !== "none") {
			throw new HttpError(403, "ERR_DEMO_CSRF", "Cross-site request refused");
		}
	}
	const origin = req.headers.origin;
	if (origin !== undefined && !allowedOrigins.includes(origin)) {
		throw new HttpError(403, "ERR_DEMO_CSRF", "Origin not allowed");
	}
}
