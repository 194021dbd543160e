import { describe, expect, it } from "vitest";
import { createAuthenticator, HttpConfigError, WEB_TRACE_RECIPE } from "../src/index";
import {
	AUDIENCE,
	decode,
	fixture,
	ISSUER,
	login,
	PEER,
	pageHeaders,
	req,
	setCookies,
	UA,
} from "./helpers/server";

const bearer = (token: string, extra: Record<string, string> = {}) => ({
	authorization: `Bearer ${token}`,
	"user-agent": UA,
	...extra,
});

describe("login", () => {
	it("issues a trace-bound token, sets both cookies, no-store and HSTS", async () => {
		const { server } = await fixture();
		const res = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: JSON.stringify({ username: "alice", password: "correct horse" }),
			}),
			{ remoteAddress: PEER },
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(res.headers.get("strict-transport-security")).toBe(
			"max-age=63072000; includeSubDomains",
		);
		const body = (await res.json()) as Record<string, unknown>;
		expect(body.token_type).toBe("Bearer");
		expect(body.expires_in).toBe(120);
		const claims = decode(body.access_token as string);
		expect(claims.sub).toBe("alice");
		expect(claims.iss).toBe(ISSUER);
		expect(claims.aud).toEqual([AUDIENCE]);
		expect(claims.scope).toEqual(["demo", "admin"]);
		expect(claims.roles).toEqual(["admin"]);
		expect(claims.sid).toBe(body.sid);
		expect((claims.trp as { r: string }).r).toBe("xshl-web@1");
		expect(Object.keys(claims.trp as object).sort()).toEqual(["fp", "r", "ua"]);
		const c = setCookies(res);
		expect(c.get("__Secure-xshl-rt")!.raw).toMatch(
			/^__Secure-xshl-rt=xrt1\.[A-Za-z0-9_-]+\.0\.[A-Za-z0-9_-]+; Path=\/auth; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/,
		);
		expect(c.get("__Host-xshl-fp")!.raw).toMatch(
			/^__Host-xshl-fp=[A-Za-z0-9_-]{32}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/,
		);
	});

	it("without Secure cookies: no prefixes, no Secure attribute, no HSTS", async () => {
		const { server } = await fixture({ cookies: { secure: false } });
		const res = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: JSON.stringify({ username: "bob", password: "battery staple" }),
			}),
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("strict-transport-security")).toBeNull();
		expect(res.headers.get("cache-control")).toBe("no-store");
		const c = setCookies(res);
		expect([...c.keys()]).toEqual(["xshl-rt", "xshl-fp"]);
		expect(c.get("xshl-rt")!.raw).toMatch(/; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
	});

	it("refuses wrong credentials with 401 ERR_HTTP_INVALID_CREDENTIALS and no cookie", async () => {
		const { server } = await fixture();
		const res = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: JSON.stringify({ username: "alice", password: "nope" }),
			}),
		);
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_INVALID_CREDENTIALS", message: "Unknown user or wrong password" },
		});
		expect(res.headers.getSetCookie()).toEqual([]);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_client", error_description="Unknown user or wrong password"',
		);
	});

	it("ignores a planted refresh cookie (a new family and salt)", async () => {
		const { server } = await fixture();
		const first = await login(server);
		const second = await login(server, "alice", "correct horse", { cookie: first.cookie });
		expect(second.refreshToken).not.toBe(first.refreshToken);
		expect(second.salt).not.toBe(first.salt);
		expect(second.sid).not.toBe(first.sid);
	});

	it.each([
		[
			"unknown field",
			{ username: "a", password: "b", admin: true },
			"Invalid body: unknown field admin",
		],
		["missing password", { username: "a" }, "Invalid body: password: must be 1 to 1024 characters"],
		[
			"wrong type",
			{ username: 1, password: "b" },
			"Invalid body: username: must be 1 to 256 characters",
		],
		["an array", [1], "Invalid body: expected { username, password }"],
	])("refuses a body with %s: 400 ERR_HTTP_BAD_REQUEST", async (_n, body, message) => {
		const { server } = await fixture();
		const res = await server.login(
			req("/auth/login", { method: "POST", headers: pageHeaders(), body: JSON.stringify(body) }),
		);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: { code: "ERR_HTTP_BAD_REQUEST", message } });
	});

	it("refuses invalid options, naming each", async () => {
		const ring = (await fixture()).ring;
		expect(() =>
			// @ts-expect-error store and authenticate are missing
			createSessionServer({ ring, issuer: "", audience: "a", accessTokenTtlMs: 1500 }),
		).toThrowError(HttpConfigError);
		try {
			// @ts-expect-error store and authenticate are missing
			createSessionServer({ ring, issuer: "", audience: "a", accessTokenTtlMs: 1500 });
		} catch (e) {
			expect((e as HttpConfigError).code).toBe("ERR_HTTP_CONFIG_INVALID");
			expect((e as HttpConfigError).issues.map((i) => i.path)).toEqual([
				"store",
				"issuer",
				"authenticate",
				"accessTokenTtlMs",
			]);
		}
	});
});

import { createSessionServer } from "../src/index";

describe("refresh", () => {
	it("rotates the refresh cookie and keeps the salt", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
			{ remoteAddress: PEER },
		);
		expect(res.status).toBe(200);
		const c = setCookies(res);
		expect(c.get("__Secure-xshl-rt")!.value).toMatch(/^xrt1\.[A-Za-z0-9_-]+\.1\./);
		expect(c.get("__Host-xshl-fp")!.value).toBe(s.salt);
		const body = (await res.json()) as { access_token: string; sid: string };
		expect(body.sid).toBe(s.sid);
		expect(decode(body.access_token).roles).toEqual(["admin"]);
	});

	it("five tabs refreshing at once share one rotation (no reuse, session alive)", async () => {
		const { server, store } = await fixture();
		const s = await login(server);
		const rotations: string[] = [];
		store.on("refresh", (e) => rotations.push(String(e.generation)));
		const reused: unknown[] = [];
		store.on("refresh.reuse_detected", (e) => reused.push(e));
		const refreshed: boolean[] = [];
		server.on("refresh", (e) => refreshed.push(e.coalesced));
		const all = await Promise.all(
			Array.from({ length: 5 }, () =>
				server.refresh(
					req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
				),
			),
		);
		expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		const tokens = new Set(all.map((r) => setCookies(r).get("__Secure-xshl-rt")!.value));
		expect(tokens.size).toBe(1);
		expect(rotations).toEqual(["1"]);
		expect(reused).toEqual([]);
		expect(refreshed.sort()).toEqual([false, true, true, true, true]);
		// the successor still works
		const next = [...tokens][0]!;
		const again = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: `__Secure-xshl-rt=${next}; __Host-xshl-fp=${s.salt}` }),
			}),
		);
		expect(again.status).toBe(200);
	});

	it("a replay after the grace window is reuse: 401 ERR_REFRESH_REUSED and the cookie cleared", async () => {
		const { server, clock } = await fixture();
		const s = await login(server);
		const ok = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
		);
		expect(ok.status).toBe(200);
		clock.now += 60_000;
		const res = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
		);
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_STORE_REFRESH_REUSED",
		);
		expect(setCookies(res).get("__Secure-xshl-rt")!.raw).toBe(
			"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		);
	});

	it("another user agent is a trace mismatch at the store", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: s.cookie, "user-agent": "curl/8" }),
			}),
		);
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_STORE_TRACE_MISMATCH",
		);
	});

	it("without the cookie: 401 ERR_HTTP_REFRESH_MISSING", async () => {
		const { server } = await fixture();
		const res = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders() }),
		);
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_REFRESH_MISSING", message: "Refresh cookie missing or malformed" },
		});
	});

	it("finds the cookie behind 49 decoys and 8.2 KB of them", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const decoys = Array.from({ length: 49 }, (_, i) => `d${i}=${"x".repeat(162)}`).join("; ");
		expect(decoys.length).toBeGreaterThan(8200);
		const res = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: `${decoys}; ${s.cookie}` }),
			}),
		);
		expect(res.status).toBe(200);
	});

	it("a Cookie header over 16 KiB is 431 ERR_HTTP_HEADER_TOO_LARGE", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: `big=${"x".repeat(16_400)}; ${s.cookie}` }),
			}),
		);
		expect(res.status).toBe(431);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_HEADER_TOO_LARGE",
		);
	});
});

describe("logout", () => {
	it("revokes the family, clears both cookies, and is idempotent", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.logout(
			req("/auth/logout", {
				method: "POST",
				headers: pageHeaders({ cookie: s.cookie, authorization: `Bearer ${s.accessToken}` }),
			}),
		);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ ok: true });
		expect(res.headers.getSetCookie()).toEqual([
			"__Secure-xshl-rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
			"__Host-xshl-fp=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
		]);
		const again = await server.logout(
			req("/auth/logout", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
		);
		expect(again.status).toBe(200);
		const refresh = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
		);
		expect(refresh.status).toBe(401);
		expect(((await refresh.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_STORE_SESSION_REVOKED",
		);
	});

	it("logout everywhere ends every session; exceptCurrent keeps this one", async () => {
		const { server } = await fixture();
		const a = await login(server);
		const b = await login(server);
		const c = await login(server);
		const res = await server.logoutAll(
			req("/auth/logout-all", {
				method: "POST",
				headers: pageHeaders({ authorization: `Bearer ${a.accessToken}`, cookie: a.cookie }),
				body: JSON.stringify({ exceptCurrent: true }),
			}),
		);
		expect(res.status).toBe(200);
		expect(res.headers.getSetCookie()).toEqual([]);
		const list = await server.listSessions(
			req("/auth/sessions", { headers: bearer(a.accessToken, { cookie: a.cookie }) }),
		);
		const rows = ((await list.json()) as { sessions: { sid: string; current: boolean }[] })
			.sessions;
		expect(rows.map((r) => [r.sid, r.current])).toEqual([[a.sid, true]]);
		for (const s of [b, c]) {
			const r = await server.refresh(
				req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
			);
			expect(r.status).toBe(401);
		}
	});
});

describe("sessions", () => {
	it("lists and revokes one session; an unknown sid is 404", async () => {
		const { server } = await fixture();
		const a = await login(server);
		const b = await login(server);
		const list = await server.listSessions(
			req("/auth/sessions", { headers: bearer(a.accessToken, { cookie: a.cookie }) }),
		);
		expect(list.status).toBe(200);
		const rows = ((await list.json()) as { sessions: { sid: string; current: boolean }[] })
			.sessions;
		expect(rows.map((r) => r.sid).sort()).toEqual([a.sid, b.sid].sort());
		expect(rows.find((r) => r.sid === a.sid)!.current).toBe(true);
		const del = await server.revokeSession(
			req(`/auth/sessions/${b.sid}`, {
				method: "DELETE",
				headers: bearer(a.accessToken, { cookie: a.cookie }),
			}),
		);
		expect(del.status).toBe(200);
		expect(del.headers.getSetCookie()).toEqual([]);
		const gone = await server.revokeSession(
			req(`/auth/sessions/${b.sid}`, {
				method: "DELETE",
				headers: bearer(a.accessToken, { cookie: a.cookie }),
			}),
		);
		expect(gone.status).toBe(404);
		expect(((await gone.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_NOT_FOUND",
		);
		const bad = await server.revokeSession(
			req("/auth/sessions/%3Cscript%3E", {
				method: "DELETE",
				headers: bearer(a.accessToken, { cookie: a.cookie }),
			}),
		);
		expect(bad.status).toBe(400);
	});

	it("without a token: 401 with a bare Bearer challenge", async () => {
		const { server } = await fixture();
		const res = await server.listSessions(req("/auth/sessions"));
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toBe('Bearer realm="xshl"');
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_HTTP_TOKEN_MISSING",
		);
	});
});

describe("jwks", () => {
	it("serves public keys with an ETag and answers 304 to If-None-Match", async () => {
		const { server } = await fixture();
		const res = await server.jwks(req("/.well-known/jwks.json"));
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/jwk-set+json; charset=utf-8");
		const body = (await res.json()) as { keys: Record<string, unknown>[] };
		expect(body.keys.length).toBeGreaterThan(0);
		for (const k of body.keys) expect(k.d).toBeUndefined();
		const etag = res.headers.get("etag")!;
		expect(etag).toMatch(/^"/);
		const again = await server.jwks(
			req("/.well-known/jwks.json", { headers: { "if-none-match": etag } }),
		);
		expect(again.status).toBe(304);
		expect(await again.text()).toBe("");
	});
});

describe("handle", () => {
	it("routes by path and method; 404 and 405 are JSON", async () => {
		const { server } = await fixture();
		const nf = await server.handle(req("/auth/nope"));
		expect(nf.status).toBe(404);
		expect(await nf.json()).toEqual({
			error: { code: "ERR_HTTP_NOT_FOUND", message: "No route GET /auth/nope" },
		});
		const na = await server.handle(req("/auth/refresh"));
		expect(na.status).toBe(405);
		expect(na.headers.get("allow")).toBe("POST");
		const ok = await server.handle(req("/.well-known/jwks.json"));
		expect(ok.status).toBe(200);
		const s = await login(server);
		const list = await server.handle(
			req("/auth/sessions", { headers: bearer(s.accessToken, { cookie: s.cookie }) }),
		);
		expect(list.status).toBe(200);
	});
});

describe("the issuer's tokens verify on a resource server with the same recipe", () => {
	it("authenticate() accepts them with the cookie and user agent", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const { authenticate } = createAuthenticator({
			keys: server.keys,
			issuer: ISSUER,
			audience: AUDIENCE,
			trace: WEB_TRACE_RECIPE,
			now: () => Date.UTC(2026, 11, 2, 6, 0, 0),
		});
		const a = await authenticate(
			req("/api", { headers: bearer(s.accessToken, { cookie: s.cookie }) }),
		);
		expect(a.claims.sub).toBe("alice");
		expect(a.header.alg).toBe("EdDSA");
	});
});
