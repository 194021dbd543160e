import { HttpConfigError } from "@xshl/http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { xshl, xshlErrorHandler } from "../src/index";
import { cookieOf, ISSUER, issuerOptions, listen, loginVia, page, ring, UA } from "./helpers/index";

declare module "../src/index" {
	interface XshlClaims {
		roles?: string[];
	}
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of closers.splice(0)) await c();
});

async function issuerApp(withHandler = true) {
	const auth = xshl(issuerOptions());
	const app = express();
	app.use(auth.router!);
	app.get("/api/me", auth, (req, res) => {
		res.json({ sub: req.session?.sub, roles: req.session?.roles, alg: req.xshl?.header.alg });
	});
	app.get("/api/admin", auth.requireScopes("admin"), (_req, res) => {
		res.json({ ok: true });
	});
	app.get(
		"/api/r1",
		auth.claimCheck((claims) => claims.roles?.includes("r2") === true),
		(_req, res) => {
			res.json({ ok: true });
		},
	);
	if (withHandler) app.use(xshlErrorHandler());
	const s = await listen(app);
	closers.push(s.close);
	return { ...s, auth };
}

describe("issuer Router and req.session on a real Express server", () => {
	it("logs in, sets both cookies and HSTS, and req.session carries the claims (declaration merging)", async () => {
		const { base } = await issuerApp();
		const { token, cookie, res } = await loginVia(base);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(res.headers.get("strict-transport-security")).toBe(
			"max-age=63072000; includeSubDomains",
		);
		expect(res.headers.getSetCookie()).toHaveLength(2);
		const me = await fetch(`${base}/api/me`, {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(me.status).toBe(200);
		expect(await me.json()).toEqual({ sub: "alice", roles: ["r1"], alg: "EdDSA" });
	});

	it("without xshlErrorHandler a refusal still has its status and WWW-Authenticate (finalhandler)", async () => {
		const { base } = await issuerApp(false);
		const me = await fetch(`${base}/api/me`);
		expect(me.status).toBe(401);
		expect(me.headers.get("www-authenticate")).toBe('Bearer realm="xshl"');
	});

	it("xshlErrorHandler gives the canonical body, challenge and no-store", async () => {
		const { base } = await issuerApp();
		const me = await fetch(`${base}/api/me`, { headers: { authorization: "bearer x" } });
		expect(me.status).toBe(401);
		expect(me.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_request", error_description="Authorization header is malformed"',
		);
		expect(me.headers.get("cache-control")).toBe("no-store");
		expect(me.headers.get("etag")).toBeNull();
		expect(me.headers.get("content-type")).toBe("application/json; charset=utf-8");
		expect(await me.json()).toEqual({
			error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
		});
	});

	it("requireScopes: 403 insufficient_scope without the scope, 200 with it", async () => {
		const { base } = await issuerApp();
		const bob = await loginVia(base, "bob");
		const res = await fetch(`${base}/api/admin`, {
			headers: { authorization: `Bearer ${bob.token}`, cookie: bob.cookie, "user-agent": UA },
		});
		expect(res.status).toBe(403);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="insufficient_scope", error_description="The token lacks a required scope (admin)", scope="admin"',
		);
		const alice = await loginVia(base, "alice");
		const ok = await fetch(`${base}/api/admin`, {
			headers: { authorization: `Bearer ${alice.token}`, cookie: alice.cookie, "user-agent": UA },
		});
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ ok: true });
	});

	it("claimCheck: a refused check is 401 ERR_HTTP_CLAIM_CHECK_FAILED", async () => {
		const { base } = await issuerApp();
		const { token, cookie } = await loginVia(base);
		const res = await fetch(`${base}/api/r1`, {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_CLAIM_CHECK_FAILED", message: "The token's claims were refused" },
		});
	});

	it("refresh rotates, a 2,000-level body is 400, JWKS ETag/304, logout clears", async () => {
		const { base } = await issuerApp();
		const { cookie } = await loginVia(base);
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
		const jwks = await fetch(`${base}/.well-known/jwks.json`);
		expect(jwks.status).toBe(200);
		const etag = jwks.headers.get("etag")!;
		expect(
			(await fetch(`${base}/.well-known/jwks.json`, { headers: { "if-none-match": etag } })).status,
		).toBe(304);
		const logout = await fetch(`${base}/auth/logout`, {
			method: "POST",
			headers: { ...page, cookie: cookieOf(refresh) },
		});
		expect(logout.status).toBe(200);
		expect(logout.headers.getSetCookie()).toEqual([
			"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
			"__Host-xshl-fp=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		]);
	});

	it("a body express.json() already parsed still reaches the issuer", async () => {
		const auth = xshl(issuerOptions());
		const app = express();
		app.use(express.json());
		app.use(auth.router!);
		const s = await listen(app);
		closers.push(s.close);
		const { token } = await loginVia(s.base);
		expect(token.split(".")).toHaveLength(3);
	});
});

describe("resource server mode", () => {
	it("verifies the issuer's tokens with the same recipe and keys; another client is refused", async () => {
		const { base: issuerBase } = await issuerApp();
		const { token, cookie } = await loginVia(issuerBase);
		const auth = xshl({ keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" });
		expect(auth.router).toBeUndefined();
		expect(auth.server).toBeUndefined();
		const app = express();
		app.get("/orders", auth, (req, res) => {
			res.json({ sub: req.session?.sub });
		});
		app.use(xshlErrorHandler());
		const { base, close } = await listen(app);
		closers.push(close);
		const ok = await fetch(`${base}/orders`, {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(await ok.json()).toEqual({ sub: "alice" });
		const other = await fetch(`${base}/orders`, {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": "curl/8" },
		});
		expect(other.status).toBe(401);
		expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_TRACE_MISMATCH",
		);
	});

	it("an unexpected error goes to the next error handler unchanged", async () => {
		const boom = new Error("store exploded");
		const { base: issuerBase } = await issuerApp();
		const { token, cookie } = await loginVia(issuerBase);
		const auth = xshl({
			keys: ring.keySet("xshl"),
			issuer: ISSUER,
			audience: "api",
			isRevoked: () => {
				throw boom;
			},
		});
		const seen: unknown[] = [];
		const app = express();
		app.get("/x", auth, (_req, res) => {
			res.send("x");
		});
		app.use(xshlErrorHandler());
		app.use(((err, _req, res, _next) => {
			seen.push(err);
			res.status(500).send("mine");
		}) as express.ErrorRequestHandler);
		const { base, close } = await listen(app);
		closers.push(close);
		const res = await fetch(`${base}/x`, {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(res.status).toBe(500);
		expect(await res.text()).toBe("mine");
		expect(seen).toEqual([boom]);
	});

	it("a user lookup that rejects is the issuer's own 500, never an unhandled rejection (Express 4 forwards none)", async () => {
		const auth = xshl(
			issuerOptions({
				authenticate: async () => {
					throw new Error("directory down");
				},
			}),
		);
		const seen: unknown[] = [];
		const app = express();
		app.use(auth.router!);
		app.use(((err, _req, res, _next) => {
			seen.push(err);
			res.status(500).send("mine");
		}) as express.ErrorRequestHandler);
		const { base, close } = await listen(app);
		closers.push(close);
		const res = await fetch(`${base}/auth/login`, {
			method: "POST",
			headers: page,
			body: JSON.stringify({ username: "alice", password: "pw" }),
		});
		expect(res.status).toBe(500);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_INTERNAL", message: "Internal error" },
		});
		expect(seen).toEqual([]);
	});

	it("invalid options throw HttpConfigError with its issues", () => {
		let caught: unknown;
		try {
			xshl({ keys: ring.keySet("xshl"), issuer: ISSUER, audience: [] });
		} catch (e) {
			caught = e;
		}
		expect(caught).toBeInstanceOf(HttpConfigError);
		expect((caught as HttpConfigError).code).toBe("ERR_HTTP_CONFIG_INVALID");
		expect((caught as HttpConfigError).issues).toEqual([
			{ path: "audience", message: "must be a non-empty string or list" },
		]);
	});
});
