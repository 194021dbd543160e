/**
 * The issuer: login, refresh, logout, logout everywhere, session list and revoke, JWKS,
 * RFC 7662 introspection and RFC 7009 revocation, each a `(Request) => Promise<Response>`,
 * plus one `handle(request)` router.
 */
import type { KeyRing } from "@xshl/keys/ring";
import {
	Session,
	type SessionClaims,
	SessionConfig,
	type SessionKeySet,
	sessionId,
} from "@xshl/session-core";
import { parseRefreshToken, type SessionStore } from "@xshl/session-store";
import {
	type Authenticated,
	type Authenticator,
	type AuthenticatorOptions,
	createAuthenticator,
} from "./authenticate";
import {
	createClientIpResolver,
	ipRateLimitKey,
	type RequestInfo,
	type TrustedProxies,
} from "./client-ip";
import { errorAnswer, errorResponse } from "./error-response";
import {
	HttpBadRequestError,
	HttpClientAuthError,
	HttpConfigError,
	type HttpConfigIssue,
	HttpCsrfError,
	HttpInvalidCredentialsError,
	HttpMethodNotAllowedError,
	HttpNotFoundError,
	HttpRateLimitedError,
	HttpRefreshMissingError,
	HttpTraceMismatchError,
} from "./errors";
import { type BodyLimits, readForm, readJson } from "./internal/body";
import { cookieNames, readCookie, serializeCookie } from "./internal/cookies";
import { Emitter } from "./internal/emitter";
import { createMemoryRateLimiter, type RateLimitAction, type RateLimitHook } from "./rate-limit";
import type { RequestHead } from "./request-head";
import {
	type TraceParts,
	type TraceRecipe,
	traceOf,
	tracePartDigests,
	traceParts,
	tracePartsKey,
	WEB_TRACE_RECIPE,
} from "./trace-recipe";

/** A handler on Web `Request`/`Response`; `info` carries the peer address. */
export type SessionHandler = (request: Request, info?: RequestInfo) => Promise<Response>;

/** The user a login or refresh issues a token for. */
export interface SessionUser {
	/** The subject (`sub`). */
	readonly sub: string;
	/** Scopes of the access token. @default [] */
	readonly scope?: readonly string[];
	/** Extra JSON claims (e.g. `roles`); registered claim names are ignored. */
	readonly claims?: Readonly<Record<string, unknown>>;
}

/** Options of {@link createSessionServer}. */
export interface SessionServerOptions {
	/** The issuer's key ring, or a function returning the current one (a ring shared and replaced). */
	ring: KeyRing | (() => KeyRing);
	/** Name of the ring's key set; it feeds every `sid`, so verifiers must use the same. @default "xshl" */
	keySetName?: string;
	/** The refresh-token store. */
	store: SessionStore;
	/** The `iss` of every token (session-core's `app`, a UUID). */
	issuer: string;
	/** The `aud` of every token. */
	audience: string;
	/** Checks credentials; returns the user, or `null`/`undefined` to refuse. Never stores passwords. */
	authenticate: (
		credentials: { username: string; password: string },
		request: Request,
	) => Promise<SessionUser | null | undefined>;
	/** The user for a refresh (fresh scopes and claims); `null` ends the session. Omit to keep `sub` only. */
	lookupUser?: (sub: string) => Promise<SessionUser | null | undefined>;
	/** The trace recipe; verifiers must import the same. @default WEB_TRACE_RECIPE */
	trace?: TraceRecipe;
	/** Cookie settings. */
	cookies?: {
		/**
		 * `Secure` cookies with `__Secure-`/`__Host-` names, and HSTS on every answer. Turning it
		 * off is for plain-HTTP development on loopback only. @default true
		 */
		secure?: boolean;
		/** `Path` of the refresh cookie. @default mountPath */
		refreshPath?: string;
	};
	/** CSRF settings for the cookie routes. */
	csrf?: {
		/** Origins allowed besides the request URL's own (an `Origin` header must be one of them). @default [] */
		allowedOrigins?: readonly string[];
	};
	/** Where the routes live. @default "/auth" */
	mountPath?: string;
	/** Where the JWKS is served (absolute path). @default "/.well-known/jwks.json" */
	jwksPath?: string;
	/** Access-token lifetime in milliseconds, whole seconds, at most 900000. @default 120000 */
	accessTokenTtlMs?: number;
	/** Introspection/revocation clients: id → secret (HTTP Basic). @default {} */
	clients?: Readonly<Record<string, string>>;
	/** Let a client without credentials revoke a token it holds (RFC 7009 public clients). @default false */
	publicRevocation?: boolean;
	/** Client-secret guessing: failures per client id and per IP key before a 429. */
	clientAuthThrottle?: { maxFailures?: number; windowMs?: number };
	/** Proxies trusted for `X-Forwarded-For`. @default undefined (the peer address only) */
	trustedProxies?: TrustedProxies;
	/** Rate limiting of login and refresh; `false` turns it off. @default createMemoryRateLimiter() */
	rateLimit?: RateLimitHook | false;
	/** Same refresh token and trace within this window gets the same rotation. @default 10000 */
	graceMs?: number;
	/** Body size limit in bytes. @default 16384 */
	maxBodyBytes?: number;
	/** JSON nesting limit. @default 32 */
	maxJsonDepth?: number;
	/** Cookie/Authorization header limit in bytes. @default 16384 */
	maxHeaderBytes?: number;
	/** Token size limit in bytes. @default 8192 */
	maxTokenBytes?: number;
	/** `realm` of `WWW-Authenticate`. @default "xshl" */
	realm?: string;
	/** Clock in milliseconds. @default Date.now */
	now?: () => number;
	/** session-core's verified-token cache for the issuer's own bearer checks. @default undefined (off) */
	verifyCache?: AuthenticatorOptions["verifyCache"];
	/**
	 * Offline revocation for the issuer's own bearer checks (see `AuthenticatorOptions.revocations`):
	 * e.g. a `RevocationFeedClient` following this issuer's feed in process.
	 * @default undefined (the bearer routes that ask the store still see revocations at once)
	 */
	revocations?: AuthenticatorOptions["revocations"];
}

/** Event payloads of a session server (type → payload). Never tokens or secrets. */
export interface SessionServerEvents {
	/** A login succeeded. */
	login: { sub: string; sid: string };
	/** A refresh rotated (or, `coalesced`, reused a rotation from the grace window). */
	refresh: { sub: string; sid: string; coalesced: boolean };
	/** A logout (one device). */
	logout: { sub: string | undefined; sid: string | undefined };
	/** Logout everywhere. */
	logout_all: { sub: string; exceptSid: string | undefined };
	/** One session revoked from the list. */
	session_revoked: { sub: string; sid: string };
	/** The rate-limit hook refused. */
	rate_limited: { action: RateLimitAction; key: string };
	/** Wrong client credentials on introspection or revocation. */
	"client_auth.failed": { clientId: string | undefined; ipKey: string; failures: number };
	/** Client credentials refused unchecked after too many failures. */
	"client_auth.throttled": { clientId: string | undefined; ipKey: string };
	/** A 500: the error is here, never in the answer. */
	error: { route: string; error: unknown };
}

/** One route, for adapters that mount them one by one. */
export interface SessionRoute {
	/** HTTP method. */
	readonly method: "GET" | "POST" | "DELETE";
	/** Absolute path; `:sid` is a parameter. */
	readonly path: string;
	/** Route name (`login`, `refresh`, …). */
	readonly name: string;
	/** The handler. */
	readonly handler: SessionHandler;
}

/** What {@link createSessionServer} returns. */
export interface SessionServer {
	/** `POST {mount}/login` with JSON `{ username, password }`. */
	readonly login: SessionHandler;
	/** `POST {mount}/refresh`: rotates the refresh cookie, returns a new access token. */
	readonly refresh: SessionHandler;
	/** `POST {mount}/logout`: revokes this device's family, clears the cookies. */
	readonly logout: SessionHandler;
	/** `POST {mount}/logout-all` (bearer) with `{ exceptCurrent? }`. */
	readonly logoutAll: SessionHandler;
	/** `GET {mount}/sessions` (bearer). */
	readonly listSessions: SessionHandler;
	/** `DELETE {mount}/sessions/:sid` (bearer). */
	readonly revokeSession: SessionHandler;
	/** `GET {jwksPath}` with ETag/304. */
	readonly jwks: SessionHandler;
	/** `POST {mount}/introspect` (RFC 7662, client auth). */
	readonly introspect: SessionHandler;
	/** `POST {mount}/revoke` (RFC 7009, client auth). */
	readonly revoke: SessionHandler;
	/** Routes every path above; anything else is a JSON 404 (405 for a wrong method). */
	readonly handle: SessionHandler;
	/** Every route, for adapters. */
	readonly routes: readonly SessionRoute[];
	/** The issuer's own bearer check (same keys, recipe and audience). */
	authenticate(request: Request, info?: RequestInfo): Promise<Authenticated>;
	/** {@link Authenticator.authenticateHead} of the issuer's own bearer check (no `Request` built). */
	authenticateHead(head: RequestHead, info?: RequestInfo): Promise<Authenticated>;
	/** The key set of the current ring (for verifiers in the same process). */
	readonly keys: SessionKeySet;
	/** {@link Authenticator.verifier} of the issuer's own bearer check (`instrument({ verifier })`). */
	readonly verifier: Authenticator["verifier"];
	/** Subscribe to an event; returns the unsubscribe. */
	on<K extends keyof SessionServerEvents>(
		type: K,
		listener: (payload: SessionServerEvents[K]) => void,
	): () => void;
}

const SID = /^[A-Za-z0-9_-]{1,128}$/;
const REFRESH = /^[A-Za-z0-9._~-]{1,200}$/;
const RESERVED = new Set([
	"iss",
	"sub",
	"aud",
	"exp",
	"nbf",
	"iat",
	"jti",
	"sid",
	"trace",
	"trp",
	"version",
	"auth_time",
	"scope",
]);

const enc = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
	const d = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
	let s = "";
	for (const b of d) s += b.toString(16).padStart(2, "0");
	return s;
}

function randomSalt(): string {
	const b = crypto.getRandomValues(new Uint8Array(24));
	let bin = "";
	for (const x of b) bin += String.fromCharCode(x);
	return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function equalSecret(a: string, b: string): Promise<boolean> {
	const [x, y] = await Promise.all([
		crypto.subtle.digest("SHA-256", enc.encode(a)),
		crypto.subtle.digest("SHA-256", enc.encode(b)),
	]);
	const u = new Uint8Array(x);
	const v = new Uint8Array(y);
	let diff = 0;
	for (let i = 0; i < u.length; i++) diff |= u[i]! ^ v[i]!;
	return diff === 0;
}

function payloadClaims(token: string): SessionClaims {
	const part = token.split(".")[1]!;
	const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
	const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
	return JSON.parse(
		new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))),
	) as SessionClaims;
}

function validate(o: SessionServerOptions): HttpConfigIssue[] {
	const issues: HttpConfigIssue[] = [];
	if (!o?.ring) issues.push({ path: "ring", message: "required: a KeyRing or a function" });
	if (!o?.store || typeof o.store.rotate !== "function")
		issues.push({ path: "store", message: "required: a SessionStore" });
	if (typeof o?.issuer !== "string" || !o.issuer)
		issues.push({ path: "issuer", message: "required: a non-empty string" });
	if (typeof o?.audience !== "string" || !o.audience)
		issues.push({ path: "audience", message: "required: a non-empty string" });
	if (typeof o?.authenticate !== "function")
		issues.push({ path: "authenticate", message: "required: a function" });
	const ttl = o?.accessTokenTtlMs ?? 120_000;
	if (!Number.isInteger(ttl) || ttl % 1000 !== 0 || ttl < 1000 || ttl > 900_000)
		issues.push({
			path: "accessTokenTtlMs",
			message: "must be whole seconds in milliseconds, from 1000 to 900000",
		});
	for (const p of ["mountPath", "jwksPath"] as const) {
		const v = o?.[p];
		if (v !== undefined && (typeof v !== "string" || !/^\/[A-Za-z0-9._~/-]*$/.test(v)))
			issues.push({ path: p, message: "must be an absolute path" });
	}
	const limits: [keyof SessionServerOptions, number, number][] = [
		["graceMs", 0, 60_000],
		["maxBodyBytes", 256, 1_048_576],
		["maxJsonDepth", 2, 256],
		["maxHeaderBytes", 1024, 65_536],
		["maxTokenBytes", 256, 65_536],
	];
	for (const [name, min, max] of limits) {
		const v = o?.[name];
		if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max))
			issues.push({ path: name, message: `must be an integer from ${min} to ${max}` });
	}
	if (o?.clients !== undefined) {
		for (const [id, secret] of Object.entries(o.clients)) {
			if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
				issues.push({
					path: `clients.${id.slice(0, 32)}`,
					message: "client id must be 1 to 64 of A-Z a-z 0-9 . _ -",
				});
			if (typeof secret !== "string" || secret.length < 16)
				issues.push({
					path: `clients.${id.slice(0, 32)}`,
					message: "secret must have at least 16 characters",
				});
		}
	}
	return issues;
}

/**
 * Build the issuer's handlers.
 *
 * @param options - ring, store, issuer, audience, credentials check and settings.
 * @returns the handlers, the router, the routes and `on()`.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` listing every bad option.
 * @example
 * ```ts
 * import { createSessionServer } from '@xshl/http'
 * import { KeyRing } from '@xshl/keys/ring'
 * import { MemoryStore } from '@xshl/session-store'
 * const server = createSessionServer({
 *   ring: await KeyRing.generate({ signing: 'EdDSA' }),
 *   store: new MemoryStore(),
 *   issuer: '5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f',
 *   audience: 'api',
 *   authenticate: async ({ username, password }) => (await users.check(username, password)) ? { sub: username } : null,
 * })
 * Bun.serve({ fetch: (request, bun) => server.handle(request, { remoteAddress: bun.requestIP(request)?.address }) })
 * ```
 */
export function createSessionServer(options: SessionServerOptions): SessionServer {
	const issues = validate(options);
	if (issues.length > 0)
		throw new HttpConfigError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
	const o = options;
	const now = o.now ?? Date.now;
	const name = o.keySetName ?? "xshl";
	const store = o.store;
	const recipe = o.trace ?? WEB_TRACE_RECIPE;
	const secure = o.cookies?.secure ?? true;
	const mount = (o.mountPath ?? "/auth").replace(/\/+$/, "");
	const refreshPath = o.cookies?.refreshPath ?? (mount || "/");
	const jwksPath = o.jwksPath ?? "/.well-known/jwks.json";
	const ttlSeconds = (o.accessTokenTtlMs ?? 120_000) / 1000;
	const allowedOrigins = o.csrf?.allowedOrigins ?? [];
	const clients = new Map(Object.entries(o.clients ?? {}));
	const graceMs = o.graceMs ?? 10_000;
	const maxHeaderBytes = o.maxHeaderBytes ?? 16_384;
	const maxTokenBytes = o.maxTokenBytes ?? 8192;
	const limits: BodyLimits = {
		maxBodyBytes: o.maxBodyBytes ?? 16_384,
		maxJsonDepth: o.maxJsonDepth ?? 32,
	};
	const realm = o.realm ?? "xshl";
	const rateLimit = o.rateLimit === false ? undefined : (o.rateLimit ?? createMemoryRateLimiter());
	const maxFailures = o.clientAuthThrottle?.maxFailures ?? 10;
	const failureWindowMs = o.clientAuthThrottle?.windowMs ?? 60_000;
	const ipOf = createClientIpResolver(o.trustedProxies);
	const names = cookieNames(secure);
	const events = new Emitter<SessionServerEvents>();

	// ---- keys ---------------------------------------------------------------------------
	const ringNow = typeof o.ring === "function" ? o.ring : () => o.ring as KeyRing;
	let lastRing: KeyRing | undefined;
	let lastKeys: ReturnType<KeyRing["keySet"]> | undefined;
	const ringKeys = () => {
		const r = ringNow();
		if (r !== lastRing || !lastKeys) {
			lastRing = r;
			lastKeys = r.keySet(name);
		}
		return lastKeys;
	};
	const keys: SessionKeySet = {
		name,
		resolver: (header, token) => ringKeys().resolver(header, token as never),
		// the key at hand with no promise (session-core's node:crypto engine asks first)
		resolveSync: (header) => ringKeys().resolveSync(header),
		algorithms: (use) => ringKeys().algorithms(use),
		getKey: (query) => ringKeys().getKey(query),
	};
	let config: { kid: string; config: SessionConfig } | undefined;
	const sessionConfig = (): SessionConfig => {
		const sk = ringNow().signingKey();
		if (config?.kid !== sk.kid) {
			config = {
				kid: sk.kid,
				config: new SessionConfig({
					keys,
					app: o.issuer,
					audience: [o.audience],
					header: sk.header,
					key: sk.privateKey,
					expiresMs: ttlSeconds * 1000,
					now,
				}),
			};
		}
		return config.config;
	};

	const auth = createAuthenticator({
		keys,
		issuer: o.issuer,
		audience: o.audience,
		trace: recipe,
		secureCookies: secure,
		...(o.trustedProxies ? { trustedProxies: o.trustedProxies } : {}),
		maxTokenBytes,
		maxHeaderBytes,
		now,
		...(o.verifyCache ? { verifyCache: o.verifyCache } : {}),
		...(o.revocations ? { revocations: o.revocations } : {}),
	});
	const serviceAuth = createAuthenticator({
		keys,
		issuer: o.issuer,
		audience: o.audience,
		trace: false,
		maxTokenBytes,
		maxHeaderBytes,
		now,
		...(o.revocations ? { revocations: o.revocations } : {}),
	});

	// ---- answers --------------------------------------------------------------------------
	const baseHeaders = (): Headers => {
		const h = new Headers({
			"content-type": "application/json; charset=utf-8",
			"cache-control": "no-store",
			pragma: "no-cache",
			"x-content-type-options": "nosniff",
			"referrer-policy": "no-referrer",
		});
		if (secure) h.set("strict-transport-security", "max-age=63072000; includeSubDomains");
		return h;
	};
	const json = (status: number, body: unknown, cookies: string[] = []): Response => {
		const h = baseHeaders();
		for (const c of cookies) h.append("set-cookie", c);
		return new Response(JSON.stringify(body), { status, headers: h });
	};
	const sessionCookies = (refreshToken: string, salt: string, maxAgeSeconds: number) => [
		serializeCookie(names.refresh, refreshToken, { path: refreshPath, maxAgeSeconds, secure }),
		serializeCookie(names.fingerprint, salt, { path: "/", maxAgeSeconds, secure }),
	];
	const clearRefresh = () =>
		serializeCookie(names.refresh, "", { path: refreshPath, maxAgeSeconds: 0, secure });
	const clearBoth = () => [
		clearRefresh(),
		serializeCookie(names.fingerprint, "", { path: "/", maxAgeSeconds: 0, secure }),
	];

	const wrap =
		(route: string, fn: SessionHandler, onError?: (status: number) => string[]): SessionHandler =>
		async (request, info) => {
			try {
				return await fn(request, info);
			} catch (err) {
				const a = errorAnswer(err, { realm });
				if (a.status === 500) events.emit("error", { route, error: err });
				const h = baseHeaders();
				for (const [k, v] of Object.entries(a.headers)) h.set(k, v);
				for (const c of onError?.(a.status) ?? []) h.append("set-cookie", c);
				return new Response(JSON.stringify({ error: { code: a.code, message: a.message } }), {
					status: a.status,
					headers: h,
				});
			}
		};

	// ---- request checks -------------------------------------------------------------------
	const ownOrigin = (request: Request): string | undefined => {
		try {
			return new URL(request.url).origin;
		} catch {
			return undefined;
		}
	};
	const csrf = (request: Request): void => {
		if (request.headers.get("x-xshl-request") !== "1")
			throw new HttpCsrfError("Missing X-XSHL-Request: 1 header");
		const ct = request.headers.get("content-type");
		if (ct !== null && ct !== "" && !/^application\/json\s*(;|$)/i.test(ct))
			throw new HttpCsrfError("Cookie routes accept application/json only");
		const site = request.headers.get("sec-fetch-site");
		if (site !== null && site !== "same-origin" && site !== "none")
			throw new HttpCsrfError("Cross-site request refused");
		// an Origin, when sent, must be allowed (or this server's own), Sec-Fetch-Site or not
		const origin = request.headers.get("origin");
		if (origin !== null && !allowedOrigins.includes(origin) && origin !== ownOrigin(request))
			throw new HttpCsrfError("Origin not allowed");
	};
	const limit = async (action: RateLimitAction, key: string, request: Request) => {
		if (!rateLimit) return;
		const d = await rateLimit({ action, key, request });
		if (!d.allowed) {
			events.emit("rate_limited", { action, key });
			throw new HttpRateLimitedError("Too many requests", d.retryAfterMs);
		}
	};
	const emptyBody = async (request: Request): Promise<void> => {
		const b = await readJson(request, limits);
		if (b === undefined || b === null) return;
		if (typeof b !== "object" || Array.isArray(b) || Object.keys(b).length > 0)
			throw new HttpBadRequestError("Invalid body: expected no body or {}");
	};
	const partsFor = (request: Request, salt: string, ip: string): TraceParts =>
		traceParts(recipe, { fingerprint: salt, ip, userAgent: request.headers.get("user-agent") });

	// ---- issuing ----------------------------------------------------------------------------
	const issue = async (
		user: SessionUser,
		sid: string,
		authTime: number,
		parts: TraceParts,
	): Promise<{ token: string; claims: SessionClaims; kid: string }> => {
		const cfg = sessionConfig();
		const trace = traceOf(parts);
		const session = new Session(cfg, trace);
		if (session.sid !== sid) throw new HttpTraceMismatchError("unknown");
		session.sub = user.sub;
		session.aud = [o.audience];
		session.scope = [...(user.scope ?? [])];
		session.set("auth_time", authTime);
		session.set("trp", await tracePartDigests(recipe, parts));
		for (const [k, v] of Object.entries(user.claims ?? {}))
			if (!RESERVED.has(k) && !k.startsWith("_")) session.set(k, v);
		const token = await session.jwt();
		return { token, claims: payloadClaims(token), kid: cfg.header.kid ?? "" };
	};
	const tokenBody = (t: { token: string; kid: string; claims: SessionClaims }) => ({
		access_token: t.token,
		token_type: "Bearer",
		expires_in: Math.max(0, t.claims.exp - Math.floor(now() / 1000)),
		sid: t.claims.sid,
		kid: t.kid,
	});

	// ---- login ------------------------------------------------------------------------------
	const login = wrap("login", async (request, info) => {
		csrf(request);
		const ip = ipOf(request, info);
		await limit("login", ipRateLimitKey(ip), request);
		const body = await readJson(request, limits);
		if (body === null || typeof body !== "object" || Array.isArray(body))
			throw new HttpBadRequestError("Invalid body: expected { username, password }");
		const { username, password, ...rest } = body as Record<string, unknown>;
		if (Object.keys(rest).length > 0)
			throw new HttpBadRequestError(
				`Invalid body: unknown field ${Object.keys(rest)[0]!.slice(0, 32)}`,
			);
		if (typeof username !== "string" || username.length < 1 || username.length > 256)
			throw new HttpBadRequestError("Invalid body: username: must be 1 to 256 characters");
		if (typeof password !== "string" || password.length < 1 || password.length > 1024)
			throw new HttpBadRequestError("Invalid body: password: must be 1 to 1024 characters");
		const user = await o.authenticate({ username, password }, request);
		if (!user) throw new HttpInvalidCredentialsError("Unknown user or wrong password");
		// a planted refresh or fingerprint cookie is ignored: a new family and a new salt
		const salt = randomSalt();
		const parts = partsFor(request, salt, ip);
		const sid = sessionId(name, traceOf(parts));
		const authTime = Math.floor(now() / 1000);
		const family = await store.login({
			sub: user.sub,
			sid,
			trace: await sha256Hex(traceOf(parts).toString()),
			authTime,
			client: { userAgent: parts.ua, ip },
		});
		const t = await issue(user, family.sid, authTime, parts);
		events.emit("login", { sub: user.sub, sid: family.sid });
		return json(
			200,
			tokenBody(t),
			sessionCookies(family.refreshToken, salt, Math.floor(family.maxAgeMs / 1000)),
		);
	});

	// ---- refresh ------------------------------------------------------------------------------
	const inflight = new Map<
		string,
		{
			at: number;
			result: Promise<{
				sub: string;
				sid: string;
				authTime: number;
				refreshToken: string;
				maxAgeSeconds: number;
			}>;
		}
	>();
	const refresh = wrap(
		"refresh",
		async (request, info) => {
			csrf(request);
			const ip = ipOf(request, info);
			const cookie = request.headers.get("cookie");
			const rt = readCookie(cookie, names.refresh, maxHeaderBytes);
			let familyKey: string | undefined;
			if (rt !== undefined && REFRESH.test(rt)) {
				try {
					familyKey = `family:${parseRefreshToken(rt).familyId}`;
				} catch {
					familyKey = undefined;
				}
			}
			await limit("refresh", familyKey ?? ipRateLimitKey(ip), request);
			await emptyBody(request);
			if (rt === undefined || !REFRESH.test(rt))
				throw new HttpRefreshMissingError("Refresh cookie missing or malformed");
			const salt = readCookie(cookie, names.fingerprint, maxHeaderBytes) ?? "";
			const parts = partsFor(request, salt, ip);
			const t = now();
			for (const [k, v] of inflight) if (v.at + graceMs <= t) inflight.delete(k);
			const key = `${rt}\u0000${tracePartsKey(parts)}`;
			const seen = inflight.get(key);
			let coalesced = true;
			let result = seen?.result;
			if (!result) {
				coalesced = false;
				result = (async () => {
					const f = await store.rotate(rt, { trace: await sha256Hex(traceOf(parts).toString()) });
					return {
						sub: f.sub,
						sid: f.sid,
						authTime: f.authTime,
						refreshToken: f.refreshToken,
						maxAgeSeconds: Math.floor(f.maxAgeMs / 1000),
					};
				})();
				if (inflight.size >= 10_000) inflight.delete(inflight.keys().next().value!);
				inflight.set(key, { at: t, result });
				result.catch(() => inflight.delete(key));
			}
			const family = await result;
			const user = o.lookupUser ? await o.lookupUser(family.sub) : { sub: family.sub };
			if (!user) throw new HttpInvalidCredentialsError("The user no longer exists");
			const tk = await issue({ ...user, sub: family.sub }, family.sid, family.authTime, parts);
			events.emit("refresh", { sub: family.sub, sid: family.sid, coalesced });
			return json(
				200,
				tokenBody(tk),
				sessionCookies(family.refreshToken, parts.salt, family.maxAgeSeconds),
			);
		},
		// a dead refresh token is removed; the fingerprint stays until logout
		(status) => (status === 401 ? [clearRefresh()] : []),
	);

	// ---- logout -------------------------------------------------------------------------------
	const logout = wrap("logout", async (request, info) => {
		csrf(request);
		await emptyBody(request);
		const rt = readCookie(request.headers.get("cookie"), names.refresh, maxHeaderBytes);
		const v = request.headers.get("authorization")
			? await auth.authenticate(request, info).catch(() => undefined)
			: undefined;
		if (rt !== undefined && REFRESH.test(rt)) {
			try {
				await store.logout(
					rt,
					v ? { accessToken: { jti: v.claims.jti, exp: v.claims.exp } } : undefined,
				);
			} catch (err) {
				const code = String((err as { code?: unknown })?.code ?? "");
				if (!code.startsWith("ERR_STORE_REFRESH_")) throw err;
				if (v)
					await store.denyJti({ sub: v.claims.sub ?? "", id: v.claims.jti, exp: v.claims.exp });
			}
		} else if (v) {
			await store.denyJti({ sub: v.claims.sub ?? "", id: v.claims.jti, exp: v.claims.exp });
		}
		events.emit("logout", { sub: v?.claims.sub, sid: v?.claims.sid });
		return json(200, { ok: true }, clearBoth());
	});

	const logoutAll = wrap("logout-all", async (request, info) => {
		csrf(request);
		const body = await readJson(request, limits);
		let exceptCurrent = false;
		if (body !== undefined && body !== null) {
			if (typeof body !== "object" || Array.isArray(body))
				throw new HttpBadRequestError("Invalid body: expected { exceptCurrent? }");
			const { exceptCurrent: e, ...rest } = body as Record<string, unknown>;
			if (Object.keys(rest).length > 0 || (e !== undefined && typeof e !== "boolean"))
				throw new HttpBadRequestError("Invalid body: expected { exceptCurrent?: boolean }");
			exceptCurrent = e === true;
		}
		const v = await auth.authenticate(request, info);
		const sub = v.claims.sub ?? "";
		await store.logoutAll(sub, exceptCurrent ? { exceptSid: v.claims.sid } : undefined);
		events.emit("logout_all", { sub, exceptSid: exceptCurrent ? v.claims.sid : undefined });
		return json(200, { ok: true }, exceptCurrent ? [] : clearBoth());
	});

	const listSessions = wrap("sessions", async (request, info) => {
		const v = await auth.authenticate(request, info);
		const rows = await store.listSessions(v.claims.sub ?? "", { currentSid: v.claims.sid });
		return json(200, {
			sessions: rows.map((s) => ({
				sid: s.sid,
				authTime: s.authTime,
				createdAt: s.createdAt,
				lastUsedAt: s.lastUsedAt,
				idleExpiresAt: s.idleExpiresAt,
				absoluteExpiresAt: s.absoluteExpiresAt,
				browser: s.browser,
				os: s.os,
				ipPrefix: s.ipPrefix,
				current: s.current,
			})),
		});
	});

	const sidOf = (request: Request): string => {
		const path = new URL(request.url).pathname;
		const sid = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
		if (!SID.test(sid)) throw new HttpBadRequestError("Invalid params: sid: must be a session id");
		return sid;
	};
	const revokeSession = wrap("revoke-session", async (request, info) => {
		const sid = sidOf(request);
		const v = await auth.authenticate(request, info);
		const sub = v.claims.sub ?? "";
		const found = await store.revokeSession({ sub, sid });
		if (!found) throw new HttpNotFoundError("No such session");
		events.emit("session_revoked", { sub, sid });
		return json(200, { ok: true }, sid === v.claims.sid ? clearBoth() : []);
	});

	const jwks = wrap("jwks", async (request) => {
		const r = await ringNow().jwksResponse({ headers: request.headers });
		const h = new Headers(r.headers);
		h.set("content-type", "application/jwk-set+json; charset=utf-8");
		h.set("x-content-type-options", "nosniff");
		return new Response(r.status === 304 ? null : r.body, { status: r.status, headers: h });
	});

	// ---- service endpoints ------------------------------------------------------------------------
	const failures = new Map<string, { count: number; resetAt: number }>();
	const failed = (key: string): number => {
		const t = now();
		let f = failures.get(key);
		if (!f || f.resetAt <= t) {
			failures.delete(key);
			if (failures.size >= 10_000) failures.delete(failures.keys().next().value!);
			f = { count: 0, resetAt: t + failureWindowMs };
			failures.set(key, f);
		}
		return ++f.count;
	};
	const throttled = (key: string): boolean => {
		const f = failures.get(key);
		return f !== undefined && f.resetAt > now() && f.count >= maxFailures;
	};
	const requireClient = async (request: Request, info?: RequestInfo): Promise<string> => {
		const ipKey = ipRateLimitKey(ipOf(request, info));
		const h = request.headers.get("authorization") ?? "";
		const m = /^Basic ([A-Za-z0-9+/=]{1,600})$/.exec(h);
		let id: string | undefined;
		let secret: string | undefined;
		if (m) {
			try {
				const text = new TextDecoder("utf-8", { fatal: true }).decode(
					Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)),
				);
				const at = text.indexOf(":");
				if (at > 0) {
					id = decodeURIComponent(text.slice(0, at));
					secret = decodeURIComponent(text.slice(at + 1));
				}
			} catch {
				id = undefined;
			}
		}
		const clientId = id !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(id) ? id : undefined;
		const idKey = `client:${clientId ?? "?"}`;
		if (throttled(`ip|${ipKey}`) || (clientId && throttled(idKey))) {
			events.emit("client_auth.throttled", { clientId, ipKey });
			throw new HttpRateLimitedError("Too many failed client authentications", failureWindowMs);
		}
		const expected = clientId ? clients.get(clientId) : undefined;
		const ok =
			expected !== undefined && secret !== undefined && (await equalSecret(secret, expected));
		if (!ok) {
			const n = Math.max(failed(`ip|${ipKey}`), clientId ? failed(idKey) : 0);
			events.emit("client_auth.failed", { clientId, ipKey, failures: n });
			throw new HttpClientAuthError("Service credentials required");
		}
		return clientId!;
	};
	const tokenForm = async (request: Request) => {
		const form = await readForm(request, limits);
		const token = form.token;
		if (typeof token !== "string" || token.length < 1 || token.length > maxTokenBytes)
			throw new HttpBadRequestError(
				`Invalid body: token: must be 1 to ${maxTokenBytes} characters`,
			);
		const hint = form.token_type_hint;
		if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token")
			throw new HttpBadRequestError(
				"Invalid body: token_type_hint: must be access_token or refresh_token",
			);
		return { token, hint };
	};
	const verifyService = (token: string) =>
		serviceAuth.authenticate(
			new Request("http://xshl.invalid/", { headers: { authorization: `Bearer ${token}` } }),
		);

	const introspect = wrap("introspect", async (request, info) => {
		await requireClient(request, info);
		const { token, hint } = await tokenForm(request);
		if (hint === "refresh_token" || token.startsWith("xrt1.")) return json(200, { active: false });
		let v: Authenticated;
		try {
			v = await verifyService(token);
			const r = await store.isRevoked({
				sub: v.claims.sub ?? "",
				iat: v.claims.iat,
				jti: v.claims.jti,
				sid: v.claims.sid,
			});
			if (r.revoked) return json(200, { active: false });
		} catch (err) {
			if (errorAnswer(err).status === 503) throw err;
			return json(200, { active: false });
		}
		const c = v.claims;
		return json(200, {
			active: true,
			sub: c.sub,
			sid: c.sid,
			jti: c.jti,
			exp: c.exp,
			iat: c.iat,
			nbf: c.nbf,
			aud: c.aud,
			iss: c.iss,
			scope: (c.scope ?? []).join(" "),
			token_type: "Bearer",
			auth_time: c.auth_time,
		});
	});

	const revoke = wrap("revoke", async (request, info) => {
		if (!(o.publicRevocation && request.headers.get("authorization") === null))
			await requireClient(request, info);
		const { token, hint } = await tokenForm(request);
		const jwtLike = token.split(".").length === 3 && !token.startsWith("xrt1.");
		if (hint !== "access_token" && !jwtLike) {
			try {
				await store.logout(token);
			} catch (err) {
				const code = String((err as { code?: unknown })?.code ?? "");
				if (!code.startsWith("ERR_STORE_REFRESH_")) throw err;
			}
			return json(200, {});
		}
		try {
			const v = await verifyService(token);
			await store.denyJti({ sub: v.claims.sub ?? "", id: v.claims.jti, exp: v.claims.exp });
		} catch (err) {
			// RFC 7009 §2.2: an invalid token is not an error; an unavailable store is
			if (errorAnswer(err).status === 503) throw err;
		}
		return json(200, {});
	});

	// ---- router -------------------------------------------------------------------------------
	const routes: SessionRoute[] = [
		{ method: "POST", path: `${mount}/login`, name: "login", handler: login },
		{ method: "POST", path: `${mount}/refresh`, name: "refresh", handler: refresh },
		{ method: "POST", path: `${mount}/logout`, name: "logout", handler: logout },
		{ method: "POST", path: `${mount}/logout-all`, name: "logout-all", handler: logoutAll },
		{ method: "GET", path: `${mount}/sessions`, name: "sessions", handler: listSessions },
		{
			method: "DELETE",
			path: `${mount}/sessions/:sid`,
			name: "revoke-session",
			handler: revokeSession,
		},
		{ method: "POST", path: `${mount}/introspect`, name: "introspect", handler: introspect },
		{ method: "POST", path: `${mount}/revoke`, name: "revoke", handler: revoke },
		{ method: "GET", path: jwksPath, name: "jwks", handler: jwks },
	];
	const matches = (pattern: string, path: string) => {
		if (!pattern.includes(":")) return pattern === path;
		const prefix = pattern.slice(0, pattern.indexOf(":"));
		return (
			path.startsWith(prefix) &&
			path.length > prefix.length &&
			!path.slice(prefix.length).includes("/")
		);
	};
	const handle: SessionHandler = async (request, info) => {
		let path: string;
		try {
			path = new URL(request.url).pathname;
		} catch {
			return errorResponse(new HttpBadRequestError("Bad URL"), { realm });
		}
		const found = routes.filter((r) => matches(r.path, path));
		if (found.length === 0)
			return errorResponse(
				new HttpNotFoundError(`No route ${request.method} ${path.slice(0, 200)}`),
				{ realm },
			);
		const method = request.method === "HEAD" ? "GET" : request.method;
		const route = found.find((r) => r.method === method);
		if (!route)
			return errorResponse(
				new HttpMethodNotAllowedError(
					`${request.method.slice(0, 16)} is not allowed here`,
					found.map((r) => r.method),
				),
				{ realm },
			);
		return route.handler(request, info);
	};

	return {
		login,
		refresh,
		logout,
		logoutAll,
		listSessions,
		revokeSession,
		jwks,
		introspect,
		revoke,
		handle,
		routes,
		keys,
		authenticate: (request, info) => auth.authenticate(request, info),
		authenticateHead: (head, info) => auth.authenticateHead(head, info),
		verifier: auth.verifier,
		on: (type, listener) => events.on(type, listener),
	};
}
