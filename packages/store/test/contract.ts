// The ONE contract suite, run against every adapter (memory.test.ts, redis.test.ts).
// STO-xx rows of SECURITY-CATALOG.md are named in the test titles.
import { describe, expect, it } from "vitest";
import type { SessionStore, StoreEvent, StoreEventType } from "../src/index";
import { parseRefreshToken } from "../src/index";
import type { StoreOptions } from "../src/options";

export interface Harness {
	/** A new store instance with its own (empty) state. */
	make(options?: StoreOptions): Promise<SessionStore>;
	/** A second instance (other client for Redis) sharing `store`'s state and options. */
	peer(store: SessionStore): Promise<SessionStore>;
	/** Lets store time pass (fake clock for memory, real sleep for Redis). */
	advance(ms: number): Promise<void>;
	/** Every key and value the store holds, as one string. */
	dump(store: SessionStore): Promise<string>;
	/** Removes a family from the user's index only (simulates a lost index entry). */
	dropFromIndex(store: SessionStore, sub: string, familyId: string): Promise<void>;
	/** The app clock (ms) the store uses for denylist lifetimes. */
	appNow(): number;
}

async function code(p: Promise<unknown>): Promise<string> {
	try {
		await p;
		return "ok";
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
}

const EVENT_TYPES: readonly StoreEventType[] = [
	"login",
	"refresh",
	"refresh.reuse_detected",
	"revoke",
	"evict",
	"logout_all",
];

/** Subscribes to every audit event type with `store.on` and records `{ type, ...payload }`. */
function record(store: SessionStore, into: StoreEvent[]): void {
	for (const type of EVENT_TYPES) {
		store.on(type, (payload) => into.push({ type, ...payload } as StoreEvent));
	}
}

/**
 * A dump without RedisStore's attempt records (`…}:a:<id>` and the value line after it): they
 * are idempotency bookkeeping of logins, rotations and logout-everywhere, not state, and one
 * written by an earlier login may expire (timeoutMs + 1 s) between two dumps.
 */
function withoutAttempts(dump: string): string {
	const lines = dump.split("\n");
	const out: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		if (/\}:a:[A-Za-z0-9_-]+$/.test(lines[i] as string)) i++;
		else out.push(lines[i] as string);
	}
	return out.join("\n");
}

function tally(codes: string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const c of codes) out[c] = (out[c] ?? 0) + 1;
	return out;
}

export function contractSuite(name: string, h: Harness): void {
	describe(`SessionStore contract: ${name}`, () => {
		it("login issues a generation-0 xrt1 token; rotate returns generation 1 with the family state", async () => {
			const store = await h.make();
			const login = await store.login({
				sub: "alice",
				trace: "T1",
				sid: "sid-a",
				authTime: Math.floor(h.appNow() / 1000) - 5,
			});
			expect(login.refreshToken).toMatch(/^xrt1\.[A-Za-z0-9_-]{40}\.0\.[A-Za-z0-9_-]{64}$/);
			expect(login.refreshToken.length).toBeLessThanOrEqual(200);
			expect(parseRefreshToken(login.refreshToken)).toEqual({
				familyId: login.familyId,
				generation: 0,
			});
			expect(login.sid).toBe("sid-a");
			expect(login.generation).toBe(0);
			expect(login.evicted).toEqual([]);
			expect(login.absoluteExpiresAt - login.authTime * 1000).toBe(7 * 86400_000);
			expect(login.idleExpiresAt - login.createdAt).toBe(86400_000);
			expect(login.maxAgeMs).toBe(86_400_000);
			const next = await store.rotate(login.refreshToken, { trace: "T1" });
			expect(next.replay).toBe(false);
			expect(next.generation).toBe(1);
			expect(parseRefreshToken(next.refreshToken)).toEqual({
				familyId: login.familyId,
				generation: 1,
			});
			expect(next).toMatchObject({
				sub: "alice",
				sid: "sid-a",
				trace: "T1",
				authTime: login.authTime,
				absoluteExpiresAt: login.absoluteExpiresAt,
			});
			const third = await store.rotate(next.refreshToken, { trace: "T1" });
			expect(third.generation).toBe(2);
		});

		it("STO-01 token at rest: 1 000 tokens, none stored raw (hash only), 256 random bits each", async () => {
			const store = await h.make();
			const tokens: string[] = [];
			for (let u = 0; u < 20; u++) {
				const batch = await Promise.all(
					Array.from({ length: 25 }, (_, i) => store.login({ sub: `user-${u}`, trace: `t-${i}` })),
				);
				const rotated = await Promise.all(
					batch.map((b, i) => store.rotate(b.refreshToken, { trace: `t-${i}` })),
				);
				tokens.push(...batch.map((b) => b.refreshToken), ...rotated.map((r) => r.refreshToken));
			}
			expect(tokens.length).toBe(1000);
			const dump = await h.dump(store);
			expect(dump.length).toBeGreaterThan(1000);
			const secrets = tokens.map((t) => t.split(".")[3] as string);
			for (const [i, t] of tokens.entries()) {
				expect(dump.includes(t)).toBe(false);
				expect(dump.includes((secrets[i] as string).slice(0, 24))).toBe(false);
			}
			// entropy: all distinct, and the 256 random bits of each secret are balanced overall
			expect(new Set(secrets).size).toBe(1000);
			let ones = 0;
			for (const s of secrets) {
				const bytes = Buffer.from(s, "base64url").subarray(0, 32);
				expect(bytes.length).toBe(32);
				for (const b of bytes) for (let k = 0; k < 8; k++) ones += (b >> k) & 1;
			}
			// 256 000 fair bits: mean 128 000, sd 253; ±3 000 is > 11 sd
			expect(Math.abs(ones - 128_000)).toBeLessThan(3_000);
		});

		it("STO-02 reuse: RT1 after RT2 exists revokes the whole family, denylists its sid, emits an event", async () => {
			const events: StoreEvent[] = [];
			const store = await h.make({ graceMs: 0 });
			record(store, events);
			const rt1 = await store.login({ sub: "bob", trace: "T", sid: "sid-bob" });
			const rt2 = await store.rotate(rt1.refreshToken, { trace: "T" });
			expect(await code(store.rotate(rt1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_REUSED",
			);
			expect(await code(store.rotate(rt2.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			const iat = Math.floor(h.appNow() / 1000);
			expect(await store.isRevoked({ sub: "bob", sid: "sid-bob", jti: "j1", iat })).toEqual({
				revoked: true,
				reason: "sid",
			});
			expect(await store.listSessions("bob")).toEqual([]);
			const reuse = events.find((e) => e.type === "refresh.reuse_detected");
			expect(reuse).toMatchObject({
				sub: "bob",
				sid: "sid-bob",
				familyId: rt1.familyId,
				generation: 0,
				reason: "reuse",
			});
			expect(reuse?.tokenHashPrefix).toMatch(/^[0-9a-f]{8}$/);
			const text = JSON.stringify(events);
			expect(text.includes(rt1.refreshToken.split(".")[3] as string)).toBe(false);
			expect(text.includes(rt2.refreshToken.split(".")[3] as string)).toBe(false);
			// a control family of the same user is untouched
			const other = await store.login({ sub: "bob", trace: "T" });
			expect((await store.rotate(other.refreshToken, { trace: "T" })).generation).toBe(1);
		});

		it("replay of every ancestor is detected (each in its own family)", async () => {
			const store = await h.make();
			for (let ancestor = 0; ancestor < 4; ancestor++) {
				const chain = [(await store.login({ sub: "carol", trace: "T" })).refreshToken];
				for (let g = 1; g <= 5; g++)
					chain.push((await store.rotate(chain[g - 1] as string, { trace: "T" })).refreshToken);
				// generations 0..3 are older than the immediate predecessor (4) of the current (5)
				expect(await code(store.rotate(chain[ancestor] as string, { trace: "T" }))).toBe(
					"ERR_STORE_REFRESH_REUSED",
				);
				expect(await code(store.rotate(chain[5] as string, { trace: "T" }))).toBe(
					"ERR_STORE_SESSION_REVOKED",
				);
			}
		});

		it("forged ids cannot trigger revocation; malformed tokens are refused before the store", async () => {
			const store = await h.make();
			const victim = await store.login({ sub: "dave", trace: "T" });
			const next = await store.rotate(victim.refreshToken, { trace: "T" });
			const fakeSecret = "A".repeat(64);
			for (const gen of [0, 1, 2, 7]) {
				const forged = `xrt1.${victim.familyId}.${gen}.${fakeSecret}`;
				expect(await code(store.rotate(forged, { trace: "T" }))).toBe("ERR_STORE_REFRESH_INVALID");
				expect(await store.logout(forged)).toEqual({ revoked: false });
			}
			// secret of the current token with a flipped last char (tag broken)
			const s = next.refreshToken;
			const flipped = s.slice(0, -1) + (s.endsWith("A") ? "B" : "A");
			expect(await code(store.rotate(flipped, { trace: "T" }))).toBe("ERR_STORE_REFRESH_INVALID");
			expect((await store.rotate(next.refreshToken, { trace: "T" })).generation).toBe(2);
			for (const bad of [
				"",
				"xrt1",
				`xrt2.${victim.familyId}.0.${fakeSecret}`,
				`xrt1.${victim.familyId}.01.${fakeSecret}`,
				`xrt1.${victim.familyId}.-1.${fakeSecret}`,
				`xrt1.${victim.familyId}.0.${fakeSecret}=`,
				`xrt1.${victim.familyId}.0.${"+".repeat(64)}`,
				`xrt1.${victim.familyId}.1234567890.${fakeSecret}`,
				`${s} `,
				"x".repeat(201),
				`xrt1.${victim.familyId}.0.${fakeSecret}${"A".repeat(100)}`,
			]) {
				expect(await code(store.rotate(bad, { trace: "T" }))).toBe("ERR_STORE_REFRESH_MALFORMED");
				expect(await store.logout(bad)).toEqual({ revoked: false });
			}
			expect(await code(store.rotate(42 as unknown as string, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_MALFORMED",
			);
		});

		it("STO-04 grace: same trace within W replays the SAME successor (≤ 3 times); after W or another trace revokes", async () => {
			const store = await h.make({ graceMs: 1000 });
			// within W, same trace: benign, same successor, no family kill
			const a = await store.login({ sub: "erin", trace: "T" });
			const a1 = await store.rotate(a.refreshToken, { trace: "T" });
			const replays = [];
			for (let i = 0; i < 3; i++) replays.push(await store.rotate(a.refreshToken, { trace: "T" }));
			for (const r of replays) {
				expect(r.replay).toBe(true);
				expect(r.refreshToken).toBe(a1.refreshToken);
				expect(r.generation).toBe(1);
			}
			// a 4th replay exceeds the cap: treated as reuse
			expect(await code(store.rotate(a.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_REUSED",
			);
			expect(await code(store.rotate(a1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			// within W, successor stays usable after a replay
			const b = await store.login({ sub: "erin", trace: "T" });
			const b1 = await store.rotate(b.refreshToken, { trace: "T" });
			expect((await store.rotate(b.refreshToken, { trace: "T" })).refreshToken).toBe(
				b1.refreshToken,
			);
			expect((await store.rotate(b1.refreshToken, { trace: "T" })).generation).toBe(2);
			// within W, another trace: family revoked
			const c = await store.login({ sub: "erin", trace: "T" });
			const c1 = await store.rotate(c.refreshToken, { trace: "T" });
			expect(await code(store.rotate(c.refreshToken, { trace: "OTHER" }))).toBe(
				"ERR_STORE_REFRESH_REUSED",
			);
			expect(await code(store.rotate(c1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			// after W: family revoked
			const d = await store.login({ sub: "erin", trace: "T" });
			const d1 = await store.rotate(d.refreshToken, { trace: "T" });
			await h.advance(1300);
			expect(await code(store.rotate(d.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_REUSED",
			);
			expect(await code(store.rotate(d1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
		});

		it("trace binding of the current token: reject | revoke-family | allow", async () => {
			const reject = await h.make();
			const r = await reject.login({ sub: "frank", trace: "T" });
			const e1 = await reject.rotate(r.refreshToken, { trace: "X" }).catch((e: unknown) => e);
			expect(e1).toMatchObject({
				code: "ERR_STORE_TRACE_MISMATCH",
				familyRevoked: false,
				status: 401,
			});
			expect((await reject.rotate(r.refreshToken, { trace: "T" })).generation).toBe(1);

			const revoke = await h.make({ traceMismatch: "revoke-family" });
			const v = await revoke.login({ sub: "frank", trace: "T" });
			const e2 = await revoke.rotate(v.refreshToken, { trace: "X" }).catch((e: unknown) => e);
			expect(e2).toMatchObject({ code: "ERR_STORE_TRACE_MISMATCH", familyRevoked: true });
			expect(await code(revoke.rotate(v.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);

			const allow = await h.make({ traceMismatch: "allow" });
			const w = await allow.login({ sub: "frank", trace: "T" });
			expect((await allow.rotate(w.refreshToken, { trace: "X" })).generation).toBe(1);
		});

		it("STO-03 race: 100 parallel rotations (two instances) give exactly one new generation + 3 grace replays", async () => {
			const store = await h.make();
			const peer = await h.peer(store);
			const login = await store.login({ sub: "gina", trace: "T" });
			const results = await Promise.allSettled(
				Array.from({ length: 100 }, (_, i) =>
					(i % 2 === 0 ? store : peer).rotate(login.refreshToken, { trace: "T" }),
				),
			);
			const ok = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
			const fresh = ok.filter((r) => !r.replay);
			const replays = ok.filter((r) => r.replay);
			expect(fresh.length).toBe(1);
			expect(replays.length).toBe(3);
			for (const r of ok) {
				expect(r.generation).toBe(1);
				expect(r.refreshToken).toBe(fresh[0]?.refreshToken);
			}
			const codes = tally(
				results.flatMap((r) =>
					r.status === "rejected" ? [(r.reason as { code: string }).code] : [],
				),
			);
			// the 5th presentation exceeds the replay cap (reuse: family revoked); the rest see it revoked
			expect(codes).toEqual({ ERR_STORE_REFRESH_REUSED: 1, ERR_STORE_SESSION_REVOKED: 95 });
			// never two live children: the one successor is dead too
			expect(await code(store.rotate(fresh[0]?.refreshToken as string, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
		});

		it("STO-03 race without grace: 20 parallel rotations, exactly one winner", async () => {
			const store = await h.make({ graceMs: 0 });
			const peer = await h.peer(store);
			const login = await store.login({ sub: "gina", trace: "T" });
			const codes = await Promise.all(
				Array.from({ length: 20 }, (_, i) =>
					code((i % 2 ? store : peer).rotate(login.refreshToken, { trace: "T" })),
				),
			);
			expect(tally(codes)).toEqual({
				ok: 1,
				ERR_STORE_REFRESH_REUSED: 1,
				ERR_STORE_SESSION_REVOKED: 18,
			});
		});

		it("50 concurrent logins of one user lose no index entry; the 51st evicts the least recently used", async () => {
			const events: StoreEvent[] = [];
			const store = await h.make();
			record(store, events);
			const peer = await h.peer(store);
			const logins = await Promise.all(
				Array.from({ length: 50 }, (_, i) =>
					(i % 2 ? store : peer).login({ sub: "hank", trace: "T", sid: `s${i}` }),
				),
			);
			const list = await store.listSessions("hank");
			expect(list.length).toBe(50);
			expect(new Set(list.map((s) => s.sid))).toEqual(new Set(logins.map((l) => l.sid)));
			for (let i = 1; i < list.length; i++) {
				expect((list[i - 1] as { lastUsedAt: number }).lastUsedAt).toBeGreaterThanOrEqual(
					(list[i] as { lastUsedAt: number }).lastUsedAt,
				);
			}
			// the least recently used entry (ties: smallest family id) is the one evicted
			const oldest = list[list.length - 1]?.sid as string;
			const victim = logins.find((l) => l.sid === oldest) as (typeof logins)[number];
			await h.advance(5);
			const extra = await store.login({ sub: "hank", trace: "T", sid: "s50" });
			expect(extra.evicted).toEqual([oldest]);
			expect(events.filter((e) => e.type === "evict").map((e) => e.sid)).toEqual([oldest]);
			expect(await code(store.rotate(victim.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			expect((await store.listSessions("hank")).length).toBe(50);
		});

		it("a revoke racing a refresh never resurrects the family", async () => {
			const store = await h.make();
			const peer = await h.peer(store);
			for (let i = 0; i < 10; i++) {
				const login = await store.login({ sub: "ivy", trace: "T", sid: `r${i}` });
				const [rot, out] = await Promise.allSettled([
					store.rotate(login.refreshToken, { trace: "T" }),
					i % 2
						? peer.logout(login.refreshToken)
						: peer.revokeSession({ sub: "ivy", sid: `r${i}` }),
				]);
				expect(out.status).toBe("fulfilled");
				if (rot.status === "fulfilled") {
					expect(await code(store.rotate(rot.value.refreshToken, { trace: "T" }))).toBe(
						"ERR_STORE_SESSION_REVOKED",
					);
				} else {
					expect((rot.reason as { code: string }).code).toBe("ERR_STORE_SESSION_REVOKED");
				}
			}
			expect(await store.listSessions("ivy")).toEqual([]);
		});

		it("idle timeout slides with each rotation and ends the family", async () => {
			const store = await h.make({ idleTimeoutMs: 2000, absoluteTimeoutMs: 60_000 });
			const login = await store.login({ sub: "jack", trace: "T" });
			await h.advance(1200);
			const r1 = await store.rotate(login.refreshToken, { trace: "T" });
			await h.advance(1200); // 2.4 s after login, 1.2 s after the last use
			const r2 = await store.rotate(r1.refreshToken, { trace: "T" });
			expect(r2.idleExpiresAt).toBeGreaterThan(r1.idleExpiresAt);
			await h.advance(2300);
			expect(await code(store.rotate(r2.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_IDLE_EXPIRED",
			);
			expect(await store.listSessions("jack")).toEqual([]);
		});

		it("absolute timeout counts from auth_time and is never extended", async () => {
			const store = await h.make({ idleTimeoutMs: 60_000, absoluteTimeoutMs: 2000 });
			const login = await store.login({ sub: "kate", trace: "T" });
			await h.advance(900);
			const r1 = await store.rotate(login.refreshToken, { trace: "T" });
			expect(r1.absoluteExpiresAt).toBe(login.absoluteExpiresAt);
			// ms left until the absolute deadline, counted from the rotation (idle deadline − 60 s)
			expect(r1.maxAgeMs).toBe(r1.absoluteExpiresAt - (r1.idleExpiresAt - 60_000));
			expect(r1.maxAgeMs).toBeLessThanOrEqual(1100);
			await h.advance(1300);
			expect(await code(store.rotate(r1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_REFRESH_ABSOLUTE_EXPIRED",
			);
			// a future auth_time is clamped to now: it never extends the absolute deadline
			const future = await store.login({
				sub: "kate",
				trace: "T",
				authTime: Math.floor(h.appNow() / 1000) + 3600,
			});
			expect(future.absoluteExpiresAt - future.createdAt).toBe(2000);
			// a login with an auth_time older than the absolute timeout is refused
			const old = Math.floor(h.appNow() / 1000) - 10;
			expect(await code(store.login({ sub: "kate", trace: "T", authTime: old }))).toBe(
				"ERR_STORE_REFRESH_ABSOLUTE_EXPIRED",
			);
		});

		it("logout follows RFC 7009 and denylists the sid and the access token", async () => {
			const events: StoreEvent[] = [];
			const store = await h.make();
			record(store, events);
			const login = await store.login({ sub: "liam", trace: "T", sid: "sid-liam" });
			const r1 = await store.rotate(login.refreshToken, { trace: "T" });
			const exp = Math.floor(h.appNow() / 1000) + 100;
			expect(await store.logout(r1.refreshToken, { accessToken: { jti: "jti-1", exp } })).toEqual({
				revoked: true,
			});
			expect(await store.logout(r1.refreshToken)).toEqual({ revoked: false });
			expect(await store.logout("not-a-token")).toEqual({ revoked: false });
			expect(await code(store.rotate(r1.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			const iat = Math.floor(h.appNow() / 1000);
			expect(await store.isRevoked({ sub: "liam", jti: "jti-1", iat })).toEqual({
				revoked: true,
				reason: "jti",
			});
			expect(await store.isRevoked({ sub: "liam", sid: "sid-liam", iat })).toEqual({
				revoked: true,
				reason: "sid",
			});
			expect(await store.isRevoked({ sub: "liam", jti: "jti-2", sid: "other", iat })).toEqual({
				revoked: false,
				reason: null,
			});
			expect(events.filter((e) => e.type === "revoke")).toMatchObject([
				{ sid: "sid-liam", reason: "logout" },
			]);
		});

		it("STO-09 logout-all: 3 devices on 2 instances, one call revokes everything everywhere", async () => {
			const store = await h.make();
			const peer = await h.peer(store);
			const devices = [
				await store.login({ sub: "mia", trace: "A", sid: "d1" }),
				await peer.login({ sub: "mia", trace: "B", sid: "d2" }),
				await store.login({ sub: "mia", trace: "C", sid: "d3" }),
			];
			const rotated = await peer.rotate(devices[0]?.refreshToken as string, { trace: "A" });
			const iatBefore = Math.floor(h.appNow() / 1000);
			await h.advance(5);
			const out = await store.logoutAll("mia");
			expect(out.revoked).toBe(3);
			expect(await peer.listSessions("mia")).toEqual([]);
			for (const [rt, trace] of [
				[rotated.refreshToken, "A"],
				[devices[1]?.refreshToken, "B"],
				[devices[2]?.refreshToken, "C"],
			] as const) {
				expect(await code(peer.rotate(rt as string, { trace }))).toBe("ERR_STORE_SESSION_REVOKED");
			}
			expect(await peer.isRevoked({ sub: "mia", sid: "fresh", iat: iatBefore })).toMatchObject({
				revoked: true,
			});
			// after the epoch, new logins work and their access tokens pass
			await h.advance(1100);
			const again = await peer.login({ sub: "mia", trace: "A" });
			expect((await store.rotate(again.refreshToken, { trace: "A" })).generation).toBe(1);
			expect(
				await store.isRevoked({ sub: "mia", sid: again.sid, iat: Math.floor(h.appNow() / 1000) }),
			).toEqual({ revoked: false, reason: null });
		});

		it("logout-all kills a family missing from the index at its next refresh; exceptSid keeps the current one", async () => {
			const store = await h.make();
			const lost = await store.login({ sub: "noah", trace: "T", sid: "lost" });
			const current = await store.login({ sub: "noah", trace: "T", sid: "current" });
			await h.dropFromIndex(store, "noah", lost.familyId);
			await h.advance(5);
			const out = await store.logoutAll("noah", { exceptSid: "current" });
			expect(out.revoked).toBe(0);
			const iat = Math.floor(h.appNow() / 1000) - 1;
			expect(await store.isRevoked({ sub: "noah", sid: "current", iat })).toEqual({
				revoked: false,
				reason: null,
			});
			expect(await store.isRevoked({ sub: "noah", sid: "lost", iat })).toEqual({
				revoked: true,
				reason: "epoch",
			});
			expect(await code(store.rotate(lost.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			expect((await store.rotate(current.refreshToken, { trace: "T" })).generation).toBe(1);
			// the lost family died at its refresh, so its sid is now denylisted too
			expect(await store.isRevoked({ sub: "noah", sid: "lost", iat })).toEqual({
				revoked: true,
				reason: "sid",
			});
			expect((await store.listSessions("noah")).map((s) => s.sid)).toEqual(["current"]);
		});

		it("revokeSession ends one session by sid and denylists the sid; an unknown sid writes nothing", async () => {
			const store = await h.make();
			const a = await store.login({ sub: "olga", trace: "T", sid: "a" });
			const b = await store.login({ sub: "olga", trace: "T", sid: "b" });
			expect(await store.revokeSession({ sub: "olga", sid: "a" })).toBe(true);
			expect(await store.revokeSession({ sub: "olga", sid: "a" })).toBe(false);
			expect(await store.revokeSession({ sub: "olga", sid: "never" })).toBe(false);
			expect(await code(store.rotate(a.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			expect((await store.rotate(b.refreshToken, { trace: "T" })).generation).toBe(1);
			const iat = Math.floor(h.appNow() / 1000);
			expect(await store.isRevoked({ sub: "olga", sid: "a", iat })).toEqual({
				revoked: true,
				reason: "sid",
			});
			// @see issue 12 §4: before, an unknown sid was denylisted (a write per call)
			expect(await store.isRevoked({ sub: "olga", sid: "never", iat })).toEqual({
				revoked: false,
				reason: null,
			});
			const before = withoutAttempts(await h.dump(store));
			expect(await store.revokeSession({ sub: "olga", sid: "never-2" })).toBe(false);
			expect(await store.revokeSession({ sub: "nobody", sid: "never-3" })).toBe(false);
			expect(withoutAttempts(await h.dump(store))).toBe(before);
			expect(await store.isRevoked({ sub: "olga", sid: "b", iat })).toEqual({
				revoked: false,
				reason: null,
			});
			// another user's sid of the same name is not affected
			expect(await store.isRevoked({ sub: "other", sid: "a", iat })).toEqual({
				revoked: false,
				reason: null,
			});
		});

		it("listSessions: sorted by last use, coarse client info, current flag, limit", async () => {
			const store = await h.make();
			const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
			const first = await store.login({
				sub: "pia",
				trace: "T",
				sid: "one",
				client: { userAgent: ua, ip: "203.0.113.77" },
			});
			await h.advance(5);
			await store.login({ sub: "pia", trace: "T", sid: "two", client: { ip: "2001:db8:1:2::9" } });
			await h.advance(5);
			await store.rotate(first.refreshToken, { trace: "T" });
			const list = await store.listSessions("pia", { currentSid: "two" });
			expect(list.map((s) => [s.sid, s.current])).toEqual([
				["one", false],
				["two", true],
			]);
			expect(list[0]).toMatchObject({
				browser: "Firefox",
				os: "Linux",
				ipPrefix: "203.0.113.0/24",
				familyId: first.familyId,
			});
			expect(list[1]).toMatchObject({
				browser: undefined,
				os: undefined,
				ipPrefix: "2001:db8:1::/48",
			});
			expect(JSON.stringify(list).includes("203.0.113.77")).toBe(false);
			expect((await store.listSessions("pia", { limit: 1 })).map((s) => s.sid)).toEqual(["one"]);
			expect(await code(store.listSessions("pia", { limit: 101 }))).toBe("ERR_STORE_INPUT_INVALID");
		});

		it("STO-07 denylist TTL: a jti entry lives until exp + leeway, then expires", async () => {
			const store = await h.make({ leewayMs: 2000 });
			const exp = Math.floor(h.appNow() / 1000) + 1;
			await store.denyJti({ sub: "quinn", id: "jti-q", exp });
			const iat = exp - 120;
			expect(await store.isRevoked({ sub: "quinn", jti: "jti-q", iat })).toEqual({
				revoked: true,
				reason: "jti",
			});
			const until = (exp + 2) * 1000;
			await h.advance(Math.max(0, until - h.appNow() - 600));
			expect(await store.isRevoked({ sub: "quinn", jti: "jti-q", iat })).toEqual({
				revoked: true,
				reason: "jti",
			});
			await h.advance(Math.max(0, until - h.appNow()) + 100);
			expect(await store.isRevoked({ sub: "quinn", jti: "jti-q", iat })).toEqual({
				revoked: false,
				reason: null,
			});
			// an already expired token needs no entry
			await store.denySid({ sub: "quinn", id: "s", exp: exp - 100 });
			expect(await store.isRevoked({ sub: "quinn", sid: "s", iat })).toEqual({
				revoked: false,
				reason: null,
			});
		});

		it("a login reusing a live sid replaces that family", async () => {
			const events: StoreEvent[] = [];
			const store = await h.make();
			record(store, events);
			const a = await store.login({ sub: "rex", trace: "T", sid: "same" });
			const b = await store.login({ sub: "rex", trace: "T", sid: "same" });
			expect(await code(store.rotate(a.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_SESSION_REVOKED",
			);
			expect((await store.rotate(b.refreshToken, { trace: "T" })).generation).toBe(1);
			expect(events.find((e) => e.type === "revoke")).toMatchObject({
				familyId: a.familyId,
				reason: "replaced",
			});
			expect((await store.listSessions("rex")).map((s) => s.familyId)).toEqual([b.familyId]);
		});

		it("typed input errors, and no error message carries a token", async () => {
			const store = await h.make();
			expect(await code(store.login({ sub: "", trace: "T" }))).toBe("ERR_STORE_INPUT_INVALID");
			expect(await code(store.login({ sub: "x".repeat(257), trace: "T" }))).toBe(
				"ERR_STORE_INPUT_INVALID",
			);
			expect(await code(store.login({ sub: "s", trace: "T", authTime: 1.5 }))).toBe(
				"ERR_STORE_INPUT_INVALID",
			);
			expect(await code(store.isRevoked({ sub: "s", iat: Number.NaN }))).toBe(
				"ERR_STORE_INPUT_INVALID",
			);
			const login = await store.login({ sub: "sam", trace: "T" });
			expect(await code(store.rotate(login.refreshToken, { trace: "" }))).toBe(
				"ERR_STORE_INPUT_INVALID",
			);
			const messages: string[] = [];
			const next = await store.rotate(login.refreshToken, { trace: "T" });
			for (const attempt of [
				() => store.rotate(login.refreshToken, { trace: "X" }),
				() => store.rotate(`${next.refreshToken}x`, { trace: "T" }),
				() => store.rotate(next.refreshToken, { trace: "X" }),
			]) {
				await attempt().catch((e: Error) => messages.push(e.message, String(e.stack)));
			}
			expect(messages.length).toBe(6);
			for (const m of messages) {
				expect(m.includes(login.refreshToken.split(".")[3] as string)).toBe(false);
				expect(m.includes(next.refreshToken.split(".")[3] as string)).toBe(false);
			}
		});
	});
}
