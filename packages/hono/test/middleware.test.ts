import { HttpConfigError } from "@xshl/http";
import { RemoteKeySet } from "@xshl/keys";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { type XshlEnv, type XshlOptions, xshl } from "../src/index";
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

function issuerApp() {
	const auth = xshl(issuerOptions());
	const app = new Hono<XshlEnv>();
	app.route("/", auth.routes);
	app.get("/api/me", auth, (c) => c.json({ sub: c.var.session.sub, roles: c.var.session.roles }));
	app.get("/api/admin", auth.requireScopes("admin"), (c) => c.json({ ok: true }));
	app.get("/api/token", auth, (c) =>
		c.json({ alg: c.var.xshl.header.alg, same: c.var.xshl.claims === c.var.session }),
	);
	return { app, auth };
}

const NO_TOKEN = {
	error: { code: "ERR_HTTP_TOKEN_MISSING", message: "Authorization: Bearer token required" },
};

describe("issuer routes as a sub-app", () => {
	it("logs in, sets both cookies and HSTS, and c.var.session carries the claims (declaration merging)", async () => {
		const { app } = issuerApp();
		const { token, cookie, res } = await loginVia(app);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(res.headers.get("strict-transport-security")).toBe(
			"max-age=63072000; includeSubDomains",
		);
		expect(res.headers.getSetCookie()).toHaveLength(2);
		const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
		const me = await app.request("/api/me", { headers });
		expect(me.status).toBe(200);
		expect(await me.json()).toEqual({ sub: "alice", roles: ["r1"] });
		const t = await app.request("/api/token", { headers });
		expect(await t.json()).toEqual({ alg: "EdDSA", same: true });
	});

	it("a request without a token is 401 with the RFC 6750 challenge, no-store and the canonical body", async () => {
		const { app } = issuerApp();
		const me = await app.request("/api/me");
		expect(me.status).toBe(401);
		expect(me.headers.get("www-authenticate")).toBe('Bearer realm="xshl"');
		expect(me.headers.get("cache-control")).toBe("no-store");
		expect(await me.json()).toEqual(NO_TOKEN);
	});

	it("a malformed header is 401 invalid_request", async () => {
		const { app } = issuerApp();
		const me = await app.request("/api/me", { headers: { authorization: "bearer x" } });
		expect(me.status).toBe(401);
		expect(me.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_request", error_description="Authorization header is malformed"',
		);
		expect(await me.json()).toEqual({
			error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
		});
	});

	it("requireScopes authenticates on its own and answers 403 insufficient_scope without the scope", async () => {
		const { app } = issuerApp();
		const bob = await loginVia(app, "bob");
		const res = await app.request("/api/admin", {
			headers: { authorization: `Bearer ${bob.token}`, cookie: bob.cookie, "user-agent": UA },
		});
		expect(res.status).toBe(403);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="insufficient_scope", error_description="The token lacks a required scope (admin)", scope="admin"',
		);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_INSUFFICIENT_SCOPE",
		);
		const alice = await loginVia(app, "alice");
		const ok = await app.request("/api/admin", {
			headers: { authorization: `Bearer ${alice.token}`, cookie: alice.cookie, "user-agent": UA },
		});
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ ok: true });
	});

	it("another method on an issuer path falls through to the app, like the other adapters", async () => {
		const { app } = issuerApp();
		app.put("/auth/sessions", (c) => c.text("mine", 418));
		expect((await app.request("/auth/sessions", { method: "PUT" })).status).toBe(418);
		expect((await app.request("/auth/logout-all", { method: "GET" })).status).toBe(404);
	});

	it("the same realm as the issuer in every challenge", async () => {
		const auth = xshl(issuerOptions({ realm: "orders" }));
		const app = new Hono<XshlEnv>().get("/x", auth, (c) => c.text("x"));
		const res = await app.request("/x");
		expect(res.headers.get("www-authenticate")).toBe('Bearer realm="orders"');
	});

	it("an unexpected error reaches Hono's onError unchanged (not turned into an xshl answer)", async () => {
		const boom = new Error("store exploded");
		const { app: issuer } = issuerApp();
		const { token, cookie } = await loginVia(issuer);
		const auth = xshl({
			keys: ring.keySet("xshl"),
			issuer: ISSUER,
			audience: "api",
			isRevoked: () => {
				throw boom;
			},
		});
		const seen: unknown[] = [];
		const app = new Hono<XshlEnv>().get("/x", auth, (c) => c.text("x"));
		app.onError((err, c) => {
			seen.push(err);
			return c.text("mine", 500);
		});
		const res = await app.request("/x", {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(res.status).toBe(500);
		expect(await res.text()).toBe("mine");
		expect(seen).toEqual([boom]);
	});

	it("routes falls through for a resource server, and server() is undefined", async () => {
		const auth = xshl({ keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" });
		const app = new Hono().route("/", auth.routes).post("/auth/login", (c) => c.text("mine", 418));
		expect((await app.request("/auth/login", { method: "POST" })).status).toBe(418);
		expect(auth.server()).toBeUndefined();
		expect(issuerApp().auth.server()).toBeDefined();
	});

	it("invalid options throw HttpConfigError at the call, with its issues", () => {
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

describe("resource server with one RemoteKeySet per isolate", () => {
	it("options from env are built once per env; three cold concurrent requests all pass with one JWKS fetch", async () => {
		const { app: issuer } = issuerApp();
		let jwksFetches = 0;
		const jwksApp = new Hono().get("/.well-known/jwks.json", async (c) => {
			jwksFetches++;
			return issuer.fetch(c.req.raw);
		});
		const jwks = await listen(jwksApp);
		closers.push(jwks.close);
		let built = 0;
		const auth = xshl((env: { JWKS_URL: string }): XshlOptions => {
			built++;
			return {
				keys: new RemoteKeySet({ name: "xshl", url: env.JWKS_URL, allowInsecureHttp: true }),
				issuer: ISSUER,
				audience: "api",
			};
		});
		const api = new Hono<XshlEnv & { Bindings: { JWKS_URL: string } }>().get("/orders", auth, (c) =>
			c.json({ sub: c.var.session.sub }),
		);
		const env = { JWKS_URL: `${jwks.base}/.well-known/jwks.json` };
		const { token, cookie } = await loginVia(issuer);
		const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
		const answers = await Promise.all(
			[1, 2, 3].map(() => api.request("/orders", { headers }, env)),
		);
		expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(await answers[0]!.json()).toEqual({ sub: "alice" });
		expect(built).toBe(1);
		expect(jwksFetches).toBe(1);
		const other = await api.request(
			"/orders",
			{ headers: { ...headers, "user-agent": "curl/8" } },
			env,
		);
		expect(other.status).toBe(401);
		expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_TRACE_MISMATCH",
		);
		expect(built).toBe(1);
	});

	it("a JWKS that cannot be reached is a 503 with Retry-After, not a 500", async () => {
		const { app: issuer } = issuerApp();
		const { token, cookie } = await loginVia(issuer);
		const dead = await listen(new Hono());
		await dead.close();
		const auth = xshl({
			keys: new RemoteKeySet({
				name: "xshl",
				url: `${dead.base}/.well-known/jwks.json`,
				allowInsecureHttp: true,
				retries: 0,
			}),
			issuer: ISSUER,
			audience: "api",
		});
		const api = new Hono<XshlEnv>().get("/orders", auth, (c) => c.text("x"));
		const res = await api.request("/orders", {
			headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
		});
		expect(res.status).toBe(503);
		expect(res.headers.get("retry-after")).toBe("1");
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_SESSION_KEYS_UNAVAILABLE",
		);
	});
});

describe("on a real Node server (@hono/node-server)", () => {
	it("login, refresh rotates, a 2,000-level body is 400, JWKS ETag/304, logout clears", async () => {
		const { app } = issuerApp();
		const { base, close } = await listen(app);
		closers.push(close);
		const login = await fetch(`${base}/auth/login`, {
			method: "POST",
			headers: page,
			body: JSON.stringify({ username: "alice", password: "pw" }),
		});
		expect(login.status).toBe(200);
		const { access_token } = (await login.json()) as { access_token: string };
		const cookie = cookieOf(login);
		const me = await fetch(`${base}/api/me`, {
			headers: { authorization: `Bearer ${access_token}`, cookie, "user-agent": UA },
		});
		expect(await me.json()).toEqual({ sub: "alice", roles: ["r1"] });
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
});
