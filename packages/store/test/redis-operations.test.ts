// Issue 17 §5: RedisStore#stats() and the store's `error` event (failed calls, client and
// cluster-node errors), against the real Redis and a closed port.
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { OperationStats, StoreEvents } from "../src/index";
import { RedisStore } from "../src/redis";
import { connect, deletePrefix, randomPrefix, shouldSkipRedis } from "./redis-helpers";

const DB = 5;
const PEPPER = "operations-test-pepper-0123456789abcdef";
const skip = await shouldSkipRedis();
const clients: Redis[] = [];
const prefixes: string[] = [];

afterAll(async () => {
	const admin = clients[0];
	if (admin !== undefined && !skip) for (const p of prefixes) await deletePrefix(admin, p);
	for (const c of clients) c.disconnect();
});

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const IDLE: OperationStats = {
	calls: 0,
	errors: 0,
	timeouts: 0,
	p50Ms: 0,
	p90Ms: 0,
	p99Ms: 0,
	maxMs: 0,
};

describe.skipIf(skip)("RedisStore#stats() on the real Redis", () => {
	it("counts every call that reached Redis per operation, with ordered latency percentiles", async () => {
		const client = connect(DB);
		clients.push(client);
		const prefix = randomPrefix("ops");
		prefixes.push(prefix);
		const store = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: 2000 });
		expect(store.stats().rotate).toEqual(IDLE);
		const logins = [];
		for (let i = 0; i < 3; i++) logins.push(await store.login({ sub: "u", trace: "T" }));
		const r1 = await store.rotate((logins[0] as { refreshToken: string }).refreshToken, {
			trace: "T",
		});
		await store.rotate(r1.refreshToken, { trace: "T" });
		const iat = Math.floor(Date.now() / 1000);
		for (let i = 0; i < 5; i++) await store.isRevoked({ sub: "u", sid: `s${i}`, iat });
		await store.listSessions("u");
		await store.denyJti({ sub: "u", id: "j", exp: iat + 60 });
		// refused before Redis: not a call
		await expect(store.rotate("xrt1.nope", { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_MALFORMED",
		});
		await expect(store.isRevoked({ sub: "", iat })).rejects.toMatchObject({
			code: "ERR_STORE_INPUT_INVALID",
			issues: [{ path: "sub" }],
		});
		const stats = store.stats();
		const counts = Object.fromEntries(
			Object.entries(stats).map(([op, s]) => [op, [s.calls, s.errors, s.timeouts]]),
		);
		expect(counts).toEqual({
			login: [3, 0, 0],
			rotate: [2, 0, 0],
			logout: [0, 0, 0],
			revokeSession: [0, 0, 0],
			logoutAll: [0, 0, 0],
			listSessions: [1, 0, 0],
			isRevoked: [5, 0, 0],
			denyJti: [1, 0, 0],
			denySid: [0, 0, 0],
			pepper: [0, 0, 0], // a configured pepper is never loaded from Redis
		});
		for (const op of ["login", "rotate", "isRevoked", "listSessions", "denyJti"] as const) {
			const s = stats[op];
			expect(s.p50Ms).toBeGreaterThan(0);
			expect(s.p50Ms).toBeLessThanOrEqual(s.p90Ms);
			expect(s.p90Ms).toBeLessThanOrEqual(s.p99Ms);
			expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
		}
		expect(stats.logout).toEqual(IDLE);
	});

	it("the shared pepper load is one `pepper` call, once", async () => {
		const client = connect(DB);
		clients.push(client);
		const prefix = randomPrefix("ops-pepper");
		prefixes.push(prefix);
		const store = new RedisStore({ client, prefix, timeoutMs: 2000 });
		await store.login({ sub: "u", trace: "T" });
		await store.login({ sub: "u", trace: "T" });
		expect([store.stats().pepper.calls, store.stats().login.calls]).toEqual([1, 2]);
	});
});

describe("RedisStore `error` events and failure stats (a closed port)", () => {
	it("a failed call is an `error` event (source call, op, ERR_STORE_UNAVAILABLE) and counts as an error and a timeout", async () => {
		const client = new Redis({ host: "127.0.0.1", port: await freePort(), lazyConnect: true });
		client.on("error", () => undefined);
		clients.push(client);
		const store = new RedisStore({ client, pepper: PEPPER, timeoutMs: 100 });
		const events: StoreEvents["error"][] = [];
		store.on("error", (e) => events.push(e));
		await expect(store.login({ sub: "u", trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_UNAVAILABLE",
		});
		await expect(store.isRevoked({ sub: "u", iat: 1 })).rejects.toMatchObject({
			code: "ERR_STORE_UNAVAILABLE",
		});
		const calls = events.filter((e) => e.source === "call");
		expect(calls.map((e) => [e.op, (e.error as { code?: string }).code])).toEqual([
			["login", "ERR_STORE_UNAVAILABLE"],
			["isRevoked", "ERR_STORE_UNAVAILABLE"],
		]);
		// lazyConnect, offline queue: the command waits for a connection until the store's timeout
		expect(store.stats().login).toMatchObject({ calls: 1, errors: 1, timeouts: 1 });
		expect(store.stats().isRevoked).toMatchObject({ calls: 1, errors: 1, timeouts: 1 });
		expect(store.stats().login.maxMs).toBeGreaterThanOrEqual(99);
	});

	it("the client's connection errors reach `error` listeners (source client) instead of being swallowed", async () => {
		const port = await freePort();
		const client = new Redis({ host: "127.0.0.1", port, retryStrategy: () => 20 });
		clients.push(client);
		const store = new RedisStore({ client, pepper: PEPPER, timeoutMs: 100 });
		const events: StoreEvents["error"][] = [];
		store.on("error", (e) => events.push(e));
		await new Promise<void>((resolve) => {
			const off = store.on("error", (e) => {
				if (e.source === "client") {
					off();
					resolve();
				}
			});
		});
		const first = events.find((e) => e.source === "client");
		expect(first?.error.message).toMatch(/ECONNREFUSED/);
		expect(typeof first?.at).toBe("number");
	});

	it("the first `error` listener attaches to the client, the last unsubscribe and close() detach", () => {
		const client = new Redis({ lazyConnect: true });
		clients.push(client);
		const store = new RedisStore({ client, pepper: PEPPER });
		const count = (): number[] => [
			client.listenerCount("error"),
			client.listenerCount("node error"),
		];
		expect(count()).toEqual([0, 0]);
		const seen: StoreEvents["error"][] = [];
		const offA = store.on("error", (e) => seen.push(e));
		const offB = store.on("error", () => undefined);
		expect(count()).toEqual([1, 1]);
		const boom = new Error("boom");
		client.emit("error", boom);
		client.emit("node error", boom, "127.0.0.1:7001");
		expect(seen.map((e) => [e.source, e.error, e.address])).toEqual([
			["client", boom, undefined],
			["node", boom, "127.0.0.1:7001"],
		]);
		offA();
		expect(count()).toEqual([1, 1]);
		offB();
		expect(count()).toEqual([0, 0]);
		store.on("error", () => undefined);
		expect(count()).toEqual([1, 1]);
		store.close();
		expect(count()).toEqual([0, 0]);
		// other event types never touch the client
		store.on("login", () => undefined);
		expect(count()).toEqual([0, 0]);
	});
});
