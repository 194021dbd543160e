/**
 * The conformance table: one row per request, the answer every adapter must give. A row
 * builds its request from a `Target` (the adapter's issuer and resource apps, fresh logins) and
 * states the exact status, JSON body, the headers `HEADERS` lists and the `Set-Cookie` lines
 * (values replaced by `<v>`, attributes kept).
 */

import type { AuthenticatorOptions, SessionServerOptions } from "@xshl/http";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";

export const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
export const UA = "Mozilla/5.0 Firefox/140.0";
export const ALLOWED_ORIGIN = "https://app.example";
export const ring = await KeyRing.generate({ signing: "EdDSA" });
/** The headers every row compares (absent: `null`). */
export const HEADERS = [
	"www-authenticate",
	"cache-control",
	"strict-transport-security",
	"allow",
	"retry-after",
	"etag",
] as const;

/** The issuer options every adapter gets (rate limits off: the table logs in many times). */
export function issuerOptions(): SessionServerOptions {
	return {
		ring,
		store: new MemoryStore(),
		issuer: ISSUER,
		audience: "api",
		rateLimit: false,
		csrf: { allowedOrigins: [ALLOWED_ORIGIN] },
		authenticate: async ({ username, password }) =>
			password === "pw" ? { sub: username, scope: username === "alice" ? ["admin"] : [] } : null,
	};
}

/**
 * What the resource app's options can be steered by: sessions its `isRevoked` hook refuses,
 * sessions its `revocations` source (a feed client's shape) lists, and its clock.
 */
export interface ResourceControl {
	readonly revoked: Set<string>;
	readonly feed: Set<string>;
	skewMs: number;
}

/** The resource-server options every adapter gets. */
export function resourceOptions(control: ResourceControl): AuthenticatorOptions {
	return {
		keys: ring.keySet("xshl"),
		issuer: ISSUER,
		audience: "api",
		isRevoked: (claims) => control.revoked.has(claims.sid),
		revocations: { isRevoked: (claims) => control.feed.has(claims.sid) },
		now: () => Date.now() + control.skewMs,
	};
}

/** A logged-in browser. */
export interface Login {
	readonly token: string;
	readonly sid: string;
	/** The `Cookie` header (refresh and fingerprint cookies). */
	readonly cookie: string;
}

/** What a row runs against. */
export interface Target {
	readonly issuer: string;
	readonly resource: string;
	readonly control: ResourceControl;
	login(username?: string): Promise<Login>;
}

/** The answer a row expects. */
export interface Expected {
	readonly status: number;
	/** The parsed JSON body (`null` for none); `"<token>"` and `"<sid>"`-like fields are replaced. */
	readonly body: unknown;
	readonly headers: Partial<Record<(typeof HEADERS)[number], string>>;
	readonly cookies: readonly string[];
}

/** One row. */
export interface Row {
	readonly name: string;
	run(t: Target): Promise<Response>;
	readonly expect: Expected;
}

export const page = {
	"x-xshl-request": "1",
	"content-type": "application/json",
	"user-agent": UA,
} as const;

const bearer = (l: Login, ua = UA) => ({
	authorization: `Bearer ${l.token}`,
	cookie: l.cookie,
	"user-agent": ua,
});

/** A body the framework writes (its 404 page): not compared. */
export const FRAMEWORK_BODY = "<framework>";
const TRACE_UA = "The token is bound to another client: the userAgent part of the trace differs";
const TRACE_FP = "The token is bound to another client: the fingerprint part of the trace differs";
const NO_STORE = { "cache-control": "no-store" } as const;
const HSTS = { "strict-transport-security": "max-age=63072000; includeSubDomains" } as const;
const TOKEN_BODY = {
	access_token: "<token>",
	token_type: "Bearer",
	expires_in: 120,
	sid: "<sid>",
	kid: "<kid>",
};
const SET = [
	"__Secure-xshl-rt=<v>; Path=/auth; Max-Age=86400; HttpOnly; Secure; SameSite=Strict",
	"__Host-xshl-fp=<v>; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict",
];
const CLEARED = [
	"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
	"__Host-xshl-fp=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
];
const err = (code: string, message: string) => ({ error: { code, message } });
const challenge = (error: string, description: string) =>
	`Bearer realm="xshl", error="${error}", error_description="${description}"`;

const refreshWith = (t: Target, cookie: string, headers: Record<string, string> = page) =>
	fetch(`${t.issuer}/auth/refresh`, { method: "POST", headers: { ...headers, cookie } });

export const ROWS: readonly Row[] = [
	{
		name: "login with good credentials",
		run: (t) =>
			fetch(`${t.issuer}/auth/login`, {
				method: "POST",
				headers: page,
				body: JSON.stringify({ username: "alice", password: "pw" }),
			}),
		expect: { status: 200, body: TOKEN_BODY, headers: { ...NO_STORE, ...HSTS }, cookies: SET },
	},
	{
		name: "login with a wrong password",
		run: (t) =>
			fetch(`${t.issuer}/auth/login`, {
				method: "POST",
				headers: page,
				body: JSON.stringify({ username: "alice", password: "nope" }),
			}),
		expect: {
			status: 401,
			body: err("ERR_HTTP_INVALID_CREDENTIALS", "Unknown user or wrong password"),
			headers: {
				"www-authenticate": challenge("invalid_client", "Unknown user or wrong password"),
				...NO_STORE,
				...HSTS,
			},
			cookies: [],
		},
	},
	{
		name: "valid token on the issuer's own API",
		run: async (t) => fetch(`${t.issuer}/api/me`, { headers: bearer(await t.login()) }),
		expect: { status: 200, body: { sub: "alice" }, headers: {}, cookies: [] },
	},
	{
		name: "valid token on the resource server",
		run: async (t) => fetch(`${t.resource}/orders`, { headers: bearer(await t.login()) }),
		expect: { status: 200, body: { sub: "alice" }, headers: {}, cookies: [] },
	},
	{
		name: "missing token",
		run: (t) => fetch(`${t.resource}/orders`),
		expect: {
			status: 401,
			body: err("ERR_HTTP_TOKEN_MISSING", "Authorization: Bearer token required"),
			headers: { "www-authenticate": 'Bearer realm="xshl"', ...NO_STORE },
			cookies: [],
		},
	},
	{
		name: "malformed Authorization header",
		run: (t) => fetch(`${t.resource}/orders`, { headers: { authorization: "Bearer not-a-jwt" } }),
		expect: {
			status: 401,
			body: err("ERR_HTTP_TOKEN_MALFORMED", "Authorization header is malformed"),
			headers: {
				"www-authenticate": challenge("invalid_request", "Authorization header is malformed"),
				...NO_STORE,
			},
			cookies: [],
		},
	},
	{
		name: "token in the query string",
		run: async (t) => {
			const l = await t.login();
			return fetch(`${t.resource}/orders?access_token=${l.token}`, { headers: bearer(l) });
		},
		expect: {
			status: 400,
			body: err("ERR_HTTP_BAD_REQUEST", "Tokens in the query string are not accepted"),
			headers: NO_STORE,
			cookies: [],
		},
	},
	{
		name: "expired token (resource clock 10 minutes ahead)",
		run: async (t) => {
			const l = await t.login();
			t.control.skewMs = 600_000;
			try {
				return await fetch(`${t.resource}/orders`, { headers: bearer(l) });
			} finally {
				t.control.skewMs = 0;
			}
		},
		expect: {
			status: 401,
			body: err("ERR_SESSION_EXPIRED", "the token has expired"),
			headers: {
				"www-authenticate": challenge("invalid_token", "the token has expired"),
				...NO_STORE,
			},
			cookies: [],
		},
	},
	{
		name: "wrong trace (another user agent)",
		run: async (t) =>
			fetch(`${t.resource}/orders`, { headers: bearer(await t.login(), "curl/8.9") }),
		expect: {
			status: 401,
			body: err("ERR_HTTP_TRACE_MISMATCH", TRACE_UA),
			headers: { "www-authenticate": challenge("invalid_token", TRACE_UA), ...NO_STORE },
			cookies: [],
		},
	},
	{
		name: "wrong trace (no fingerprint cookie)",
		run: async (t) => {
			const l = await t.login();
			return fetch(`${t.resource}/orders`, {
				headers: { authorization: `Bearer ${l.token}`, "user-agent": UA },
			});
		},
		expect: {
			status: 401,
			body: err("ERR_HTTP_TRACE_MISMATCH", TRACE_FP),
			headers: { "www-authenticate": challenge("invalid_token", TRACE_FP), ...NO_STORE },
			cookies: [],
		},
	},
	{
		name: "revoked session (isRevoked)",
		run: async (t) => {
			const l = await t.login();
			t.control.revoked.add(l.sid);
			return fetch(`${t.resource}/orders`, { headers: bearer(l) });
		},
		expect: {
			status: 401,
			body: err("ERR_HTTP_TOKEN_REVOKED", "This token or its session was revoked"),
			headers: {
				"www-authenticate": challenge("invalid_token", "This token or its session was revoked"),
				...NO_STORE,
			},
			cookies: [],
		},
	},
	{
		name: "revoked session (revocations source, as a feed client answers)",
		run: async (t) => {
			const l = await t.login();
			t.control.feed.add(l.sid);
			return fetch(`${t.resource}/orders`, { headers: bearer(l) });
		},
		expect: {
			status: 401,
			body: err("ERR_SESSION_REVOKED", "the token has been revoked"),
			headers: {
				"www-authenticate": challenge("invalid_token", "the token has been revoked"),
				...NO_STORE,
			},
			cookies: [],
		},
	},
	{
		name: "insufficient scope",
		run: async (t) => fetch(`${t.issuer}/api/admin`, { headers: bearer(await t.login("bob")) }),
		expect: {
			status: 403,
			body: err("ERR_HTTP_INSUFFICIENT_SCOPE", "The token lacks a required scope (admin)"),
			headers: {
				"www-authenticate":
					'Bearer realm="xshl", error="insufficient_scope", error_description="The token lacks a required scope (admin)", scope="admin"',
				...NO_STORE,
			},
			cookies: [],
		},
	},
	{
		name: "refresh rotates the cookie",
		run: async (t) => refreshWith(t, (await t.login()).cookie),
		expect: { status: 200, body: TOKEN_BODY, headers: { ...NO_STORE, ...HSTS }, cookies: SET },
	},
	{
		name: "refresh without the refresh cookie",
		run: (t) => fetch(`${t.issuer}/auth/refresh`, { method: "POST", headers: page }),
		expect: {
			status: 401,
			body: err("ERR_HTTP_REFRESH_MISSING", "Refresh cookie missing or malformed"),
			headers: {
				"www-authenticate": challenge("invalid_request", "Refresh cookie missing or malformed"),
				...NO_STORE,
				...HSTS,
			},
			cookies: CLEARED.slice(0, 1),
		},
	},
	{
		name: "CSRF: refresh without the custom header",
		run: async (t) =>
			refreshWith(t, (await t.login()).cookie, {
				"content-type": "application/json",
				"user-agent": UA,
			}),
		expect: {
			status: 403,
			body: err("ERR_HTTP_CSRF", "Missing X-XSHL-Request: 1 header"),
			headers: { ...NO_STORE, ...HSTS },
			cookies: [],
		},
	},
	{
		name: "CSRF: refresh with Sec-Fetch-Site: cross-site",
		run: async (t) =>
			refreshWith(t, (await t.login()).cookie, { ...page, "sec-fetch-site": "cross-site" }),
		expect: {
			status: 403,
			body: err("ERR_HTTP_CSRF", "Cross-site request refused"),
			headers: { ...NO_STORE, ...HSTS },
			cookies: [],
		},
	},
	{
		name: "CSRF: refresh from an Origin outside the allowlist",
		run: async (t) =>
			refreshWith(t, (await t.login()).cookie, { ...page, origin: "https://evil.example" }),
		expect: {
			status: 403,
			body: err("ERR_HTTP_CSRF", "Origin not allowed"),
			headers: { ...NO_STORE, ...HSTS },
			cookies: [],
		},
	},
	{
		name: "CSRF: refresh from the allowed Origin",
		run: async (t) => refreshWith(t, (await t.login()).cookie, { ...page, origin: ALLOWED_ORIGIN }),
		expect: { status: 200, body: TOKEN_BODY, headers: { ...NO_STORE, ...HSTS }, cookies: SET },
	},
	{
		name: "CSRF: login as text/plain",
		run: (t) =>
			fetch(`${t.issuer}/auth/login`, {
				method: "POST",
				headers: { ...page, "content-type": "text/plain" },
				body: JSON.stringify({ username: "alice", password: "pw" }),
			}),
		expect: {
			status: 403,
			body: err("ERR_HTTP_CSRF", "Cookie routes accept application/json only"),
			headers: { ...NO_STORE, ...HSTS },
			cookies: [],
		},
	},
	{
		name: "logout clears both cookies, and the refresh token is dead",
		run: async (t) => {
			const l = await t.login();
			const out = await fetch(`${t.issuer}/auth/logout`, {
				method: "POST",
				headers: { ...page, cookie: l.cookie },
			});
			const again = await refreshWith(t, l.cookie);
			if (again.status !== 401) throw new Error(`refresh after logout: ${again.status}`);
			return out;
		},
		expect: {
			status: 200,
			body: { ok: true },
			headers: { ...NO_STORE, ...HSTS },
			cookies: CLEARED,
		},
	},
	{
		name: "logout everywhere ends the other device's refresh",
		run: async (t) => {
			const phone = await t.login();
			const laptop = await t.login();
			const all = await fetch(`${t.issuer}/auth/logout-all`, {
				method: "POST",
				headers: { ...bearer(laptop), "x-xshl-request": "1", "content-type": "application/json" },
				body: "{}",
			});
			if (all.status !== 200 && all.status !== 204) throw new Error(`logout-all: ${all.status}`);
			return refreshWith(t, phone.cookie);
		},
		expect: {
			status: 401,
			body: err("ERR_STORE_SESSION_REVOKED", "this refresh token's family was revoked"),
			headers: {
				"www-authenticate": challenge("invalid_token", "this refresh token's family was revoked"),
				...NO_STORE,
				...HSTS,
			},
			cookies: CLEARED.slice(0, 1),
		},
	},
	{
		name: "JWKS then 304 with its ETag",
		run: async (t) => {
			const first = await fetch(`${t.issuer}/.well-known/jwks.json`);
			const etag = first.headers.get("etag") ?? "";
			return fetch(`${t.issuer}/.well-known/jwks.json`, { headers: { "if-none-match": etag } });
		},
		expect: {
			status: 304,
			body: null,
			headers: {
				"cache-control": "public, max-age=600, stale-while-revalidate=60, stale-if-error=86400",
				etag: "<etag>",
			},
			cookies: [],
		},
	},
	{
		// the adapters mount each route with its method: another method is the app's own 404
		name: "wrong method on an issuer route (the framework's 404)",
		run: (t) => fetch(`${t.issuer}/auth/sessions`, { method: "PUT" }),
		expect: { status: 404, body: FRAMEWORK_BODY, headers: {}, cookies: [] },
	},
	{
		name: "a 2,000-level JSON body",
		run: (t) =>
			fetch(`${t.issuer}/auth/login`, {
				method: "POST",
				headers: page,
				body: `${"[".repeat(2000)}${"]".repeat(2000)}`,
			}),
		expect: {
			status: 400,
			body: err("ERR_HTTP_BODY_TOO_DEEP", "The JSON body nests deeper than 32 levels"),
			headers: { ...NO_STORE, ...HSTS },
			cookies: [],
		},
	},
];
