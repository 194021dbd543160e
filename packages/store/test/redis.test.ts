import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionStore } from "../src/index";
import type { StoreOptions } from "../src/options";
import { RedisStore } from "../src/redis";
import { contractSuite } from "./contract";
import {
	connect,
	deletePrefix,
	dumpPrefix,
	keysOf,
	randomPrefix,
	shouldSkipRedis,
} from "./redis-helpers";

// DB 1, a random prefix per store; every client is quit and every key deleted in afterAll.
const DB = 1;
const skip = await shouldSkipRedis();
const clients: ReturnType<typeof connect>[] = [];
const prefixes = new Set<string>();
const made = new WeakMap<SessionStore, { prefix: string; options: StoreOptions }>();

function client(): ReturnType<typeof connect> {
	const c = connect(DB);
	clients.push(c);
	return c;
}

function make(prefix: string, options: StoreOptions = {}): RedisStore {
	const store = new RedisStore({ ...options, client: client(), prefix, timeoutMs: 2000 });
	made.set(store, { prefix, options });
	return store;
}

describe.skipIf(skip)("RedisStore (real Redis)", () => {
	let admin: ReturnType<typeof connect>;
	beforeAll(() => {
		admin = client();
	});
	afterAll(async () => {
		for (const p of prefixes) await deletePrefix(admin, p);
		await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
	});

	contractSuite("RedisStore", {
		async make(options) {
			const prefix = randomPrefix("c");
			prefixes.add(prefix);
			return make(prefix, options);
		},
		async peer(store) {
			const m = made.get(store);
			if (m === undefined) throw new Error("unknown store");
			return make(m.prefix, m.options);
		},
		advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
		async dump(store) {
			return dumpPrefix(admin, made.get(store)?.prefix as string);
		},
		async dropFromIndex(store, _sub, familyId) {
			const prefix = made.get(store)?.prefix as string;
			const removed = await admin.zrem(`${prefix}:{u:${familyId.slice(0, 16)}}:s`, familyId);
			expect(removed).toBe(1);
		},
		appNow: () => Date.now(),
	});

	describe("Redis layout", () => {
		it("keys are hash-tagged per user, hashes only, and every key but the pepper has a TTL following the deadline", async () => {
			const prefix = randomPrefix("layout");
			prefixes.add(prefix);
			const store = make(prefix, { idleTimeoutMs: 3_600_000 });
			const login = await store.login({ sub: "alice@example.com", trace: "T", sid: "s1" });
			await store.rotate(login.refreshToken, { trace: "T" });
			await store.denyJti({
				sub: "alice@example.com",
				id: "j1",
				exp: Math.floor(Date.now() / 1000) + 90,
			});
			await store.logoutAll("bob@example.com");
			const all = (await keysOf(admin, prefix)).sort();
			// one attempt record per login, rotation and logout-everywhere, kept timeoutMs + 1 s
			const attempts = all.filter((k) => /:\{u:[A-Za-z0-9_-]{16}\}:a:[A-Za-z0-9_-]{22}$/.test(k));
			expect(attempts.length).toBe(3);
			for (const a of attempts) {
				expect(await admin.pttl(a)).toBeGreaterThan(0);
				expect(await admin.pttl(a)).toBeLessThanOrEqual(3000);
			}
			const keys = all.filter((k) => !attempts.includes(k));
			expect(keys.length).toBe(6); // pepper, family, index, sid, jti denial, bob's epoch
			for (const key of keys) {
				if (key === `${prefix}:pepper`) {
					expect(await admin.pttl(key)).toBe(-1);
					continue;
				}
				expect(key).toMatch(
					new RegExp(
						`^${prefix}:\\{u:[A-Za-z0-9_-]{16}\\}:(f:[A-Za-z0-9_-]{40}|s|e|sid:s1|dj:j1)$`,
					),
				);
				expect(await admin.pttl(key)).toBeGreaterThan(0);
				expect(key.includes("alice")).toBe(false);
			}
			const fkey = keys.find((k) => k.includes(":f:")) as string;
			const pttl = await admin.pttl(fkey);
			// idle deadline (1 h) + 60 s linger, measured on Redis' own clock
			expect(pttl).toBeGreaterThan(3_600_000 + 60_000 - 5_000);
			expect(pttl).toBeLessThanOrEqual(3_600_000 + 60_000);
			expect(await admin.type(fkey)).toBe("hash");
			expect(await admin.type(`${prefix}:{u:${login.familyId.slice(0, 16)}}:s`)).toBe("zset");
			const deny = keys.find((k) => k.endsWith(":dj:j1")) as string;
			// STO-07: 90 s left + 5 s leeway
			expect(await admin.pttl(deny)).toBeGreaterThan(93_000);
			expect(await admin.pttl(deny)).toBeLessThanOrEqual(95_000);
		});

		it("STO-08 an app clock 60 s off changes nothing: deadlines come from Redis TIME, TTLs are relative", async () => {
			const prefix = randomPrefix("skew");
			prefixes.add(prefix);
			const ahead = new RedisStore({
				client: client(),
				prefix,
				now: () => Date.now() + 60_000,
				idleTimeoutMs: 1000,
			});
			const behind = new RedisStore({
				client: client(),
				prefix,
				now: () => Date.now() - 60_000,
				idleTimeoutMs: 1000,
			});
			const login = await ahead.login({ sub: "u", trace: "T" });
			expect(Math.abs(login.createdAt - Date.now())).toBeLessThan(2_000);
			const r1 = await behind.rotate(login.refreshToken, { trace: "T" });
			expect(r1.idleExpiresAt - r1.createdAt).toBeGreaterThanOrEqual(1000);
			await new Promise((r) => setTimeout(r, 1200));
			await expect(ahead.rotate(r1.refreshToken, { trace: "T" })).rejects.toMatchObject({
				code: "ERR_STORE_REFRESH_IDLE_EXPIRED",
			});
		});

		it("the shared pepper is created once in Redis; an explicit pepper is never written there", async () => {
			const prefix = randomPrefix("pepper");
			prefixes.add(prefix);
			const a = make(prefix);
			const b = make(prefix);
			const login = await a.login({ sub: "u", trace: "T" });
			expect((await b.rotate(login.refreshToken, { trace: "T" })).generation).toBe(1);
			const prefix2 = randomPrefix("pepper2");
			prefixes.add(prefix2);
			const c = make(prefix2, { pepper: "p".repeat(32) });
			await c.login({ sub: "u", trace: "T" });
			expect(await admin.exists(`${prefix2}:pepper`)).toBe(0);
		});

		it("a denylist entry with a far-future exp is clamped to AT TTL + leeway (before: PX too large, ERR_STORE_UNAVAILABLE)", async () => {
			const prefix = randomPrefix("clamp");
			prefixes.add(prefix);
			const store = make(prefix, { accessTokenTtlMs: 60_000, leewayMs: 1000 });
			const far = Math.floor(Date.now() / 1000) + 10 * 365 * 86_400;
			await store.denyJti({ sub: "u", id: "j", exp: far });
			await store.denySid({ sub: "u", id: "s", exp: Number.MAX_SAFE_INTEGER });
			const login = await store.login({ sub: "u", trace: "T" });
			expect(
				await store.logout(login.refreshToken, { accessToken: { jti: "j2", exp: far } }),
			).toEqual({
				revoked: true,
			});
			const base = `${prefix}:{u:${login.familyId.slice(0, 16)}}:`;
			for (const key of [`${base}dj:j`, `${base}ds:s`, `${base}dj:j2`]) {
				const pttl = await admin.pttl(key);
				expect(pttl).toBeGreaterThan(55_000);
				expect(pttl).toBeLessThanOrEqual(61_000);
			}
			const iat = Math.floor(Date.now() / 1000);
			expect(await store.isRevoked({ sub: "u", jti: "j", sid: "s", iat })).toEqual({
				revoked: true,
				reason: "jti",
			});
		});

		it("refuses a client with an ioredis keyPrefix (ERR_STORE_CONFIG_INVALID)", () => {
			const c = connect(DB, { keyPrefix: "app:", lazyConnect: true });
			clients.push(c);
			expect(() => new RedisStore({ client: c })).toThrow(
				expect.objectContaining({ code: "ERR_STORE_CONFIG_INVALID" }),
			);
			expect(() => new RedisStore({ client: {} as never })).toThrow(
				expect.objectContaining({ code: "ERR_STORE_CONFIG_INVALID" }),
			);
			expect(() => new RedisStore({ client: c, timeoutMs: 0 } as never)).toThrow(
				expect.objectContaining({ code: "ERR_STORE_CONFIG_INVALID" }),
			);
		});
	});
});
