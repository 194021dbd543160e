// The GET /api/me hot path: session-core's opt-in verified-token cache (VERIFY_CACHE).
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { Client, errorOf, makeApp, type TestApp } from "./helpers.js";

describe("VERIFY_CACHE", () => {
	it("is off by default and bounded", () => {
		expect(loadConfig({}).verifyCache).toBe(0);
		expect(loadConfig({ VERIFY_CACHE: "8" }).verifyCache).toBe(8);
		expect(() => loadConfig({ VERIFY_CACHE: "65" })).toThrow(
			"VERIFY_CACHE must be an integer in [0, 64]",
		);
	});

	let t: TestApp | undefined;
	afterEach(async () => {
		await t?.app.close();
		t = undefined;
	});

	it("GET /api/me with the cache on: same answers, trace and expiry still checked per request", async () => {
		t = await makeApp({ VERIFY_CACHE: "8" });
		const c = new Client(t.app);
		await c.login();
		const first = await c.api("GET", "/api/me");
		const second = await c.api("GET", "/api/me");
		expect(first.statusCode).toBe(200);
		expect(second.json()).toEqual(first.json());
		expect((first.json() as { claims: { sid: string } }).claims.sid).toBe(c.sid);
		const otherUa = await c.api("GET", "/api/me", undefined, { "user-agent": "curl/8.0" });
		expect(otherUa.statusCode).toBe(401);
		expect(errorOf(otherUa)).toEqual({
			code: "ERR_HTTP_TRACE_MISMATCH",
			message: "The token is bound to another client: the userAgent part of the trace differs",
		});
		expect((await c.api("GET", "/api/me")).statusCode).toBe(200);
		t.clock.now += 126_000;
		const expired = await c.api("GET", "/api/me");
		expect(expired.statusCode).toBe(401);
		expect(errorOf(expired).code).toBe("ERR_SESSION_EXPIRED");
	});

	it("GET /api/me with TRACE_IP: the IP is part of the client's trace", async () => {
		t = await makeApp({ TRACE_IP: "true" });
		const c = new Client(t.app);
		await c.login();
		expect((await c.api("GET", "/api/me")).statusCode).toBe(200);
		const moved = await t.app.inject({
			method: "GET",
			url: "/api/me",
			remoteAddress: "198.51.100.7",
			headers: { authorization: `Bearer ${c.token}`, "user-agent": c.ua, cookie: c.cookieHeader() },
		});
		expect(moved.statusCode).toBe(401);
		expect(errorOf(moved)).toEqual({
			code: "ERR_HTTP_TRACE_MISMATCH",
			message: "The token is bound to another client: the ip part of the trace differs",
		});
	});
});
