/**
 * The Fastify app: routes, error handler, logging. Components come in through
 * {@link AppDeps} (see `wiring.ts` for the real ones).
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import rateLimit from "@fastify/rate-limit";
import Fastify, {
	type FastifyBaseLogger,
	type FastifyInstance,
	type FastifyRequest,
} from "fastify";
import * as z from "zod";
import type { DemoConfig } from "./config.js";
import { HttpError, mapError } from "./errors.js";
import {
	bearerToken,
	CSRF_HEADER,
	checkCsrf,
	clearRefreshCookie,
	clearSessionCookies,
	fingerprint,
	MAX_TOKEN_BYTES,
	parse,
	refreshCookie,
	setSessionCookies,
	traceOf,
	traceParts,
	userAgent,
} from "./http.js";
import type { Issuer, RefreshStore, Sealer, Verified, Verifier } from "./ports.js";
import type { UserDirectory } from "./users.js";

/** Everything the app is built from. */
export interface AppDeps {
	config: DemoConfig;
	verifier: Verifier;
	/** Absent in resource-server mode. */
	issuer?: Issuer;
	store?: RefreshStore;
	sealer?: Sealer;
	users?: UserDirectory;
	/** Milliseconds; defaults to `Date.now`. */
	now?: () => number;
	/** Pino destination for tests; defaults to stdout. */
	logStream?: NodeJS.WritableStream;
	/** Extra close hook (store clients, key sets). */
	onClose?: () => Promise<void>;
	/** Store audit events (login, refresh, reuse_detected, revoke, evict, logout_all) land here. */
	storeEvents?: { handler?: (event: { type: string }) => void };
}

const PUBLIC_DIR = new URL("../public/", import.meta.url);
const STATIC: Record<string, string> = {
	"index.html": "text/html; charset=utf-8",
	"app.js": "text/javascript; charset=utf-8",
	"app.css": "text/css; charset=utf-8",
};

const LoginBody = z.strictObject({
	username: z.string().min(1).max(64),
	password: z.string().min(1).max(256),
});
const EmptyBody = z.union([z.undefined(), z.null(), z.strictObject({})]);
const LogoutAllBody = z.union([
	z.undefined(),
	z.null(),
	z.strictObject({ exceptCurrent: z.boolean().optional() }),
]);
const SidParams = z.strictObject({
	sid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a session id"),
});
const TransferBody = z.strictObject({
	to: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be an account name"),
	amount: z.number().int().positive().max(1_000_000),
});
const SealBody = z.strictObject({ payload: z.json() });
const OpenBody = z.strictObject({
	jwe: z
		.string()
		.min(1)
		.max(MAX_TOKEN_BYTES * 2),
});
const TokenForm = z.object({
	token: z.string().min(1).max(MAX_TOKEN_BYTES),
	token_type_hint: z.enum(["access_token", "refresh_token"]).optional(),
});

const SECURITY_HEADERS = {
	"x-content-type-options": "nosniff",
	"referrer-policy": "no-referrer",
	"cross-origin-opener-policy": "same-origin",
	"x-frame-options": "DENY",
};

/**
 * Build the app (not listening). Call `app.listen()` or `app.inject()`.
 *
 * @param deps - config and components.
 * @returns the Fastify instance.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
	const { config, verifier, issuer, store, sealer, users } = deps;
	const now = deps.now ?? Date.now;
	const traceOpts = { cookieSecure: config.cookieSecure, traceIp: config.traceIp };
	const mode = issuer ? "issuer" : "resource";

	const app = Fastify({
		bodyLimit: config.bodyLimit,
		onProtoPoisoning: "error",
		onConstructorPoisoning: "error",
		trustProxy: config.trustProxy,
		routerOptions: { maxParamLength: 200 },
		return503OnClosing: true,
		genReqId: () => randomUUID(),
		// With LOG_LEVEL=silent nothing is written, so requests share the root logger instead
		// of a per-request child (binding the request id and running redaction per request).
		...(config.logLevel === "silent"
			? {
					childLoggerFactory: (logger: FastifyBaseLogger) => logger,
				}
			: {}),
		logger: {
			level: config.logLevel,
			...(deps.logStream ? { stream: deps.logStream } : {}),
			// Tokens never reach the logs: no headers are serialised, the query is dropped.
			redact: {
				paths: [
					"req.headers.authorization",
					"req.headers.cookie",
					"res.headers['set-cookie']",
					"*.token",
					"*.access_token",
					"*.refresh_token",
					"*.password",
				],
				censor: "[redacted]",
			},
			serializers: {
				req: (req: { method: string; url: string; id: string }) => ({
					id: req.id,
					method: req.method,
					url: req.url.split("?")[0],
				}),
				res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
			},
		},
	});

	// Form bodies for RFC 7662 / RFC 7009 endpoints.
	app.addContentTypeParser(
		"application/x-www-form-urlencoded",
		{ parseAs: "string" },
		(_req, body, done) => {
			const out: Record<string, string> = Object.create(null);
			for (const [k, v] of new URLSearchParams(body as string)) {
				if (Object.hasOwn(out, k)) {
					done(
						new HttpError(400, "ERR_DEMO_BAD_REQUEST", `Parameter ${k.slice(0, 32)} is repeated`),
						undefined,
					);
					return;
				}
				out[k] = v;
			}
			done(null, { ...out });
		},
	);

	app.setErrorHandler((err, req, reply) => {
		const m = mapError(err);
		if (m.statusCode >= 500 && m.statusCode !== 503) {
			req.log.error(
				{ err: { type: (err as Error)?.name, code: (err as { code?: unknown })?.code } },
				"unhandled error",
			);
		} else {
			req.log.info({ code: m.code, status: m.statusCode }, "request failed");
		}
		if (req.routeOptions.url === "/auth/refresh" && m.statusCode === 401) {
			// A dead refresh token is removed; the fingerprint stays until logout.
			clearRefreshCookie(reply, config.cookieSecure);
		}
		void reply
			.code(m.statusCode)
			.headers(m.headers)
			.header("cache-control", "no-store")
			.send({ error: { code: m.code, message: m.message } });
	});
	app.setNotFoundHandler((req, reply) => {
		void reply.code(404).send({
			error: {
				code: "ERR_DEMO_NOT_FOUND",
				message: `No route ${req.method} ${req.url.split("?")[0]}`,
			},
		});
	});
	// Default headers set up front (a sync hook is cheaper than an async onSend); routes override.
	app.addHook("onRequest", (_req, reply, done) => {
		reply.headers(SECURITY_HEADERS);
		reply.header("cache-control", "no-store");
		done();
	});
	if (deps.onClose) app.addHook("onClose", deps.onClose);
	if (deps.storeEvents) {
		// Events carry ids and at most 8 hex chars of a token hash, never a token.
		deps.storeEvents.handler = (event) =>
			app.log[event.type === "refresh.reuse_detected" || event.type === "error" ? "warn" : "info"](
				{ storeEvent: event },
				`store: ${event.type}`,
			);
	}
	if (store) app.addHook("onClose", async () => store.close());

	await app.register(rateLimit, {
		global: false,
		errorResponseBuilder: (_req, ctx) =>
			new HttpError(
				429,
				"ERR_DEMO_RATE_LIMITED",
				`Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
			),
	});

	const csrf = async (req: FastifyRequest) => checkCsrf(req, config.allowedOrigins);

	const authenticate = async (req: FastifyRequest): Promise<Verified> => {
		const token = bearerToken(req);
		return verifier.verify(token, traceParts(req, traceOpts));
	};

	const needIssuer = (): { issuer: Issuer; store: RefreshStore; users: UserDirectory } => {
		if (!issuer || !store || !users) {
			throw new HttpError(
				404,
				"ERR_DEMO_NOT_ISSUER",
				"This instance is a resource server; use the issuer",
			);
		}
		return { issuer, store, users };
	};

	const cookieMaxAge = (f: { maxAge: number }) => Math.max(0, Math.floor(f.maxAge));

	const tokenResponse = (t: {
		token: string;
		kid: string;
		claims: { exp: number; sid: string };
	}) => ({
		access_token: t.token,
		token_type: "Bearer",
		expires_in: Math.max(0, t.claims.exp - Math.floor(now() / 1000)),
		sid: t.claims.sid,
		kid: t.kid,
	});

	// ---- static page -------------------------------------------------------------------
	const files = new Map<string, Buffer>();
	for (const name of Object.keys(STATIC))
		files.set(name, await readFile(new URL(name, PUBLIC_DIR)));
	const sendStatic =
		(name: string) => async (_req: FastifyRequest, reply: import("fastify").FastifyReply) =>
			reply
				.header("content-type", STATIC[name])
				.header("cache-control", "no-cache")
				.header(
					"content-security-policy",
					"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
				)
				.send(files.get(name));
	app.get("/", sendStatic("index.html"));
	app.get("/app.js", sendStatic("app.js"));
	app.get("/app.css", sendStatic("app.css"));

	app.get("/healthz", async () => ({ ok: true, mode, store: store?.kind ?? null }));

	// ---- keys ----------------------------------------------------------------------------
	app.get("/.well-known/jwks.json", async (req, reply) => {
		const { issuer } = needIssuer();
		const r = await issuer.jwksResponse(req.headers);
		return reply
			.code(r.status)
			.headers({ ...r.headers, "content-type": "application/jwk-set+json; charset=utf-8" })
			.send(r.status === 304 ? undefined : r.body);
	});

	// ---- login / refresh / logout ----------------------------------------------------------
	app.post(
		"/auth/login",
		{
			onRequest: csrf,
			config: {
				rateLimit: {
					max: config.loginRateLimit,
					timeWindow: 60_000,
					keyGenerator: (req: FastifyRequest) => `login:${req.ip}`,
				},
			},
		},
		async (req, reply) => {
			const { issuer, store, users } = needIssuer();
			const body = parse(LoginBody, req.body, "body");
			const user = await users.authenticate(body.username, body.password);
			if (!user) {
				throw new HttpError(
					401,
					"ERR_DEMO_INVALID_CREDENTIALS",
					"Unknown user or wrong password",
					"invalid_client",
				);
			}
			// A planted refresh cookie is ignored: login always mints a new family and salt (WEB-04).
			const salt = randomBytes(24).toString("base64url");
			const trace = traceOf(req, traceOpts, salt);
			const authTime = Math.floor(now() / 1000);
			const family = await store.login({
				sub: user.sub,
				sid: issuer.sidFor(trace),
				trace: trace.toString(),
				authTime,
				userAgent: userAgent(req),
				ip: req.ip,
			});
			const t = await issuer.issue({
				sub: user.sub,
				sid: family.sid,
				authTime,
				scope: ["demo"],
				roles: user.roles,
				trace,
			});
			setSessionCookies(reply, {
				secure: config.cookieSecure,
				refreshToken: family.refreshToken,
				salt,
				maxAge: cookieMaxAge(family),
			});
			req.log.info({ sub: user.sub, sid: family.sid, kid: t.kid }, "login");
			return tokenResponse(t);
		},
	);

	app.post(
		"/auth/refresh",
		{
			onRequest: csrf,
			config: {
				rateLimit: {
					max: config.refreshRateLimit,
					timeWindow: 60_000,
					keyGenerator: (req: FastifyRequest) => {
						const rt = /(?:^|;\s*)(?:__Secure-)?xshl-rt=xrt1\.([A-Za-z0-9_-]{1,64})\./.exec(
							req.headers.cookie ?? "",
						);
						return rt?.[1] ? `refresh:${rt[1]}` : `refresh-ip:${req.ip}`;
					},
				},
			},
		},
		async (req, reply) => {
			const { issuer, store, users } = needIssuer();
			parse(EmptyBody, req.body, "body");
			const rt = refreshCookie(req, config.cookieSecure);
			const salt = fingerprint(req, traceOpts);
			const trace = traceOf(req, traceOpts, salt);
			const family = await store.rotate(rt, { trace: trace.toString() });
			const user = users.bySub(family.sub);
			const t = await issuer.issue({
				sub: family.sub,
				sid: family.sid,
				authTime: family.authTime,
				scope: ["demo"],
				roles: user?.roles ?? [],
				trace,
			});
			setSessionCookies(reply, {
				secure: config.cookieSecure,
				refreshToken: family.refreshToken,
				salt,
				maxAge: cookieMaxAge(family),
			});
			return tokenResponse(t);
		},
	);

	app.post("/auth/logout", { onRequest: csrf }, async (req, reply) => {
		const { store } = needIssuer();
		parse(EmptyBody, req.body, "body");
		let rt: string | undefined;
		try {
			rt = refreshCookie(req, config.cookieSecure);
		} catch {
			rt = undefined;
		}
		// Deny the current access token too when it is presented and valid.
		const v = req.headers.authorization
			? await authenticate(req).catch(() => undefined)
			: undefined;
		if (rt) await store.revokeRefresh(rt, v?.claims);
		else if (v) await store.denyAccess(v.claims);
		clearSessionCookies(reply, config.cookieSecure);
		return { ok: true };
	});

	app.post("/auth/logout-all", { onRequest: csrf }, async (req, reply) => {
		const { store } = needIssuer();
		const body = parse(LogoutAllBody, req.body, "body");
		const v = await authenticate(req);
		if (body?.exceptCurrent) {
			await store.logoutAll(v.claims.sub, { exceptSid: v.claims.sid });
		} else {
			await store.logoutAll(v.claims.sub);
			clearSessionCookies(reply, config.cookieSecure);
		}
		return { ok: true };
	});

	app.get("/auth/sessions", async (req) => {
		const { store } = needIssuer();
		const v = await authenticate(req);
		return { sessions: await store.list(v.claims.sub, v.claims.sid) };
	});

	app.delete("/auth/sessions/:sid", async (req, reply) => {
		const { store } = needIssuer();
		const { sid } = parse(SidParams, req.params, "params");
		const v = await authenticate(req);
		const found = await store.revokeSession(v.claims.sub, sid);
		if (!found) throw new HttpError(404, "ERR_DEMO_NOT_FOUND", "No such session");
		if (sid === v.claims.sid) clearSessionCookies(reply, config.cookieSecure);
		return { ok: true };
	});

	// ---- resource routes -----------------------------------------------------------------
	app.get("/api/me", async (req) => {
		const v = await authenticate(req);
		return { header: v.header, claims: v.claims, mode };
	});

	app.post("/api/transfer", async (req) => {
		const v = await authenticate(req);
		const body = parse(TransferBody, req.body, "body");
		if (!store)
			throw new HttpError(404, "ERR_DEMO_NOT_ISSUER", "Critical operations need the store");
		await store.check(v.claims);
		if (Math.floor(now() / 1000) - v.claims.auth_time > config.maxAuthAge) {
			throw new HttpError(
				401,
				"ERR_REAUTH_REQUIRED",
				`Log in again: authentication is older than ${config.maxAuthAge} s`,
				"insufficient_user_authentication",
			);
		}
		return { ok: true, transferId: randomUUID(), to: body.to, amount: body.amount };
	});

	app.post("/api/seal", async (req) => {
		const v = await authenticate(req);
		const body = parse(SealBody, req.body, "body");
		if (!sealer) throw new HttpError(404, "ERR_DEMO_NOT_ISSUER", "JWE needs the issuer's key ring");
		return { jwe: await sealer.seal(body.payload, { sub: v.claims.sub }) };
	});

	app.post("/api/open", async (req) => {
		const v = await authenticate(req);
		const body = parse(OpenBody, req.body, "body");
		if (!sealer) throw new HttpError(404, "ERR_DEMO_NOT_ISSUER", "JWE needs the issuer's key ring");
		let opened: Awaited<ReturnType<Sealer["open"]>>;
		try {
			opened = await sealer.open(body.jwe);
		} catch (err) {
			// A JWE that does not open is bad input (400), not an authentication failure.
			const m = mapError(err);
			if (m.statusCode === 503 || m.statusCode === 500) throw err;
			throw new HttpError(400, m.code, m.message);
		}
		// only what was sealed for the caller opens; nothing of another user's payload leaves
		if (opened.sub !== v.claims.sub)
			throw new HttpError(403, "ERR_DEMO_FORBIDDEN", "This was sealed for another user");
		return { payload: opened.payload, header: opened.header };
	});

	// ---- service endpoints (RFC 7662 / RFC 7009) ------------------------------------------
	const clientAuth = (req: FastifyRequest): string | undefined => {
		const h = req.headers.authorization;
		const m = typeof h === "string" ? /^Basic ([A-Za-z0-9+/=]{1,600})$/.exec(h) : null;
		if (!m?.[1]) return undefined;
		const text = Buffer.from(m[1], "base64").toString("utf8");
		const at = text.indexOf(":");
		if (at <= 0) return undefined;
		const id = decodeURIComponent(text.slice(0, at));
		const secret = decodeURIComponent(text.slice(at + 1));
		const expected = config.introspectClients.get(id);
		if (!expected) return undefined;
		const a = Buffer.from(secret);
		const b = Buffer.from(expected);
		return a.length === b.length && timingSafeEqual(a, b) ? id : undefined;
	};
	const requireClient = (req: FastifyRequest): string => {
		let id: string | undefined;
		try {
			id = clientAuth(req);
		} catch {
			id = undefined;
		}
		if (!id)
			throw new HttpError(
				401,
				"ERR_DEMO_CLIENT_AUTH",
				"Service credentials required",
				"invalid_client",
			);
		return id;
	};

	app.post("/auth/introspect", async (req) => {
		const client = requireClient(req);
		const form = parse(TokenForm, req.body, "body");
		if (form.token_type_hint === "refresh_token") return { active: false };
		try {
			const v = await verifier.verify(form.token, undefined);
			if (store) await store.check(v.claims);
			const c = v.claims;
			return {
				active: true,
				sub: c.sub,
				sid: c.sid,
				jti: c.jti,
				exp: c.exp,
				iat: c.iat,
				nbf: c.nbf,
				aud: c.aud,
				iss: c.iss,
				scope: c.scope?.join(" "),
				token_type: "Bearer",
				auth_time: c.auth_time,
			};
		} catch (err) {
			const m = mapError(err);
			if (m.statusCode === 503) throw err;
			req.log.info({ client, reason: m.code }, "introspect: inactive");
			return { active: false };
		}
	});

	app.post("/auth/revoke", async (req) => {
		const { store } = needIssuer();
		if (req.headers.authorization) requireClient(req);
		const form = parse(TokenForm, req.body, "body");
		const looksLikeJwt = form.token.split(".").length === 3 && !form.token.startsWith("xrt1.");
		if (form.token_type_hint !== "access_token" && !looksLikeJwt) {
			await store.revokeRefresh(form.token);
			return {};
		}
		try {
			const v = await verifier.verify(form.token, undefined);
			await store.denyAccess(v.claims);
		} catch (err) {
			if (mapError(err).statusCode === 503) throw err;
			// RFC 7009 §2.2: invalid tokens do not cause an error.
		}
		return {};
	});

	// ---- admin -------------------------------------------------------------------------------
	app.post("/admin/keys/rotate", async (req) => {
		const { issuer } = needIssuer();
		const v = await authenticate(req);
		if (!v.claims.roles?.includes("admin")) {
			throw new HttpError(403, "ERR_DEMO_FORBIDDEN", "Admin role required");
		}
		parse(EmptyBody, req.body, "body");
		const r = await issuer.rotate();
		req.log.info({ kid: r.kid, previousKid: r.previousKid }, "keys rotated");
		return r;
	});

	app.log.debug({ csrfHeader: CSRF_HEADER }, "routes ready");
	return app;
}
