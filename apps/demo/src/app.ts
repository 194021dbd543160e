/**
 * The Fastify app: routes, error handler, logging. Components come in through
 * {@link AppDeps} (see `wiring.ts` for the real ones).
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { toWebRequest, type XshlOptions, xshl } from "@xshl/fastify";
import {
	createMemoryRateLimiter,
	defineTraceRecipe,
	nodeRequestHead,
	WEB_TRACE_RECIPE,
} from "@xshl/http";
import type { KeyRing } from "@xshl/keys/ring";
import type { SessionKeySet, VerifyCacheOptions } from "@xshl/session-core";
import type { SessionStore } from "@xshl/session-store";
import Fastify, {
	type FastifyBaseLogger,
	type FastifyInstance,
	type FastifyRequest,
} from "fastify";
import * as z from "zod";
import type { DemoConfig } from "./config.js";
import { HttpError, mapError } from "./errors.js";
import { type DemoRevocations, FEED_PATH } from "./feed.js";
import { checkHealth } from "./health.js";
import { CSRF_HEADER, MAX_TOKEN_BYTES, parse } from "./http.js";
import { type KeyEvent, logKeyEvent } from "./log-events.js";
import type { Issuer, RefreshStore, Sealer, Verified } from "./ports.js";
import type { UserDirectory } from "./users.js";

/** Everything the app is built from. */
export interface AppDeps {
	config: DemoConfig;
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
	/**
	 * The revocation feed this instance follows (issue 15): the client given to the bearer
	 * routes as `revocations`, and its status (`GET /api/feed-status`, the page, `/healthz`).
	 */
	revocations?: DemoRevocations;
	/** Issuer mode: the feed published at `/.well-known/xshl-revocations` (`feed.ts`). */
	revocationFeed?: { handle(request: Request): Promise<Response>; close?(): void };
	/** Issuer mode: the current key ring (another instance may replace it). */
	ring?: () => KeyRing;
	/** The raw store the issuer routes use (the `store` port wraps it). */
	sessionStore?: SessionStore;
	/** Resource-server mode: the issuer's key set (a `RemoteKeySet`). */
	keys?: SessionKeySet;
	/** session-core's verified-token cache (`VERIFY_CACHE`). */
	verifyCache?: VerifyCacheOptions;
	/** Store audit events (login, refresh, reuse_detected, revoke, evict, logout_all) land here. */
	storeEvents?: { handler?: (event: { type: string }) => void };
	/** Key-set (`RemoteKeySet`) and key-ring events land here; the app logs them. */
	keyEvents?: { handler?: (event: KeyEvent) => void };
	/** `/healthz`: a cheap real check of the store (Redis PING); absent for an in-process store. */
	pingStore?: (timeoutMs: number) => Promise<void>;
}

const PUBLIC_DIR = new URL("../public/", import.meta.url);
const STATIC: Record<string, string> = {
	"index.html": "text/html; charset=utf-8",
	"app.js": "text/javascript; charset=utf-8",
	"xshl-client.js": "text/javascript; charset=utf-8",
	"app.css": "text/css; charset=utf-8",
};

const EmptyBody = z.union([z.undefined(), z.null(), z.strictObject({})]);
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

/** Bound of each `/healthz` check (a JWKS load, a Redis PING), ms. */
const HEALTH_TIMEOUT_MS = 2000;

const SECURITY_HEADERS = {
	"x-content-type-options": "nosniff",
	"referrer-policy": "no-referrer",
	"cross-origin-opener-policy": "same-origin",
	"x-frame-options": "DENY",
};

/** proxy-addr's trust function for exactly `hops` proxies in front. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
	return (_address, hop) => hop < hops;
}

/**
 * Build the app (not listening). Call `app.listen()` or `app.inject()`.
 *
 * @param deps - config and components.
 * @returns the Fastify instance.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
	const { config, issuer, store, sealer, users } = deps;
	const now = deps.now ?? Date.now;
	const mode = issuer ? "issuer" : "resource";

	const app = Fastify({
		bodyLimit: config.bodyLimit,
		onProtoPoisoning: "error",
		onConstructorPoisoning: "error",
		// never "trust everything": a hop count or the proxies' addresses (for logs; the session
		// flows resolve the client IP themselves with the same setting)
		trustProxy:
			config.trustProxy === false
				? false
				: "hops" in config.trustProxy
					? trustHops(config.trustProxy.hops)
					: config.trustProxy.addresses,
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
	if (deps.keyEvents) deps.keyEvents.handler = (event) => logKeyEvent(app.log, event);
	if (store) app.addHook("onClose", async () => store.close());

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

	// ---- static page -------------------------------------------------------------------
	const files = new Map<string, Buffer>();
	for (const name of ["index.html", "app.js", "app.css"])
		files.set(name, await readFile(new URL(name, PUBLIC_DIR)));
	// the browser client of @xshl/http (no dependencies), served as is to the page
	const httpDir = dirname(createRequire(import.meta.url).resolve("@xshl/http/package.json"));
	files.set("xshl-client.js", await readFile(join(httpDir, "dist", "client.js")));
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
	app.get("/xshl-client.js", sendStatic("xshl-client.js"));
	app.get("/app.css", sendStatic("app.css"));

	app.get("/healthz", async (_req, reply) => {
		const { statusCode, body } = await checkHealth({
			mode,
			ring: deps.ring,
			keys: deps.keys,
			store,
			pingStore: deps.pingStore,
			revocations: deps.revocations,
			timeoutMs: HEALTH_TIMEOUT_MS,
		});
		return reply.code(statusCode).send(body);
	});

	// ---- the session flows: @xshl/fastify (issuer routes from @xshl/http) ----------------------
	const traceRecipe = config.traceIp
		? defineTraceRecipe({
				name: "xshl-demo",
				version: 1,
				ip: { v4PrefixBits: 32, v6PrefixBits: 128 },
			})
		: WEB_TRACE_RECIPE;
	const trustedProxies = config.trustProxy === false ? undefined : config.trustProxy;
	if (deps.ring && store && users && deps.sessionStore) {
		const raw = deps.sessionStore!;
		await app.register(xshl, {
			ring: deps.ring,
			keySetName: config.keysetName,
			store: raw,
			issuer: config.issuer,
			audience: config.audience,
			authenticate: async ({ username, password }) => {
				const user = await users.authenticate(username, password);
				return user ? { sub: user.sub, scope: ["demo"], claims: { roles: user.roles } } : null;
			},
			lookupUser: async (sub) => {
				const user = users.bySub(sub);
				return { sub, scope: ["demo"], claims: { roles: user?.roles ?? [] } };
			},
			trace: traceRecipe,
			cookies: { secure: config.cookieSecure },
			csrf: { allowedOrigins: config.allowedOrigins },
			accessTokenTtlMs: config.accessTokenTtl * 1000,
			clients: Object.fromEntries(config.introspectClients),
			publicRevocation: true,
			...(trustedProxies ? { trustedProxies } : {}),
			rateLimit: createMemoryRateLimiter({
				limits: { login: config.loginRateLimit, refresh: config.refreshRateLimit },
				now,
			}),
			maxBodyBytes: config.bodyLimit,
			realm: "xshl-demo",
			now,
			...(deps.verifyCache ? { verifyCache: deps.verifyCache } : {}),
			...(deps.revocations ? { revocations: deps.revocations.client } : {}),
		});
		const server = app.xshl.server!;
		server.on("login", (e) => app.log.info({ sub: e.sub, sid: e.sid }, "login"));
		server.on("rate_limited", (e) => app.log.info({ action: e.action }, "rate limited"));
		server.on("client_auth.failed", (e) =>
			app.log.warn({ clientId: e.clientId, failures: e.failures }, "client authentication failed"),
		);
		server.on("error", (e) =>
			app.log.error(
				{
					route: e.route,
					err: { type: (e.error as Error)?.name, code: (e.error as { code?: unknown })?.code },
				},
				"unhandled error",
			),
		);
	} else {
		await app.register(xshl, {
			keys: deps.keys!,
			keySetName: config.keysetName,
			issuer: config.issuer,
			audience: config.audience,
			trace: traceRecipe,
			secureCookies: config.cookieSecure,
			...(trustedProxies ? { trustedProxies } : {}),
			now,
			...(deps.verifyCache ? { verifyCache: deps.verifyCache } : {}),
			...(deps.revocations ? { revocations: deps.revocations.client } : {}),
		} as XshlOptions);
		const notIssuer = async () => {
			throw new HttpError(
				404,
				"ERR_DEMO_NOT_ISSUER",
				"This instance is a resource server; use the issuer",
			);
		};
		app.get("/.well-known/jwks.json", notIssuer);
		for (const path of ["login", "refresh", "logout", "logout-all", "introspect", "revoke"])
			app.post(`/auth/${path}`, notIssuer);
		app.get("/auth/sessions", notIssuer);
		app.delete("/auth/sessions/:sid", notIssuer);
	}

	// ---- revocation feed (issue 15) ----------------------------------------------------------
	const revocationFeed = deps.revocationFeed;
	if (revocationFeed) {
		app.route({
			method: ["GET", "HEAD"],
			url: FEED_PATH,
			handler: async (req, reply) => {
				const res = await revocationFeed.handle(toWebRequest(req));
				reply.code(res.status);
				res.headers.forEach((value, name) => void reply.header(name, value));
				// `Accept: text/event-stream`: the feed's Server-Sent Events stream, passed through; its
				// socket is not kept alive after it (a server closing would wait for the idle socket)
				if (res.body !== null && /^text\/event-stream/.test(res.headers.get("content-type") ?? ""))
					return reply
						.header("connection", "close")
						.send(Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>));
				return reply.send(
					req.method === "HEAD" || res.body === null ? undefined : await res.text(),
				);
			},
		});
		// end the event streams first, or closing would wait for their clients
		app.addHook("preClose", (done) => {
			revocationFeed.close?.();
			done();
		});
	} else {
		app.get(FEED_PATH, async () => {
			throw new HttpError(
				404,
				"ERR_DEMO_NOT_ISSUER",
				"This instance is a resource server; use the issuer",
			);
		});
	}
	// no auth: the feed state holds no personal data
	app.get("/api/feed-status", async () => {
		if (!deps.revocations)
			throw new HttpError(404, "ERR_DEMO_NOT_FOUND", "This instance follows no revocation feed");
		return deps.revocations.status();
	});
	if (deps.revocations) {
		const client = deps.revocations.client;
		client.on("stale", (e) =>
			app.log.warn({ feed: { ageMs: e.ageMs, code: e.error.code } }, "revocation feed: stale"),
		);
		client.on("expired", (e) =>
			app.log.warn({ feed: { ageMs: e.ageMs, policy: e.policy } }, "revocation feed: expired"),
		);
		// a refused document (rollback, bad signature) is an attack or a bug: always logged
		client.on("refreshError", (e) => {
			if (e.error.code === "ERR_KEYS_FEED_ROLLBACK" || e.error.code === "ERR_KEYS_FEED_INVALID")
				app.log.warn({ feed: { code: e.error.code } }, "revocation feed: document refused");
		});
		const h = client.health();
		if (h.state === "empty")
			app.log.warn(
				{ feed: { policy: h.policy, code: h.lastError } },
				"revocation feed: not loaded yet; the policy applies",
			);
		app.addHook("onClose", async () => client.close());
	}

	const authenticate = async (req: FastifyRequest): Promise<Verified> => {
		const a = await app.xshl.authenticator.authenticateHead(nodeRequestHead(req.url, req.headers), {
			remoteAddress: req.socket.remoteAddress,
		});
		return {
			header: a.header as Verified["header"],
			claims: a.claims as unknown as Verified["claims"],
		};
	};

	// ---- resource routes -----------------------------------------------------------------
	app.get("/api/me", async (req) => {
		const v = await authenticate(req);
		// the user's name beside the UUID (the page shows both); null where no directory is loaded
		const name = users?.bySub(v.claims.sub)?.username ?? null;
		return { header: v.header, claims: v.claims, mode, user: { name } };
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
