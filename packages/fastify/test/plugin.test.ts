import fastifyAuth from "@fastify/auth";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { xshl, xshlErrorHandler } from "../src/index";

declare module "../src/index" {
	interface XshlClaims {
		roles?: string[];
	}
}

const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
const UA = "Mozilla/5.0 Firefox/140.0";
const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": UA };
const ring = await KeyRing.generate({ signing: "EdDSA" });
const apps: FastifyInstance[] = [];
afterEach(async () => {
	for (const a of apps.splice(0)) await a.close();
});

async function issuerApp(): Promise<FastifyInstance> {
	const app = Fastify();
	apps.push(app);
	await app.register(xshl, {
		ring,
		store: new MemoryStore(),
		issuer: ISSUER,
		audience: "api",
		authenticate: async ({ username, password }) =>
			password === "pw"
				? { sub: username, scope: username === "alice" ? ["admin"] : [], claims: { roles: ["r1"] } }
				: null,
	});
	app.get("/api/me", { onRequest: app.xshl.authenticate }, async (request) => ({
		sub: request.session?.sub,
		roles: request.session?.roles,
	}));
	app.get("/api/admin", { preHandler: app.xshl.requireScopes("admin") }, async () => ({
		ok: true,
	}));
	return app;
}

async function loginVia(app: FastifyInstance, username = "alice") {
	const res = await app.inject({
		method: "POST",
		url: "/auth/login",
		headers: page,
		payload: JSON.stringify({ username, password: "pw" }),
	});
	expect(res.statusCode).toBe(200);
	const token = res.json<{ access_token: string }>().access_token;
	const cookie = (res.headers["set-cookie"] as string[]).map((c) => c.split(";")[0]).join("; ");
	return { token, cookie, res };
}

describe("issuer routes under the prefix", () => {
	it("logs in, sets cookies, and request.session carries the claims (declaration merging)", async () => {
		const app = await issuerApp();
		const { token, cookie, res } = await loginVia(app);
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
		expect((res.headers["set-cookie"] as string[]).length).toBe(2);
		const me = await app.inject({
			url: "/api/me",
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(me.statusCode).toBe(200);
		expect(me.json()).toEqual({ sub: "alice", roles: ["r1"] });
	});

	it("app.xshl.authenticator.verifier reports each bearer check (for @xshl/otel)", async () => {
		const app = await issuerApp();
		const { token, cookie } = await loginVia(app);
		const seen: [string, string | undefined][] = [];
		app.xshl.authenticator.verifier.on("verify", (e) => seen.push([e.outcome, e.code]));
		const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
		expect((await app.inject({ url: "/api/me", headers })).statusCode).toBe(200);
		// an all-zero EdDSA signature (64 bytes, 86 base64url characters): refused by the verifier
		const zeroed = `${token.split(".").slice(0, 2).join(".")}.${"A".repeat(86)}`;
		const bad = await app.inject({
			url: "/api/me",
			headers: { ...headers, authorization: `Bearer ${zeroed}` },
		});
		expect(bad.statusCode).toBe(401);
		expect(seen).toEqual([
			["ok", undefined],
			["error", "ERR_SESSION_SIGNATURE_INVALID"],
		]);
	});

	it("a URL with characters a URL may not hold is still answered, never 500", async () => {
		const app = await issuerApp();
		const res = await app.inject({
			method: "POST",
			url: "/auth/login?{{X [XZ:1<>_b[",
			headers: page,
			payload: JSON.stringify({ username: "alice", password: "nope" }),
		});
		expect(res.statusCode).toBe(401);
		expect(res.json().error.code).toBe("ERR_HTTP_INVALID_CREDENTIALS");
	});

	it("a header value a Web Request cannot carry is dropped, never 500", async () => {
		const app = await issuerApp();
		const res = await app.inject({
			url: "/api/me",
			headers: { "user-agent": "a\u0000b\u00e9\ud83d\ude00", authorization: "Bearer \u0000" },
		});
		expect(res.statusCode).toBe(401);
		expect(res.json().code).toBe("ERR_HTTP_TOKEN_MISSING");
	});

	it("an unauthenticated request gets 401 with the RFC 6750 challenge (Fastify's error shape by default)", async () => {
		const app = await issuerApp();
		const me = await app.inject({ url: "/api/me" });
		expect(me.statusCode).toBe(401);
		expect(me.headers["www-authenticate"]).toBe('Bearer realm="xshl"');
		expect(me.json()).toEqual({
			statusCode: 401,
			code: "ERR_HTTP_TOKEN_MISSING",
			error: "Unauthorized",
			message: "Authorization: Bearer token required",
		});
	});

	it("xshlErrorHandler gives the canonical { error: { code, message } }", async () => {
		const app = Fastify();
		apps.push(app);
		app.setErrorHandler(xshlErrorHandler);
		await app.register(xshl, { keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" });
		app.get("/api/me", { onRequest: app.xshl.authenticate }, async () => ({ ok: true }));
		const me = await app.inject({ url: "/api/me", headers: { authorization: "bearer x" } });
		expect(me.statusCode).toBe(401);
		expect(me.json()).toEqual({
			error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
		});
		expect(me.headers["cache-control"]).toBe("no-store");
	});

	it("requireScopes answers 403 insufficient_scope without the scope", async () => {
		const app = await issuerApp();
		const bob = await loginVia(app, "bob");
		const res = await app.inject({
			url: "/api/admin",
			headers: { authorization: `Bearer ${bob.token}`, cookie: bob.cookie, "user-agent": UA },
		});
		expect(res.statusCode).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="xshl", error="insufficient_scope", error_description="The token lacks a required scope (admin)", scope="admin"',
		);
		const alice = await loginVia(app, "alice");
		const ok = await app.inject({
			url: "/api/admin",
			headers: { authorization: `Bearer ${alice.token}`, cookie: alice.cookie, "user-agent": UA },
		});
		expect(ok.statusCode).toBe(200);
	});

	it("works with @fastify/auth next to another strategy", async () => {
		const app = await issuerApp();
		await app.register(fastifyAuth);
		const apiKey = async (request: { headers: Record<string, unknown> }) => {
			if (request.headers["x-api-key"] !== "k-1")
				throw Object.assign(new Error("no key"), { statusCode: 401 });
		};
		app.get(
			"/api/either",
			{ preHandler: app.auth([app.xshl.authenticate, apiKey]) },
			async (request) => ({
				sub: request.session?.sub ?? null,
			}),
		);
		await app.ready();
		const { token, cookie } = await loginVia(app);
		const a = await app.inject({
			url: "/api/either",
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(a.json()).toEqual({ sub: "alice" });
		const b = await app.inject({ url: "/api/either", headers: { "x-api-key": "k-1" } });
		expect(b.json()).toEqual({ sub: null });
		const c = await app.inject({ url: "/api/either" });
		expect(c.statusCode).toBe(401);
	});

	it("over a real socket: refresh rotates, a 2,000-level body is 400, logout clears", async () => {
		const app = await issuerApp();
		const base = await app.listen({ port: 0, host: "127.0.0.1" });
		const login = await fetch(`${base}/auth/login`, {
			method: "POST",
			headers: page,
			body: JSON.stringify({ username: "alice", password: "pw" }),
		});
		expect(login.status).toBe(200);
		const cookie = login.headers
			.getSetCookie()
			.map((c) => c.split(";")[0])
			.join("; ");
		const refresh = await fetch(`${base}/auth/refresh`, {
			method: "POST",
			headers: { ...page, cookie },
		});
		expect(refresh.status).toBe(200);
		expect(refresh.headers.getSetCookie()[0]).toMatch(
			/^__Secure-xshl-rt=xrt1\.[A-Za-z0-9_-]+\.1\./,
		);
		const deep = await fetch(`${base}/auth/login`, {
			method: "POST",
			headers: page,
			body: `${"[".repeat(2000)}${"]".repeat(2000)}`,
		});
		expect(deep.status).toBe(400);
		expect(await deep.json()).toEqual({
			error: {
				code: "ERR_HTTP_BODY_TOO_DEEP",
				message: "The JSON body nests deeper than 32 levels",
			},
		});
		const big = await fetch(`${base}/auth/login`, {
			method: "POST",
			headers: page,
			body: "x".repeat(100_000),
		});
		expect(big.status).toBe(413);
		const jwks = await fetch(`${base}/.well-known/jwks.json`);
		expect(jwks.status).toBe(200);
		const etag = jwks.headers.get("etag")!;
		expect(
			(await fetch(`${base}/.well-known/jwks.json`, { headers: { "if-none-match": etag } })).status,
		).toBe(304);
	});
});

describe("resource server mode", () => {
	it("verifies the issuer's tokens with the same recipe and keys", async () => {
		const issuer = await issuerApp();
		const { token, cookie } = await loginVia(issuer);
		const app = Fastify();
		apps.push(app);
		await app.register(xshl, { keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" });
		app.get("/orders", { onRequest: app.xshl.authenticate }, async (request) => ({
			sub: request.session?.sub,
		}));
		const ok = await app.inject({
			url: "/orders",
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(ok.json()).toEqual({ sub: "alice" });
		const other = await app.inject({
			url: "/orders",
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": "curl/8" },
		});
		expect(other.statusCode).toBe(401);
		expect(other.json().code).toBe("ERR_HTTP_TRACE_MISMATCH");
		expect(app.xshl.server).toBeUndefined();
		expect(issuer.xshl.server).toBeDefined();
	});

	it("an isRevoked hook receives the request as a Web Request (built only for it)", async () => {
		const issuer = await issuerApp();
		const { token, cookie } = await loginVia(issuer);
		const app = Fastify();
		apps.push(app);
		const seen: { url: string; flag: string | null; ua: string | null }[] = [];
		await app.register(xshl, {
			keys: ring.keySet("xshl"),
			issuer: ISSUER,
			audience: "api",
			isRevoked: (_claims, request) => {
				if (!(request instanceof Request)) throw new Error("not a Request");
				seen.push({
					url: request.url,
					flag: request.headers.get("x-revoked"),
					ua: request.headers.get("user-agent"),
				});
				return request.headers.get("x-revoked") === "yes";
			},
		});
		app.get("/orders", { onRequest: app.xshl.authenticate }, async (request) => ({
			sub: request.session?.sub,
		}));
		const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
		const ok = await app.inject({ url: "/orders?page=2", headers });
		expect(ok.json()).toEqual({ sub: "alice" });
		const revoked = await app.inject({
			url: "/orders",
			headers: { ...headers, "x-revoked": "yes" },
		});
		expect(revoked.statusCode).toBe(401);
		expect(revoked.json().code).toBe("ERR_HTTP_TOKEN_REVOKED");
		expect(seen).toEqual([
			{ url: "http://xshl.invalid/orders?page=2", flag: null, ua: UA },
			{ url: "http://xshl.invalid/orders", flag: "yes", ua: UA },
		]);
	});
});
