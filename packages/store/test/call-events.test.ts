// Issue 18 §2: the per-call `call` event (op, outcome, code, durationMs, startedAt; measured
// only while somebody listens) and the grace replay told apart (`refresh.replay`), on the
// real MemoryStore and the real Redis (own key prefix) and a closed port.
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MemoryStore, type StoreEvent, type StoreEvents } from "../src/index";
import { RedisStore } from "../src/redis";
import { connect, deletePrefix, randomPrefix, shouldSkipRedis } from "./redis-helpers";

const DB = 5;
const PEPPER = "call-events-test-pepper-0123456789abcdef";
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

type Store = MemoryStore | RedisStore;

/** Logs in, rotates, replays the predecessor (grace), then replays it from another trace (reuse). */
async function scenario(store: Store): Promise<StoreEvent[]> {
	const seen: StoreEvent[] = [];
	for (const type of ["refresh", "refresh.replay", "refresh.reuse_detected"] as const) {
		store.on(type, (e) => seen.push({ type, ...e } as StoreEvent));
	}
	const login = await store.login({ sub: "u1", sid: "s1", trace: "T" });
	const next = await store.rotate(login.refreshToken, { trace: "T" });
	const again = await store.rotate(login.refreshToken, { trace: "T" });
	expect([next.replay, again.replay, again.refreshToken === next.refreshToken]).toEqual([
		false,
		true,
		true,
	]);
	await expect(store.rotate(login.refreshToken, { trace: "other" })).rejects.toMatchObject({
		code: "ERR_STORE_REFRESH_REUSED",
	});
	return seen;
}

function calls(store: Store): StoreEvents["call"][] {
	const out: StoreEvents["call"][] = [];
	store.on("call", (e) => out.push(e));
	return out;
}

describe("MemoryStore `call` and `refresh.replay` events", () => {
	it("one `call` per operation that reaches the backend, with outcome, duration and start time", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		const seen = calls(store);
		const before = Date.now();
		const login = await store.login({ sub: "u1", trace: "T" });
		await store.rotate(login.refreshToken, { trace: "T" });
		await store.isRevoked({ sub: "u1", iat: 1, sid: login.sid });
		// refused before the backend: not a call
		await expect(store.rotate("xrt1.nope", { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_MALFORMED",
		});
		expect(seen.map((e) => [e.op, e.outcome, e.code])).toEqual([
			["login", "ok", undefined],
			["rotate", "ok", undefined],
			["isRevoked", "ok", undefined],
		]);
		for (const e of seen) {
			expect(e.durationMs).toBeGreaterThanOrEqual(0);
			expect(e.startedAt).toBeGreaterThanOrEqual(before);
			expect(e.startedAt).toBeLessThanOrEqual(Date.now());
			expect(Object.keys(e).sort()).toEqual(["code", "durationMs", "op", "outcome", "startedAt"]);
		}
	});

	it("reads no clock while nobody listens to `call`, and stops when the listener leaves", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		const now = vi.spyOn(performance, "now");
		await store.login({ sub: "u1", trace: "T" });
		expect(now).not.toHaveBeenCalled();
		const off = store.on("call", () => undefined);
		await store.login({ sub: "u1", trace: "T" });
		expect(now).toHaveBeenCalledTimes(2);
		off();
		await store.login({ sub: "u1", trace: "T" });
		expect(now).toHaveBeenCalledTimes(2);
	});

	it("a grace replay is `refresh.replay` (not `refresh`); reuse stays `refresh.reuse_detected`", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		const seen = await scenario(store);
		expect(seen.map((e) => [e.type, "generation" in e ? e.generation : -1])).toEqual([
			["refresh", 1],
			["refresh.replay", 1],
			["refresh.reuse_detected", 0],
		]);
		const replay = seen[1] as Extract<StoreEvent, { type: "refresh.replay" }>;
		const refresh = seen[0] as Extract<StoreEvent, { type: "refresh" }>;
		expect(replay).toMatchObject({ sub: "u1", sid: "s1", familyId: refresh.familyId });
		expect(Object.keys(replay).sort()).toEqual([
			"at",
			"familyId",
			"generation",
			"sid",
			"sub",
			"type",
		]);
	});

	it("a listener that throws breaks no call", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		store.on("call", () => {
			throw new Error("listener");
		});
		store.on("refresh.replay", () => {
			throw new Error("listener");
		});
		expect((await scenario(store)).length).toBe(3);
	});
});

describe.skipIf(skip)("RedisStore `call` and `refresh.replay` events on the real Redis", () => {
	it("`call` events match stats() call for call; a grace replay is `refresh.replay`", async () => {
		const client = connect(DB);
		clients.push(client);
		const prefix = randomPrefix("calls");
		prefixes.push(prefix);
		const store = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: 2000 });
		const seen = calls(store);
		const events = await scenario(store);
		expect(events.map((e) => e.type)).toEqual([
			"refresh",
			"refresh.replay",
			"refresh.reuse_detected",
		]);
		expect(seen.map((e) => [e.op, e.outcome])).toEqual([
			["login", "ok"],
			["rotate", "ok"],
			["rotate", "ok"],
			["rotate", "ok"], // the backend answered; the verdict (reuse) is not the call's outcome
		]);
		const stats = store.stats();
		expect([stats.login.calls, stats.rotate.calls]).toEqual([1, 3]);
		const max = Math.max(...seen.filter((e) => e.op === "rotate").map((e) => e.durationMs));
		expect(max).toBe(stats.rotate.maxMs);
	});

	it("a failed call is a `call` event with outcome error and code ERR_STORE_UNAVAILABLE (closed port)", async () => {
		const client = new Redis({ host: "127.0.0.1", port: await freePort(), lazyConnect: true });
		client.on("error", () => undefined);
		clients.push(client);
		const store = new RedisStore({ client, pepper: PEPPER, timeoutMs: 100 });
		const seen = calls(store);
		await expect(store.isRevoked({ sub: "u", iat: 1 })).rejects.toMatchObject({
			code: "ERR_STORE_UNAVAILABLE",
		});
		expect(seen.map((e) => [e.op, e.outcome, e.code])).toEqual([
			["isRevoked", "error", "ERR_STORE_UNAVAILABLE"],
		]);
		expect(seen[0]?.durationMs).toBeGreaterThanOrEqual(99);
	});
});
