/**
 * Catalog STO-05: Redis goes away (a TCP proxy in front of the real Redis is shut). Refresh,
 * logout, logout-all, login and the critical operation answer 503 ERR_STORE_UNAVAILABLE;
 * offline routes keep working. Under CI=true an unreachable Redis fails.
 */
import { randomBytes } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, errorOf, makeApp, type TestApp } from "./helpers.js";
import { cleanRedis, REDIS_URL, RING_KEK, redisReachable } from "./procs.js";

const reachable = await redisReachable();
const required = process.env.CI === "true";

describe.runIf(reachable || required)("store unavailable", () => {
	const prefix = `xshl-test-${randomBytes(6).toString("hex")}`;
	let proxy: Server;
	const sockets = new Set<Socket>();
	let t: TestApp;

	beforeAll(async () => {
		if (!reachable)
			throw new Error(`Redis at ${REDIS_URL} is unreachable (required under CI=true)`);
		const target = new URL(REDIS_URL);
		proxy = createServer((client) => {
			const upstream = createConnection({
				host: target.hostname,
				port: Number(target.port || 6379),
			});
			sockets.add(client).add(upstream);
			client.pipe(upstream).pipe(client);
			const end = () => {
				client.destroy();
				upstream.destroy();
			};
			client.on("error", end).on("close", end);
			upstream.on("error", end).on("close", end);
		});
		await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
		const port = (proxy.address() as { port: number }).port;
		t = await makeApp({
			REDIS_URL: `redis://127.0.0.1:${port}/9`,
			RING_KEK,
			REDIS_PREFIX: prefix,
			REDIS_TIMEOUT_MS: "250",
		});
	});

	afterAll(async () => {
		await t?.app.close();
		proxy?.close();
		for (const s of sockets) s.destroy();
		if (reachable) await cleanRedis(prefix);
	});

	it("answers 503 on store routes and keeps offline verification", async () => {
		const c = new Client(t.app);
		expect((await c.login()).statusCode).toBe(200);
		expect((await c.api("POST", "/api/transfer", { to: "bob", amount: 1 })).statusCode).toBe(200);

		proxy.close();
		for (const s of sockets) s.destroy();
		await new Promise((done) => setImmediate(done));

		const refresh = await c.refresh();
		expect(refresh.statusCode).toBe(503);
		expect(errorOf(refresh).code).toBe("ERR_STORE_UNAVAILABLE");
		expect(refresh.headers["retry-after"]).toBe("1");
		expect(refresh.headers["set-cookie"]).toBeUndefined();
		for (const res of [
			await c.post("/auth/logout"),
			await c.post("/auth/logout-all", undefined, { authorization: `Bearer ${c.token}` }),
			await c.api("POST", "/api/transfer", { to: "bob", amount: 1 }),
			await c.api("GET", "/auth/sessions"),
			await new Client(t.app).login("bob"),
		]) {
			expect(res.statusCode).toBe(503);
			expect(errorOf(res).code).toBe("ERR_STORE_UNAVAILABLE");
		}
		const me = await c.api("GET", "/api/me");
		expect(me.statusCode).toBe(200);
	});
});
