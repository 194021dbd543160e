import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_ISSUER, loadConfig } from "../src/config.js";
import {
	Client,
	errorOf,
	INTROSPECT,
	ISSUER_ID,
	makeApp,
	ORIGIN,
	PASSWORDS,
	pageHeaders,
	setCookies,
	type TestApp,
	UA,
} from "./helpers.js";

let t: TestApp;
beforeEach(async () => {
	t = await makeApp();
});
afterEach(async () => {
	await t.app.close();
});

const basic = (id: string, secret: string) =>
	`Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
const decode = (jwt: string) =>
	JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
const header = (jwt: string) =>
	JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

describe("config", () => {
	it("names every bad variable", () => {
		let err: unknown;
		try {
			loadConfig({
				PORT: "abc",
				SIGNING_ALG: "HS256",
				REDIS_URL: "http://x",
				COOKIE_SECURE: "maybe",
			});
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(ConfigError);
		expect((err as ConfigError).code).toBe("ERR_DEMO_CONFIG");
		expect((err as ConfigError).issues).toEqual([
			"PORT must be an integer in [0, 65535]",
			"SIGNING_ALG must be one of ES256, EdDSA, RS256, PS256",
			"REDIS_URL must be a URL with protocol redis: or rediss:",
			"COOKIE_SECURE must be one of true, false, 1, 0, yes, no",
		]);
	});
	it("refuses Secure=false off loopback and a TTL above the 900 s cap", () => {
		expect(() => loadConfig({ HOST: "0.0.0.0", COOKIE_SECURE: "false" })).toThrow(
			"COOKIE_SECURE=false is only allowed when HOST is a loopback address",
		);
		expect(() => loadConfig({ ACCESS_TOKEN_TTL: "901" })).toThrow(
			"ACCESS_TOKEN_TTL must be an integer in [10, 900]",
		);
		expect(() => loadConfig({ INTROSPECT_CLIENTS: "svc:short" })).toThrow(ConfigError);
		expect(loadConfig({ HOST: "::1", COOKIE_SECURE: "false" }).cookieSecure).toBe(false);
	});
	it("has embedded defaults", () => {
		const c = loadConfig({});
		expect(c).toMatchObject({
			host: "127.0.0.1",
			port: 3000,
			publicOrigin: "http://127.0.0.1:3000",
			issuer: DEFAULT_ISSUER,
			keysetName: "xshl-demo",
			audience: "xshl-demo",
			signingAlg: "ES256",
			accessTokenTtl: 120,
			maxAuthAge: 600,
			cookieSecure: true,
			traceIp: false,
			redisUrl: undefined,
			redisClusterNodes: undefined,
			issuerJwksUrl: undefined,
			issuerRevocationsUrl: undefined,
		});
	});
	it("reads the cluster seed nodes and the feed URL (default on the JWKS URL's origin)", () => {
		const kek = "A".repeat(43);
		expect(
			loadConfig({ REDIS_CLUSTER_NODES: "127.0.0.1:7001, [::1]:7002", RING_KEK: kek })
				.redisClusterNodes,
		).toEqual([
			{ host: "127.0.0.1", port: 7001 },
			{ host: "::1", port: 7002 },
		]);
		expect(
			loadConfig({ ISSUER_JWKS_URL: "http://127.0.0.1:4000/.well-known/jwks.json" })
				.issuerRevocationsUrl,
		).toBe("http://127.0.0.1:4000/.well-known/xshl-revocations");
		expect(
			loadConfig({
				ISSUER_JWKS_URL: "http://127.0.0.1:4000/.well-known/jwks.json",
				ISSUER_REVOCATIONS_URL: "http://127.0.0.1:4001/feed",
			}).issuerRevocationsUrl,
		).toBe("http://127.0.0.1:4001/feed");
		const issues = (env: Record<string, string>) => {
			try {
				loadConfig(env);
			} catch (e) {
				return (e as ConfigError).issues;
			}
			return [];
		};
		expect(issues({ REDIS_CLUSTER_NODES: "127.0.0.1" })).toEqual([
			"REDIS_CLUSTER_NODES must be a comma-separated list of host:port",
		]);
		expect(issues({ REDIS_CLUSTER_NODES: "127.0.0.1:7001" })).toEqual([
			"RING_KEK is required with REDIS_CLUSTER_NODES: the shared key ring is stored encrypted (32 bytes, base64url)",
		]);
		expect(
			issues({
				REDIS_URL: "redis://127.0.0.1:6379",
				REDIS_CLUSTER_NODES: "127.0.0.1:7001",
				RING_KEK: kek,
			}),
		).toEqual(["REDIS_URL and REDIS_CLUSTER_NODES exclude each other: give one"]);
		expect(issues({ ISSUER_REVOCATIONS_URL: "http://127.0.0.1:4001/feed" })).toEqual([
			"ISSUER_REVOCATIONS_URL is only used with ISSUER_JWKS_URL (resource-server mode)",
		]);
	});
});

describe("static and health", () => {
	it("serves the page with a strict CSP", async () => {
		const res = await t.app.inject("/");
		expect(res.statusCode).toBe(200);
		expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
		expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
		expect(res.headers["x-frame-options"]).toBe("DENY");
		const js = await t.app.inject("/app.js");
		expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
		const css = await t.app.inject("/app.css");
		expect(css.statusCode).toBe(200);
	});
	it("the page loads @xshl/http's browser client from its own origin", async () => {
		const js = await t.app.inject("/app.js");
		expect(js.body).toContain('import { SessionClient } from "/xshl-client.js";');
		const client = await t.app.inject("/xshl-client.js");
		expect(client.statusCode).toBe(200);
		expect(client.headers["content-type"]).toBe("text/javascript; charset=utf-8");
		expect(client.body).toMatch(/^export \{[^}]*\bSessionClient\b/m);
		expect(client.body).not.toMatch(/^import /m);
	});
	it("health", async () => {
		const res = await t.app.inject("/healthz");
		expect(res.statusCode).toBe(200);
		expect(res.json()).toEqual({
			status: "ok",
			mode: "issuer",
			keys: { state: "fresh" },
			store: { kind: "memory", state: "up" },
			feed: { state: "fresh", refusingAll: false },
		});
	});
	it("unknown route and wrong method give JSON 404", async () => {
		const res = await t.app.inject("/nope?access_token=x");
		expect(res.statusCode).toBe(404);
		expect(errorOf(res)).toEqual({ code: "ERR_DEMO_NOT_FOUND", message: "No route GET /nope" });
		const get = await t.app.inject({ method: "GET", url: "/auth/refresh" });
		expect(get.statusCode).toBe(404);
	});
});

describe("GET /.well-known/jwks.json", () => {
	it("publishes public keys only, with cache headers", async () => {
		const res = await t.app.inject("/.well-known/jwks.json");
		expect(res.statusCode).toBe(200);
		expect(res.headers["cache-control"]).toBe(
			"public, max-age=300, stale-while-revalidate=60, stale-if-error=86400",
		);
		const etag = res.headers.etag as string;
		expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
		const again = await t.app.inject({
			url: "/.well-known/jwks.json",
			headers: { "if-none-match": etag },
		});
		expect(again.statusCode).toBe(304);
		expect(again.body).toBe("");
		expect(res.headers["content-type"]).toBe("application/jwk-set+json; charset=utf-8");
		const { keys } = res.json() as { keys: Record<string, unknown>[] };
		expect(keys.length).toBeGreaterThanOrEqual(1);
		for (const k of keys) {
			for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"])
				expect(k).not.toHaveProperty(secret);
			expect(typeof k.kid).toBe("string");
		}
		expect(keys.some((k) => k.alg === "ES256")).toBe(true);
	});
});

describe("POST /auth/login", () => {
	it("returns an access token and sets the refresh cookie exactly (WEB-01)", async () => {
		const c = new Client(t.app);
		const res = await c.login();
		expect(res.statusCode).toBe(200);
		const body = res.json() as Record<string, unknown>;
		expect(body).toMatchObject({ token_type: "Bearer", expires_in: 120 });
		expect(typeof body.access_token).toBe("string");
		const claims = decode(body.access_token as string);
		expect(claims).toMatchObject({
			iss: ISSUER_ID,
			sub: PASSWORDS.alice ? "6f1c8a52-3d0e-4f5b-9a27-1e8b2c4d5f60" : "",
			sid: body.sid,
		});
		expect(claims.auth_time).toBe(claims.iat);
		expect(claims.exp).toBe((claims.iat as number) + 120);
		expect(header(body.access_token as string)).toMatchObject({ alg: "ES256", kid: body.kid });
		const cookies = setCookies(res);
		const rt = cookies.get("__Secure-xshl-rt")!;
		expect(rt.raw).toMatch(
			/^__Secure-xshl-rt=xrt1\.[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]+; Path=\/auth; Max-Age=(\d+); HttpOnly; Secure; SameSite=Strict$/,
		);
		const maxAge = Number(/Max-Age=(\d+)/.exec(rt.raw)![1]);
		expect(maxAge).toBeGreaterThan(0);
		expect(maxAge).toBeLessThanOrEqual(7 * 86_400);
		expect(rt.raw).not.toMatch(/Domain/i);
		const fp = cookies.get("__Host-xshl-fp")!;
		expect(fp.raw).toMatch(
			/^__Host-xshl-fp=[A-Za-z0-9_-]{32}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/,
		);
	});

	it("refuses wrong passwords and unknown users alike, with WWW-Authenticate", async () => {
		for (const payload of [
			{ username: "alice", password: "wrong" },
			{ username: "mallory", password: "alice-demo-pass" },
		]) {
			const res = await t.app.inject({
				method: "POST",
				url: "/auth/login",
				headers: pageHeaders(),
				payload,
			});
			expect(res.statusCode).toBe(401);
			expect(errorOf(res)).toEqual({
				code: "ERR_HTTP_INVALID_CREDENTIALS",
				message: "Unknown user or wrong password",
			});
			expect(res.headers["www-authenticate"]).toBe(
				'Bearer realm="xshl-demo", error="invalid_client", error_description="Unknown user or wrong password"',
			);
			expect(res.headers["set-cookie"]).toBeUndefined();
		}
	});

	it("validates the body (WEB-05)", async () => {
		const cases: [string, number, string][] = [
			['{"username":"alice"}', 400, "Invalid body: password: must be 1 to 1024 characters"],
			['{"username":1,"password":"x"}', 400, "Invalid body: username: must be 1 to 256 characters"],
			[
				'{"username":"alice","password":"x","admin":true}',
				400,
				"Invalid body: unknown field admin",
			],
			['{"username":"alice",', 400, "The body is not valid JSON"],
			["", 400, "Invalid body: expected { username, password }"],
			[
				'{"__proto__":{"admin":true},"username":"alice","password":"x"}',
				400,
				"The body has a __proto__ or constructor.prototype key",
			],
			[
				'{"constructor":{"prototype":{"admin":true}},"username":"a","password":"x"}',
				400,
				"The body has a __proto__ or constructor.prototype key",
			],
		];
		for (const [payload, status, message] of cases) {
			const res = await t.app.inject({
				method: "POST",
				url: "/auth/login",
				headers: pageHeaders(),
				payload,
			});
			expect(res.statusCode, payload).toBe(status);
			expect(errorOf(res), payload).toEqual({ code: "ERR_HTTP_BAD_REQUEST", message });
		}
	});

	it("answers 413 above the body limit", async () => {
		const res = await t.app.inject({
			method: "POST",
			url: "/auth/login",
			headers: pageHeaders(),
			payload: JSON.stringify({ username: "alice", password: "x".repeat(20_000) }),
		});
		expect(res.statusCode).toBe(413);
		expect(errorOf(res)).toEqual({
			code: "ERR_HTTP_BODY_TOO_LARGE",
			message: "The body is larger than 16384 bytes",
		});
	});

	it("ignores a planted refresh cookie and mints a new family (WEB-04)", async () => {
		const attacker = new Client(t.app);
		await attacker.login();
		const victim = new Client(t.app);
		victim.cookies = new Map(attacker.cookies);
		const res = await victim.login();
		expect(res.statusCode).toBe(200);
		expect(victim.sid).not.toBe(attacker.sid);
		expect(victim.cookies.get("__Secure-xshl-rt")).not.toBe(
			attacker.cookies.get("__Secure-xshl-rt"),
		);
		expect(victim.cookies.get("__Host-xshl-fp")).not.toBe(attacker.cookies.get("__Host-xshl-fp"));
	});

	it("is rate limited", async () => {
		const small = await makeApp({ LOGIN_RATE_LIMIT: "2" });
		try {
			const payload = { username: "alice", password: "wrong" };
			for (let i = 0; i < 2; i++) {
				const r = await small.app.inject({
					method: "POST",
					url: "/auth/login",
					headers: pageHeaders(),
					payload,
				});
				expect(r.statusCode).toBe(401);
			}
			const res = await small.app.inject({
				method: "POST",
				url: "/auth/login",
				headers: pageHeaders(),
				payload,
			});
			expect(res.statusCode).toBe(429);
			expect(errorOf(res).code).toBe("ERR_HTTP_RATE_LIMITED");
			expect(res.headers["retry-after"]).toBe("60");
		} finally {
			await small.app.close();
		}
	});
});

describe("CSRF on cookie routes (WEB-03)", () => {
	const attacks: [string, Record<string, string>, string][] = [
		["no custom header", { "x-xshl-request": "" }, "Missing X-XSHL-Request: 1 header"],
		["text/plain", { "content-type": "text/plain" }, "Cookie routes accept application/json only"],
		[
			"form",
			{ "content-type": "application/x-www-form-urlencoded" },
			"Cookie routes accept application/json only",
		],
		["cross-site", { "sec-fetch-site": "cross-site" }, "Cross-site request refused"],
		["same-site", { "sec-fetch-site": "same-site" }, "Cross-site request refused"],
		["evil origin", { origin: "https://evil.example" }, "Origin not allowed"],
	];
	for (const [name, headers, message] of attacks) {
		it(`refuses ${name} on refresh, and no rotation happens`, async () => {
			const c = new Client(t.app);
			await c.login();
			const before = c.cookies.get("__Secure-xshl-rt");
			const res = await c.post("/auth/refresh", undefined, headers);
			expect(res.statusCode).toBe(403);
			expect(errorOf(res)).toEqual({ code: "ERR_HTTP_CSRF", message });
			expect(c.cookies.get("__Secure-xshl-rt")).toBe(before);
			expect((await c.refresh()).statusCode).toBe(200);
		});
	}
	it("applies to login, logout and logout-all too", async () => {
		for (const url of ["/auth/login", "/auth/logout", "/auth/logout-all"]) {
			const res = await t.app.inject({
				method: "POST",
				url,
				headers: pageHeaders({ origin: "https://evil.example" }),
				payload: "{}",
			});
			expect(res.statusCode, url).toBe(403);
			expect(errorOf(res).code).toBe("ERR_HTTP_CSRF");
		}
	});
	it("accepts Sec-Fetch-Site: none and a request without Origin", async () => {
		const c = new Client(t.app);
		await c.login();
		const res = await c.post("/auth/refresh", undefined, {
			"sec-fetch-site": "none",
			origin: ORIGIN,
		});
		expect(res.statusCode).toBe(200);
	});
});

describe("TRUST_PROXY", () => {
	it("takes a hop count or addresses, never true", () => {
		expect(loadConfig({}).trustProxy).toBe(false);
		expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toEqual({ hops: 1 });
		expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 192.0.2.7" }).trustProxy).toEqual({
			addresses: ["10.0.0.0/8", "192.0.2.7"],
		});
		for (const v of ["true", "11", "evil.example"])
			expect(() => loadConfig({ TRUST_PROXY: v }), v).toThrowError(
				"TRUST_PROXY must be false, a hop count from 1 to 10, or the proxies' addresses/CIDRs (never true: any client could pick its IP)",
			);
	});
});

describe("POST /auth/refresh", () => {
	it("rotates: new refresh cookie, new access token, same sid", async () => {
		const c = new Client(t.app);
		await c.login();
		const rt1 = c.cookies.get("__Secure-xshl-rt")!;
		const at1 = c.token;
		t.clock.now += 1000;
		const res = await c.refresh();
		expect(res.statusCode).toBe(200);
		const rt2 = c.cookies.get("__Secure-xshl-rt")!;
		expect(rt2).not.toBe(rt1);
		expect(c.token).not.toBe(at1);
		expect(decode(c.token).sid).toBe(decode(at1).sid);
		expect(decode(c.token).auth_time).toBe(decode(at1).auth_time);
		expect((await c.api("GET", "/api/me")).statusCode).toBe(200);
	});

	it("detects reuse: 401, cookie cleared, whole family revoked (STO-02)", async () => {
		const c = new Client(t.app);
		await c.login();
		const rt1 = c.cookies.get("__Secure-xshl-rt")!;
		t.clock.now += 30_000;
		await c.refresh();
		t.clock.now += 11_000; // past the 10 s grace window
		const thief = new Client(t.app);
		thief.cookies = new Map(c.cookies);
		thief.cookies.set("__Secure-xshl-rt", rt1);
		const res = await thief.refresh();
		expect(res.statusCode).toBe(401);
		expect(errorOf(res).code).toBe("ERR_STORE_REFRESH_REUSED");
		expect(t.logs.join("")).toContain('"msg":"store: refresh.reuse_detected"');
		expect(res.headers["www-authenticate"]).toMatch(
			/^Bearer realm="xshl-demo", error="invalid_token"/,
		);
		expect(setCookies(res).get("__Secure-xshl-rt")?.raw).toBe(
			"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		);
		const legit = await c.refresh();
		expect(legit.statusCode).toBe(401);
		const transfer = await c.api("POST", "/api/transfer", { to: "bob", amount: 1 });
		expect(transfer.statusCode).toBe(401);
		expect(errorOf(transfer).code).toBe("ERR_STORE_SESSION_REVOKED");
	});

	it("a racing tab within the grace window gets the same successor", async () => {
		const c = new Client(t.app);
		await c.login();
		const tab2 = new Client(t.app);
		tab2.cookies = new Map(c.cookies);
		const first = await c.refresh();
		t.clock.now += 2000;
		const second = await tab2.refresh();
		expect(first.statusCode).toBe(200);
		expect(second.statusCode).toBe(200);
		expect(tab2.cookies.get("__Secure-xshl-rt")).toBe(c.cookies.get("__Secure-xshl-rt"));
		expect((await c.refresh()).statusCode).toBe(200);
	});

	it("refuses a refresh from another client (trace)", async () => {
		const c = new Client(t.app);
		await c.login();
		const other = new Client(t.app, "curl/8.0");
		other.cookies = new Map(c.cookies);
		const res = await other.refresh();
		expect(res.statusCode).toBe(401);
		expect(errorOf(res).code).toBe("ERR_STORE_TRACE_MISMATCH");
	});

	it("401 without or with a malformed cookie, 400 with a body", async () => {
		const c = new Client(t.app);
		const res = await c.refresh();
		expect(res.statusCode).toBe(401);
		expect(errorOf(res)).toEqual({
			code: "ERR_HTTP_REFRESH_MISSING",
			message: "Refresh cookie missing or malformed",
		});
		c.cookies.set("__Secure-xshl-rt", "x".repeat(201));
		expect(errorOf(await c.refresh())).toEqual({
			code: "ERR_HTTP_REFRESH_MISSING",
			message: "Refresh cookie missing or malformed",
		});
		c.cookies.set(
			"__Secure-xshl-rt",
			"xrt1.AAAAAAAAAAAAAAAAAAAAAA.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		);
		const forged = await c.refresh();
		expect(forged.statusCode).toBe(401);
		await c.login();
		const withBody = await c.post("/auth/refresh", { x: 1 });
		expect(withBody.statusCode).toBe(400);
	});
});

describe("logout", () => {
	it("clears the cookies, revokes the family, and is idempotent (WEB-02)", async () => {
		const c = new Client(t.app);
		await c.login();
		const saved = new Map(c.cookies);
		const res = await c.post("/auth/logout", undefined, { authorization: `Bearer ${c.token}` });
		expect(res.statusCode).toBe(200);
		expect(res.json()).toEqual({ ok: true });
		const cookies = setCookies(res);
		expect(cookies.get("__Secure-xshl-rt")?.raw).toBe(
			"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		);
		expect(cookies.get("__Host-xshl-fp")?.raw).toBe(
			"__Host-xshl-fp=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		);
		const replay = new Client(t.app);
		replay.cookies = saved;
		expect((await replay.refresh()).statusCode).toBe(401);
		const again = await c.post("/auth/logout");
		expect(again.statusCode).toBe(200);
		replay.token = c.token;
		const transfer = await replay.api("POST", "/api/transfer", { to: "bob", amount: 1 });
		expect(transfer.statusCode).toBe(401);
		expect(["ERR_TOKEN_REVOKED", "ERR_STORE_SESSION_REVOKED"]).toContain(errorOf(transfer).code);
	});

	it("logout-all ends every session of the user (STO-09)", async () => {
		const a = new Client(t.app);
		const b = new Client(t.app, "Other Browser/1.0");
		await a.login();
		await b.login();
		t.clock.now += 2000;
		const res = await a.post("/auth/logout-all", undefined, { authorization: `Bearer ${a.token}` });
		expect(res.statusCode).toBe(200);
		expect((await b.refresh()).statusCode).toBe(401);
		const transfer = await b.api("POST", "/api/transfer", { to: "bob", amount: 1 });
		expect(transfer.statusCode).toBe(401);
		expect(errorOf(transfer).code).toBe("ERR_STORE_SESSION_REVOKED");
		// offline routes keep accepting the access token until it expires (by design)
		expect((await b.api("GET", "/api/me")).statusCode).toBe(200);
	});

	it("logout-all with exceptCurrent keeps this device", async () => {
		const a = new Client(t.app);
		const b = new Client(t.app, "Other Browser/1.0");
		await a.login();
		await b.login();
		const res = await a.post(
			"/auth/logout-all",
			{ exceptCurrent: true },
			{ authorization: `Bearer ${a.token}` },
		);
		expect(res.statusCode).toBe(200);
		expect((await b.refresh()).statusCode).toBe(401);
		expect((await a.refresh()).statusCode).toBe(200);
	});

	it("logout-all needs a bearer token and a valid body", async () => {
		const res = await t.app.inject({
			method: "POST",
			url: "/auth/logout-all",
			headers: pageHeaders(),
			payload: "{}",
		});
		expect(res.statusCode).toBe(401);
		expect(errorOf(res).code).toBe("ERR_HTTP_TOKEN_MISSING");
		const a = new Client(t.app);
		await a.login();
		const bad = await a.post(
			"/auth/logout-all",
			{ exceptCurrent: "yes" },
			{ authorization: `Bearer ${a.token}` },
		);
		expect(bad.statusCode).toBe(400);
	});
});

describe("sessions", () => {
	it("lists sessions with the current flag and deletes one", async () => {
		const a = new Client(t.app);
		const b = new Client(t.app, "Other Browser/1.0");
		await a.login();
		await b.login();
		const res = await a.api("GET", "/auth/sessions");
		expect(res.statusCode).toBe(200);
		const { sessions } = res.json() as {
			sessions: { sid: string; current: boolean; userAgent: string }[];
		};
		expect(sessions.map((s) => s.sid).sort()).toEqual([a.sid, b.sid].sort());
		expect(sessions.find((s) => s.sid === a.sid)?.current).toBe(true);
		expect(sessions.find((s) => s.sid === b.sid)?.current).toBe(false);
		const del = await a.api("DELETE", `/auth/sessions/${b.sid}`);
		expect(del.statusCode).toBe(200);
		expect((await b.refresh()).statusCode).toBe(401);
		const after = (await a.api("GET", "/auth/sessions")).json() as { sessions: { sid: string }[] };
		expect(after.sessions.map((s) => s.sid)).toEqual([a.sid]);
	});
	it("404 for an unknown or foreign sid, 400 for a malformed one, 401 without token", async () => {
		const a = new Client(t.app);
		const bob = new Client(t.app);
		await a.login();
		await bob.login("bob");
		expect((await a.api("DELETE", `/auth/sessions/${bob.sid}`)).statusCode).toBe(404);
		expect((await a.api("DELETE", "/auth/sessions/unknown-sid")).statusCode).toBe(404);
		const bad = await a.api("DELETE", "/auth/sessions/a%20b");
		expect(bad.statusCode).toBe(400);
		expect(errorOf(bad).code).toBe("ERR_HTTP_BAD_REQUEST");
		expect((await t.app.inject("/auth/sessions")).statusCode).toBe(401);
		expect((await bob.refresh()).statusCode).toBe(200);
	});
});

describe("GET /api/me", () => {
	it("verifies offline and returns header and claims", async () => {
		const c = new Client(t.app);
		await c.login();
		const res = await c.api("GET", "/api/me");
		expect(res.statusCode).toBe(200);
		const body = res.json() as {
			header: Record<string, unknown>;
			claims: Record<string, unknown>;
			mode: string;
		};
		expect(body.mode).toBe("issuer");
		expect(body.header.alg).toBe("ES256");
		expect(body.claims.sid).toBe(c.sid);
		expect(typeof body.claims.trace).toBe("string");
	});

	it("bad bearer forms give 401/400 with stable codes (WEB-05)", async () => {
		const c = new Client(t.app);
		await c.login();
		const cases: [Record<string, string>, string, number, string][] = [
			[{}, "", 401, "ERR_HTTP_TOKEN_MISSING"],
			[{ authorization: "Bearer" }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{ authorization: "Bearer " }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{ authorization: `bearer ${c.token}` }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{ authorization: `Bearer ${c.token} ${c.token}` }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{ authorization: `Bearer ${"a".repeat(16_384)}.b.c` }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{ authorization: "Basic YTpi" }, "", 401, "ERR_HTTP_TOKEN_MALFORMED"],
			[{}, `?access_token=${c.token}`, 400, "ERR_HTTP_BAD_REQUEST"],
		];
		for (const [headers, query, status, code] of cases) {
			const res = await t.app.inject({
				method: "GET",
				url: `/api/me${query}`,
				headers: { "user-agent": UA, cookie: c.cookieHeader(), ...headers },
			});
			expect(res.statusCode, JSON.stringify(headers).slice(0, 60)).toBe(status);
			expect(errorOf(res).code).toBe(code);
			// RFC 6750 §3.1: no error code when the request has no credentials at all
			if (code === "ERR_HTTP_TOKEN_MISSING")
				expect(res.headers["www-authenticate"]).toBe('Bearer realm="xshl-demo"');
			else if (status === 401)
				expect(res.headers["www-authenticate"]).toMatch(
					/^Bearer realm="xshl-demo", error="invalid_request"/,
				);
		}
	});

	it("bad signature, expiry and trace mismatch are distinct 401s", async () => {
		const c = new Client(t.app);
		await c.login();
		const [h, p, s] = c.token.split(".");
		// one character in the middle of the signature changed: other signature bits, still
		// canonical base64url (changing the last characters could set the unused low bits of
		// the final one, which is a malformed token, not a bad signature)
		const flipped = `${h}.${p}.${s!.slice(0, 10)}${s![10] === "A" ? "B" : "A"}${s!.slice(11)}`;
		const bad = await c.api("GET", "/api/me", undefined, { authorization: `Bearer ${flipped}` });
		expect(bad.statusCode).toBe(401);
		const otherUa = await c.api("GET", "/api/me", undefined, { "user-agent": "curl/8.0" });
		expect(otherUa.statusCode).toBe(401);
		// The mismatch names the part of the trace that differs, never its value.
		expect(errorOf(otherUa)).toEqual({
			code: "ERR_HTTP_TRACE_MISMATCH",
			message: "The token is bound to another client: the userAgent part of the trace differs",
		});
		const noFp = await c.api("GET", "/api/me", undefined, { cookie: "" });
		expect(errorOf(noFp)).toEqual({
			code: "ERR_HTTP_TRACE_MISMATCH",
			message: "The token is bound to another client: the fingerprint part of the trace differs",
		});
		t.clock.now += 126_000;
		const expired = await c.api("GET", "/api/me");
		expect(expired.statusCode).toBe(401);
		expect(errorOf(bad).code).toBe("ERR_SESSION_SIGNATURE_INVALID");
		expect(errorOf(expired).code).toBe("ERR_SESSION_EXPIRED");
		for (const r of [bad, expired]) expect(errorOf(r).message).not.toContain(c.token.slice(0, 20));
	});
});

describe("POST /api/transfer", () => {
	it("checks the store and a recent auth_time", async () => {
		const c = new Client(t.app);
		await c.login();
		const ok = await c.api("POST", "/api/transfer", { to: "bob", amount: 5 });
		expect(ok.statusCode).toBe(200);
		expect(ok.json()).toMatchObject({ ok: true, to: "bob", amount: 5 });
		t.clock.now += 590_000;
		expect((await c.refresh()).statusCode).toBe(200);
		t.clock.now += 20_000;
		const stale = await c.api("POST", "/api/transfer", { to: "bob", amount: 5 });
		expect(stale.statusCode).toBe(401);
		expect(errorOf(stale)).toEqual({
			code: "ERR_REAUTH_REQUIRED",
			message: "Log in again: authentication is older than 600 s",
		});
		expect(stale.headers["www-authenticate"]).toMatch(/error="insufficient_user_authentication"/);
	});
	it("validates the body", async () => {
		const c = new Client(t.app);
		await c.login();
		for (const body of [
			{},
			{ to: "bob", amount: -1 },
			{ to: "bob", amount: 1.5 },
			{ to: "b o b", amount: 1 },
			{ to: "bob", amount: 1, x: 1 },
		]) {
			const res = await c.api("POST", "/api/transfer", body);
			expect(res.statusCode, JSON.stringify(body)).toBe(400);
			expect(errorOf(res).code).toBe("ERR_DEMO_BAD_REQUEST");
		}
	});
});

describe("JWE /api/seal and /api/open", () => {
	it("round trips JSON", async () => {
		const c = new Client(t.app);
		await c.login();
		const payload = { card: "4111", nested: { n: [1, 2, 3] } };
		const sealed = await c.api("POST", "/api/seal", { payload });
		expect(sealed.statusCode).toBe(200);
		const { jwe } = sealed.json() as { jwe: string };
		expect(jwe.split(".")).toHaveLength(5);
		const opened = await c.api("POST", "/api/open", { jwe });
		expect(opened.statusCode).toBe(200);
		expect((opened.json() as { payload: unknown }).payload).toEqual(payload);
	});
	it("opens only what was sealed for the caller (403, no payload, for another user)", async () => {
		const alice = new Client(t.app);
		await alice.login("alice");
		const bob = new Client(t.app);
		await bob.login("bob");
		const { jwe } = (
			await alice.api("POST", "/api/seal", { payload: { secret: "alice's" } })
		).json() as {
			jwe: string;
		};
		const stolen = await bob.api("POST", "/api/open", { jwe });
		expect(stolen.statusCode).toBe(403);
		expect(errorOf(stolen)).toEqual({
			code: "ERR_DEMO_FORBIDDEN",
			message: "This was sealed for another user",
		});
		expect(stolen.body).not.toContain("alice's");
		const own = await alice.api("POST", "/api/open", { jwe });
		expect((own.json() as { payload: unknown }).payload).toEqual({ secret: "alice's" });
	});
	it("400 for a JWE that does not open, 401 without token", async () => {
		const c = new Client(t.app);
		await c.login();
		const res = await c.api("POST", "/api/open", { jwe: "a.b.c.d.e" });
		expect(res.statusCode).toBe(400);
		expect(
			(await t.app.inject({ method: "POST", url: "/api/seal", payload: { payload: 1 } }))
				.statusCode,
		).toBe(401);
		expect((await c.api("POST", "/api/seal", { nope: 1 })).statusCode).toBe(400);
	});
});

describe("POST /auth/introspect (RFC 7662)", () => {
	const form = (token: string) => `token=${encodeURIComponent(token)}&token_type_hint=access_token`;
	it("needs service credentials", async () => {
		for (const authorization of [
			undefined,
			basic(INTROSPECT.id, "wrong-secret-0123456789"),
			basic("other", INTROSPECT.secret),
			"Basic !!",
		]) {
			const res = await t.app.inject({
				method: "POST",
				url: "/auth/introspect",
				headers: {
					"content-type": "application/x-www-form-urlencoded",
					...(authorization ? { authorization } : {}),
				},
				payload: form("x.y.z"),
			});
			expect(res.statusCode).toBe(401);
			expect(errorOf(res).code).toBe("ERR_HTTP_CLIENT_AUTH");
			// RFC 6749 §5.2: the challenge names the scheme the client used (HTTP Basic)
			expect(res.headers["www-authenticate"]).toBe('Basic realm="xshl-demo"');
		}
	});
	it("active tokens get the RFC 7662 shape; revoked and garbage get {active:false}", async () => {
		const c = new Client(t.app);
		await c.login();
		const ask = (token: string) =>
			t.app.inject({
				method: "POST",
				url: "/auth/introspect",
				headers: {
					"content-type": "application/x-www-form-urlencoded",
					authorization: basic(INTROSPECT.id, INTROSPECT.secret),
				},
				payload: form(token),
			});
		const res = await ask(c.token);
		expect(res.statusCode).toBe(200);
		const claims = decode(c.token);
		expect(res.json()).toEqual({
			active: true,
			sub: claims.sub,
			sid: claims.sid,
			jti: claims.jti,
			exp: claims.exp,
			iat: claims.iat,
			nbf: claims.nbf,
			aud: claims.aud,
			iss: claims.iss,
			scope: "demo",
			token_type: "Bearer",
			auth_time: claims.auth_time,
		});
		expect((await ask("garbage")).json()).toEqual({ active: false });
		await c.post("/auth/logout", undefined, { authorization: `Bearer ${c.token}` });
		expect((await ask(c.token)).json()).toEqual({ active: false });
		const json = await t.app.inject({
			method: "POST",
			url: "/auth/introspect",
			headers: { authorization: basic(INTROSPECT.id, INTROSPECT.secret) },
			payload: { nope: 1 },
		});
		// RFC 7662 takes a form: a JSON body is an unsupported media type
		expect(json.statusCode).toBe(415);
		expect(errorOf(json).code).toBe("ERR_HTTP_UNSUPPORTED_MEDIA_TYPE");
		const repeated = await t.app.inject({
			method: "POST",
			url: "/auth/introspect",
			headers: {
				"content-type": "application/x-www-form-urlencoded",
				authorization: basic(INTROSPECT.id, INTROSPECT.secret),
			},
			payload: "token=a&token=b",
		});
		expect(repeated.statusCode).toBe(400);
	});
});

describe("POST /auth/revoke (RFC 7009)", () => {
	const revoke = (token: string, hint?: string) =>
		t.app.inject({
			method: "POST",
			url: "/auth/revoke",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			payload: `token=${encodeURIComponent(token)}${hint ? `&token_type_hint=${hint}` : ""}`,
		});
	it("revokes access and refresh tokens; unknown tokens still get 200", async () => {
		const c = new Client(t.app);
		await c.login();
		const at = await revoke(c.token, "access_token");
		expect(at.statusCode).toBe(200);
		expect(at.json()).toEqual({});
		const transfer = await c.api("POST", "/api/transfer", { to: "bob", amount: 1 });
		expect(errorOf(transfer).code).toBe("ERR_TOKEN_REVOKED");
		const rt = await revoke(c.cookies.get("__Secure-xshl-rt")!, "refresh_token");
		expect(rt.statusCode).toBe(200);
		expect((await c.refresh()).statusCode).toBe(401);
		expect((await revoke("unknown")).statusCode).toBe(200);
		expect((await revoke("a.b.c")).statusCode).toBe(200);
		const bad = await revoke("");
		expect(bad.statusCode).toBe(400);
		const badClient = await t.app.inject({
			method: "POST",
			url: "/auth/revoke",
			headers: {
				"content-type": "application/x-www-form-urlencoded",
				authorization: basic("x", "y"),
			},
			payload: "token=abc",
		});
		expect(badClient.statusCode).toBe(401);
	});
});

describe("POST /admin/keys/rotate", () => {
	it("admin only; new kid active, old tokens still verify", async () => {
		const alice = new Client(t.app);
		await alice.login();
		const forbidden = await alice.api("POST", "/admin/keys/rotate");
		expect(forbidden.statusCode).toBe(403);
		expect(errorOf(forbidden).code).toBe("ERR_DEMO_FORBIDDEN");
		const admin = new Client(t.app);
		await admin.login("admin");
		const oldKid = header(admin.token).kid;
		const res = await admin.api("POST", "/admin/keys/rotate");
		expect(res.statusCode).toBe(200);
		const { kid, previousKid } = res.json() as { kid: string; previousKid: string };
		expect(previousKid).toBe(oldKid);
		expect(kid).not.toBe(oldKid);
		const jwks = (await t.app.inject("/.well-known/jwks.json")).json() as {
			keys: { kid: string }[];
		};
		expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, oldKid]));
		expect((await alice.api("GET", "/api/me")).statusCode).toBe(200);
		await alice.refresh();
		expect(header(alice.token).kid).toBe(kid);
		expect((await alice.api("GET", "/api/me")).statusCode).toBe(200);
		expect((await t.app.inject({ method: "POST", url: "/admin/keys/rotate" })).statusCode).toBe(
			401,
		);
	});
});

describe("logs", () => {
	it("never contain tokens, cookies or passwords", async () => {
		const c = new Client(t.app);
		await c.login();
		await c.refresh();
		await c.api("GET", "/api/me");
		await c.api("GET", `/api/me?access_token=${c.token}`);
		await c.post("/auth/logout", undefined, { authorization: `Bearer ${c.token}` });
		const text = t.logs.join("");
		expect(text).toContain('"msg":"login"');
		expect(text).not.toContain(c.token.split(".")[1]!);
		expect(text).not.toContain(c.token.split(".")[2]!);
		expect(text).not.toContain("xrt1.");
		expect(text).not.toContain(PASSWORDS.alice);
		expect(text).not.toContain(c.cookies.get("__Host-xshl-fp") ?? "no-fp-left");
	});
});

describe("algorithms", () => {
	for (const [signing, encryption] of [
		["EdDSA", "ECDH-ES+A256KW"],
		["RS256", "RSA-OAEP-256"],
		["PS256", "ECDH-ES+A256KW"],
	] as const) {
		it(`${signing} tokens and ${encryption} JWE round trip`, async () => {
			const x = await makeApp({
				SIGNING_ALG: signing,
				ENCRYPTION_ALG: encryption,
				LOG_LEVEL: "silent",
			});
			try {
				const c = new Client(x.app);
				expect((await c.login()).statusCode).toBe(200);
				expect(header(c.token)).toMatchObject({ alg: signing, typ: "xshl-session+jwt" });
				expect((await c.api("GET", "/api/me")).statusCode).toBe(200);
				const { jwe } = (await c.api("POST", "/api/seal", { payload: { n: 1 } })).json() as {
					jwe: string;
				};
				expect(header(jwe)).toMatchObject({ alg: encryption, enc: "A256GCM" });
				expect((await c.api("POST", "/api/open", { jwe })).json()).toMatchObject({
					payload: { n: 1 },
				});
			} finally {
				await x.app.close();
			}
		});
	}
});
