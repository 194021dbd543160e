/**
 * Resource-server mode in process: verification through the issuer's JWKS (@xshl/keys
 * RemoteKeySet), catalog KEY-01 (JWKS down at start → 503, never 401; recovers without a
 * restart), and the optional IP binding of the trace.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDeps } from "../src/wiring.js";
import { Client, errorOf, ISSUER_ID, makeApp, UA } from "./helpers.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
	await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function resourceApp(jwksUrl: string, clock: { now: number }): Promise<FastifyInstance> {
	const config = loadConfig({ ISSUER: ISSUER_ID, ISSUER_JWKS_URL: jwksUrl, LOG_LEVEL: "silent" });
	const app = await buildApp(await createDeps(config, { now: () => clock.now }));
	apps.push(app);
	return app;
}

describe("resource-server mode", () => {
	it("verifies the issuer's tokens offline through its JWKS", async () => {
		const issuer = await makeApp({ LOG_LEVEL: "silent" });
		apps.push(issuer.app);
		const url = await issuer.app.listen({ host: "127.0.0.1", port: 0 });
		const rs = await resourceApp(`${url}/.well-known/jwks.json`, issuer.clock);
		const c = new Client(issuer.app);
		await c.login();
		const res = await rs.inject({
			url: "/api/me",
			headers: { authorization: `Bearer ${c.token}`, "user-agent": UA, cookie: c.cookieHeader() },
		});
		expect(res.statusCode).toBe(200);
		expect((res.json() as { mode: string; claims: { sid: string } }).claims.sid).toBe(c.sid);
		expect((await rs.inject("/healthz")).json()).toEqual({
			status: "ok",
			mode: "resource",
			keys: { state: "fresh" },
			store: null,
			feed: { state: "fresh", refusingAll: false },
		});
		// issuer-only routes
		const jwks = await rs.inject("/.well-known/jwks.json");
		expect(jwks.statusCode).toBe(404);
		expect(errorOf(jwks).code).toBe("ERR_DEMO_NOT_ISSUER");
		const transfer = await rs.inject({
			method: "POST",
			url: "/api/transfer",
			headers: { authorization: `Bearer ${c.token}`, "user-agent": UA, cookie: c.cookieHeader() },
			payload: { to: "bob", amount: 1 },
		});
		expect(transfer.statusCode).toBe(404);
		// another client's trace is refused here too
		const other = await rs.inject({
			url: "/api/me",
			headers: {
				authorization: `Bearer ${c.token}`,
				"user-agent": "curl/8",
				cookie: c.cookieHeader(),
			},
		});
		expect(other.statusCode).toBe(401);
	});

	it("JWKS down at start gives 503 (KEY-01), then recovers without a restart", async () => {
		const issuer = await makeApp({ LOG_LEVEL: "silent" });
		apps.push(issuer.app);
		// Reserve a port, then free it: the JWKS endpoint is down.
		const url = await issuer.app.listen({ host: "127.0.0.1", port: 0 });
		const port = new URL(url).port;
		await issuer.app.close();
		apps.pop();
		const again = await makeApp({ LOG_LEVEL: "silent" });
		apps.push(again.app);
		const rs = await resourceApp(`http://127.0.0.1:${port}/.well-known/jwks.json`, again.clock);
		const c = new Client(again.app);
		expect((await c.login()).statusCode).toBe(200);
		const headers = {
			authorization: `Bearer ${c.token}`,
			"user-agent": UA,
			cookie: c.cookieHeader(),
		};
		const down = await rs.inject({ url: "/api/me", headers });
		expect(down.statusCode).toBe(503);
		expect(errorOf(down).code).toBe("ERR_SESSION_KEYS_UNAVAILABLE");
		expect(down.headers["retry-after"]).toBe("1");

		await again.app.listen({ host: "127.0.0.1", port: Number(port) });
		again.clock.now += 31_000; // past the key set's cooldown and backoff
		// the revocation feed was down too: fail-closed refuses every token until it loads, which
		// its client retries at the poll interval (at most 5 s apart)
		const deadline = Date.now() + 10_000;
		let feed = "";
		while (feed !== "fresh" && Date.now() < deadline) {
			await new Promise((done) => setTimeout(done, 100));
			feed = ((await rs.inject("/api/feed-status")).json() as { health: { state: string } }).health
				.state;
		}
		expect(feed).toBe("fresh");
		const up = await rs.inject({ url: "/api/me", headers });
		expect(up.statusCode).toBe(200);
	});
});

describe("TRACE_IP", () => {
	it("binds the token to the client IP when enabled", async () => {
		const t = await makeApp({ TRACE_IP: "true", LOG_LEVEL: "silent" });
		apps.push(t.app);
		const login = await t.app.inject({
			method: "POST",
			url: "/auth/login",
			remoteAddress: "203.0.113.7",
			headers: { "content-type": "application/json", "x-xshl-request": "1", "user-agent": UA },
			payload: { username: "alice", password: "alice-demo-pass" },
		});
		expect(login.statusCode).toBe(200);
		const token = (login.json() as { access_token: string }).access_token;
		const cookie = [login.headers["set-cookie"]]
			.flat()
			.map((x) => String(x).split(";")[0])
			.join("; ");
		const headers = { authorization: `Bearer ${token}`, "user-agent": UA, cookie };
		expect(
			(await t.app.inject({ url: "/api/me", remoteAddress: "203.0.113.7", headers })).statusCode,
		).toBe(200);
		const moved = await t.app.inject({ url: "/api/me", remoteAddress: "198.51.100.9", headers });
		expect(moved.statusCode).toBe(401);
		expect(errorOf(moved)).toEqual({
			code: "ERR_HTTP_TRACE_MISMATCH",
			message: "The token is bound to another client: the ip part of the trace differs",
		});
	});
});
