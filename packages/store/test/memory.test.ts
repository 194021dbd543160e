import { describe, expect, it } from "vitest";
import type { SessionStore } from "../src/index";
import { MemoryStore, StoreConfigError } from "../src/index";
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
