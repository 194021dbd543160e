import { describe, expect, it } from "vitest";
import type { SessionStore } from "../src/index";
import {
	MemoryStore,
	RefreshInvalidError,
	RefreshReusedError,
	SessionRevokedError,
	StoreConfigError,
} from "../src/index";
import type { StoreOptions } from "../src/options";
import { contractSuite } from "./contract";

let clock = Date.UTC(2026, 0, 1);
const now = (): number => clock;
const options = new WeakMap<SessionStore, StoreOptions>();

function internals(store: SessionStore): {
	users: Map<string, { index: Map<string, number> }>;
} {
	return (store as unknown as { backend: { users: Map<string, { index: Map<string, number> }> } })
		.backend;
}

contractSuite("MemoryStore", {
	async make(o) {
		const store = new MemoryStore({ ...o, now });
		options.set(store, o ?? {});
		return store;
	},
	// one process: a "second instance" is the same object (the memory store is not shared)
	async peer(store) {
		return store;
	},
	async advance(ms) {
		clock += ms;
	},
	async dump(store) {
		return JSON.stringify((store as MemoryStore).dump());
	},
	async dropFromIndex(store, _sub, familyId) {
		internals(store).users.get(familyId.slice(0, 16))?.index.delete(familyId);
	},
	appNow: now,
});

describe("MemoryStore specifics", () => {
	it("STO-08 default timeouts pinned at −1 s / +1 s (24 h idle, 7 d absolute)", async () => {
		let t = Date.UTC(2026, 1, 1);
		const store = new MemoryStore({ now: () => t });
		const login = await store.login({ sub: "u", trace: "T" });
		t += 86_400_000 - 1000;
		const r1 = await store.rotate(login.refreshToken, { trace: "T" });
		t += 86_400_000 + 1000;
		await expect(store.rotate(r1.refreshToken, { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_IDLE_EXPIRED",
		});
		// absolute: keep it alive every 23 h until 7 d − 1 s, then +1 s
		t = Date.UTC(2026, 2, 1);
		const l2 = await store.login({ sub: "u", trace: "T" });
		let rt = l2.refreshToken;
		const end = l2.absoluteExpiresAt;
		while (t + 23 * 3_600_000 < end - 1000) {
			t += 23 * 3_600_000;
			rt = (await store.rotate(rt, { trace: "T" })).refreshToken;
		}
		t = end - 1000;
		rt = (await store.rotate(rt, { trace: "T" })).refreshToken;
		t = end + 1000;
		await expect(store.rotate(rt, { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_ABSOLUTE_EXPIRED",
		});
	});

	it("STO-07 with the catalog numbers: 90 s left, leeway 5 s → denied until 95 s, then gone and swept", async () => {
		let t = Date.UTC(2026, 3, 1);
		const store = new MemoryStore({ now: () => t });
		const exp = t / 1000 + 90;
		await store.denyJti({ sub: "u", id: "j", exp });
		t += 94_999;
		expect(await store.isRevoked({ sub: "u", jti: "j", iat: exp - 120 })).toEqual({
			revoked: true,
			reason: "jti",
		});
		t += 2;
		expect(await store.isRevoked({ sub: "u", jti: "j", iat: exp - 120 })).toEqual({
			revoked: false,
			reason: null,
		});
		expect(store.stats().denylist).toBe(1);
		store.sweep();
		expect(store.stats()).toEqual({ families: 0, users: 0, denylist: 0, tombstones: 0 });
	});

	it("presets and option validation (ERR_STORE_CONFIG_INVALID with issues)", async () => {
		const t = Date.UTC(2026, 4, 1);
		const s = await new MemoryStore({ preset: "sensitive", now: () => t }).login({
			sub: "u",
			trace: "T",
		});
		expect([s.idleExpiresAt - t, s.absoluteExpiresAt - t]).toEqual([3_600_000, 86_400_000]);
		const d = await new MemoryStore({ preset: "device", now: () => t }).login({
			sub: "u",
			trace: "T",
		});
		expect([d.idleExpiresAt - t, d.absoluteExpiresAt - t]).toEqual([
			30 * 86_400_000,
			90 * 86_400_000,
		]);
		const bad = (o: unknown): unknown => {
			try {
				new MemoryStore(o as never);
			} catch (e) {
				return e;
			}
			return undefined;
		};
		expect(bad({ graceMs: 60_001 })).toMatchObject({
			name: "StoreConfigError",
			code: "ERR_STORE_CONFIG_INVALID",
			status: 500,
			issues: [{ path: "graceMs" }],
		});
		expect(bad({ graceMs: 60_001 })).toBeInstanceOf(StoreConfigError);
		// the old names are gone (unknown keys are refused)
		for (const old of [
			"graceSeconds",
			"idleTimeoutSeconds",
			"absoluteTimeoutSeconds",
			"accessTokenTtlSeconds",
			"leewaySeconds",
		]) {
			expect(bad({ [old]: 1 })).toMatchObject({
				issues: [{ path: "", message: expect.stringContaining(old) }],
			});
		}
		expect(bad({ onEvent: () => undefined })).toMatchObject({ code: "ERR_STORE_CONFIG_INVALID" });
		expect(bad({ maxGraceReplays: 4 })).toMatchObject({ issues: [{ path: "maxGraceReplays" }] });
		expect(bad({ preset: "device", traceMismatch: "allow" })).toMatchObject({
			issues: [{ path: "traceMismatch" }],
		});
		expect(bad({ pepper: "short" })).toMatchObject({ issues: [{ path: "pepper" }] });
		expect(bad({ nope: 1 })).toMatchObject({ code: "ERR_STORE_CONFIG_INVALID" });
		expect(
			bad({ graceMs: 60_000, maxGraceReplays: 0, pepper: new Uint8Array(32) }),
		).toBeUndefined();
	});

	it("a shared pepper lets two memory stores recognise each other's tokens as authentic", async () => {
		const pepper = "0123456789abcdef0123456789abcdef";
		const a = new MemoryStore({ pepper });
		const b = new MemoryStore({ pepper });
		const c = new MemoryStore();
		const login = await a.login({ sub: "u", trace: "T" });
		// authentic but unknown to b: invalid, nothing revoked
		await expect(b.rotate(login.refreshToken, { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_INVALID",
		});
		await expect(c.rotate(login.refreshToken, { trace: "T" })).rejects.toMatchObject({
			code: "ERR_STORE_REFRESH_INVALID",
		});
	});

	it("a listener that throws never breaks the flow; on() returns an unsubscribe function", async () => {
		const store = new MemoryStore();
		const seen: number[] = [];
		store.on("refresh", () => {
			throw new Error("boom");
		});
		const off = store.on("refresh", (e) => seen.push(e.generation));
		const login = await store.login({ sub: "u", trace: "T" });
		const r1 = await store.rotate(login.refreshToken, { trace: "T" });
		expect(r1.generation).toBe(1);
		off();
		expect((await store.rotate(r1.refreshToken, { trace: "T" })).generation).toBe(2);
		expect(seen).toEqual([1]);
	});
});

describe("MemoryStore memory is bounded by live sessions (issue 12 §4)", () => {
	it("100 000 logins of one user keep 50 families and 50 tombstones; the denylist holds only the last 125 s of evictions", async () => {
		let t = Date.UTC(2026, 5, 1);
		const store = new MemoryStore({ now: () => t });
		let first = "";
		let last = "";
		for (let i = 0; i < 100_000; i++) {
			const login = await store.login({ sub: "flood", trace: "T", sid: `s${i}` });
			if (i === 0) first = login.refreshToken;
			last = login.refreshToken;
			t += 10;
		}
		t -= 10;
		store.sweep();
		// before: 100 000 families kept for 24 h (~117 MiB) with 50 live.
		// Evictions at logins 87 500…99 999 are within AT TTL + leeway (125 s = 12 500 × 10 ms).
		expect(store.stats()).toEqual({
			families: 50,
			users: 1,
			denylist: 12_500,
			tombstones: 50,
		});
		expect((await store.listSessions("flood")).length).toBe(50);
		// the newest family still rotates; the first one's tombstone was dropped long ago
		expect((await store.rotate(last, { trace: "T" })).generation).toBe(1);
		await expect(store.rotate(first, { trace: "T" })).rejects.toBeInstanceOf(RefreshInvalidError);
		// once the denylist window has passed, only live families and their tombstones remain
		t += 125_001;
		store.sweep();
		expect(store.stats()).toEqual({ families: 50, users: 1, denylist: 0, tombstones: 50 });
	}, 120_000);

	it("revoked, logged-out, reused and logged-out-everywhere families are deleted at once; the tombstone keeps the exact error", async () => {
		const t = Date.UTC(2026, 6, 1);
		const store = new MemoryStore({ now: () => t, graceMs: 0, maxSessionsPerUser: 3 });
		const [a, b, c] = [
			await store.login({ sub: "u", trace: "T", sid: "a" }),
			await store.login({ sub: "u", trace: "T", sid: "b" }),
			await store.login({ sub: "u", trace: "T", sid: "c" }),
		];
		expect(store.stats()).toEqual({ families: 3, users: 1, denylist: 0, tombstones: 0 });
		expect(await store.logout(a.refreshToken)).toEqual({ revoked: true });
		expect(store.stats()).toEqual({ families: 2, users: 1, denylist: 1, tombstones: 1 });
		expect(await store.revokeSession({ sub: "u", sid: "b" })).toBe(true);
		expect(store.stats()).toEqual({ families: 1, users: 1, denylist: 2, tombstones: 2 });
		const c1 = await store.rotate(c.refreshToken, { trace: "T" });
		await expect(store.rotate(c.refreshToken, { trace: "T" })).rejects.toBeInstanceOf(
			RefreshReusedError,
		);
		expect(store.stats()).toEqual({ families: 0, users: 1, denylist: 3, tombstones: 3 });
		for (const rt of [a.refreshToken, b.refreshToken, c1.refreshToken]) {
			await expect(store.rotate(rt, { trace: "T" })).rejects.toMatchObject({
				name: "SessionRevokedError",
				code: "ERR_STORE_SESSION_REVOKED",
			});
		}
		const d = await store.login({ sub: "u", trace: "T", sid: "d" });
		expect((await store.logoutAll("u")).revoked).toBe(1);
		// the cap (3) bounds the tombstones: a's, the oldest, was dropped for d's
		expect(store.stats()).toEqual({ families: 0, users: 1, denylist: 4, tombstones: 3 });
		await expect(store.rotate(d.refreshToken, { trace: "T" })).rejects.toBeInstanceOf(
			SessionRevokedError,
		);
		await expect(store.rotate(a.refreshToken, { trace: "T" })).rejects.toBeInstanceOf(
			RefreshInvalidError,
		);
		const dump = store.dump() as { families: unknown[]; users: { graves: [string, unknown][] }[] };
		expect(dump.families).toEqual([]);
		expect(dump.users[0]?.graves.map(([fid]) => fid)).toEqual([b.familyId, c.familyId, d.familyId]);
	});

	it("revoking an unknown sid writes nothing (before: a user and a denylist entry per call)", async () => {
		const store = new MemoryStore();
		for (let i = 0; i < 1000; i++) {
			expect(await store.revokeSession({ sub: `nobody-${i}`, sid: `s${i}` })).toBe(false);
		}
		expect(store.stats()).toEqual({ families: 0, users: 0, denylist: 0, tombstones: 0 });
		expect(store.dump()).toEqual({ families: [], users: [], deny: [] });
	});

	it("a far-future exp is clamped to AT TTL + leeway instead of living (or failing) longer", async () => {
		let t = Date.UTC(2026, 7, 1);
		const store = new MemoryStore({ now: () => t, accessTokenTtlMs: 60_000, leewayMs: 1000 });
		const iat = t / 1000;
		const far = t / 1000 + 10 * 365 * 86_400;
		await store.denyJti({ sub: "u", id: "j", exp: far });
		await store.denySid({ sub: "u", id: "s", exp: Number.MAX_SAFE_INTEGER });
		const login = await store.login({ sub: "u", trace: "T" });
		await store.logout(login.refreshToken, { accessToken: { jti: "j2", exp: far } });
		t += 60_999;
		expect(await store.isRevoked({ sub: "u", jti: "j", iat })).toEqual({
			revoked: true,
			reason: "jti",
		});
		expect(await store.isRevoked({ sub: "u", sid: "s", iat })).toEqual({
			revoked: true,
			reason: "sid",
		});
		expect(await store.isRevoked({ sub: "u", jti: "j2", iat })).toEqual({
			revoked: true,
			reason: "jti",
		});
		t += 2;
		for (const q of [{ jti: "j" }, { sid: "s" }, { jti: "j2" }]) {
			expect(await store.isRevoked({ sub: "u", iat, ...q })).toEqual({
				revoked: false,
				reason: null,
			});
		}
	});
});
