/**
 * The in-memory store: the embedded default for one process. No dependencies, Web Crypto
 * only (runs on Node, Bun, Deno and edge runtimes). Every state change is one synchronous
 * critical section, so concurrent calls in one process serialise exactly as the Redis
 * scripts do. Expiry is lazy plus a sweep at most once per minute of store time.
 *
 * Import from `@xshl/session-store`.
 *
 * @module
 */
import * as z from "zod";
import type { RevocationReason } from "./contract";
import type {
	Backend,
	FamilyRow,
	LoginArgs,
	LoginReply,
	RotateArgs,
	RotateReply,
} from "./internal/base-store";
import { StoreBase } from "./internal/base-store";
import { randomBytes, timingSafeEqualText } from "./internal/crypto";
import { parseStoreOptions, type StoreOptions } from "./options";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions extends StoreOptions {
	/**
	 * The clock, ms since the epoch (inject a fake one in tests).
	 * @default Date.now
	 */
	now?: () => number;
}

/** Families linger this long past their deadline so the exact reason can be reported. */
const LINGER_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;

interface Family extends FamilyRow {
	uTag: string;
	/** epoch-comparison time (createdAt, or the logout-all time for the excepted session) */
	born: number;
	status: "active" | "revoked";
	cur: string;
	prev: string;
	rotatedAt: number;
	replays: number;
	sealed: string;
	expiresAt: number;
}

interface User {
	/** fid → lastUsedAt */
	index: Map<string, number>;
	/** sid → fid */
	sids: Map<string, { fid: string; expiresAt: number }>;
	epoch: { at: number; exceptSid: string; expiresAt: number } | undefined;
}

class MemoryBackend implements Backend {
	readonly now: () => number;
	readonly families: Map<string, Family> = new Map();
	readonly users: Map<string, User> = new Map();
	/** `<uTag>:j:<jti>` / `<uTag>:s:<sid>` → expiresAt */
	readonly denylist: Map<string, number> = new Map();
	#pepper: Uint8Array<ArrayBuffer>;
	#nextSweep = 0;

	constructor(now: () => number, pepper: Uint8Array<ArrayBuffer> | undefined) {
		this.now = now;
		this.#pepper = pepper ?? randomBytes(32);
	}

	appNow(): number {
		return this.now();
	}

	async pepper(): Promise<Uint8Array<ArrayBuffer>> {
		return this.#pepper;
	}

	#clock(): number {
		const now = this.now();
		if (now >= this.#nextSweep) {
			this.#nextSweep = now + SWEEP_EVERY_MS;
			this.sweep(now);
		}
		return now;
	}

	sweep(now: number): void {
		for (const [fid, f] of this.families) if (f.expiresAt <= now) this.families.delete(fid);
		for (const [k, exp] of this.denylist) if (exp <= now) this.denylist.delete(k);
		for (const [tag, u] of this.users) {
			for (const [fid] of u.index) if (!this.families.has(fid)) u.index.delete(fid);
			for (const [sid, v] of u.sids) if (v.expiresAt <= now) u.sids.delete(sid);
			if (u.epoch !== undefined && u.epoch.expiresAt <= now) u.epoch = undefined;
			if (u.index.size === 0 && u.sids.size === 0 && u.epoch === undefined) this.users.delete(tag);
		}
	}

	#user(uTag: string): User {
		let u = this.users.get(uTag);
		if (u === undefined) {
			u = { index: new Map(), sids: new Map(), epoch: undefined };
			this.users.set(uTag, u);
		}
		return u;
	}

	#family(fid: string, now: number): Family | undefined {
		const f = this.families.get(fid);
		if (f !== undefined && f.expiresAt <= now) {
			this.families.delete(fid);
			return undefined;
		}
		return f;
	}

	#denySet(key: string, ttlMs: number, now: number): void {
		const exp = now + ttlMs;
		const old = this.denylist.get(key);
		if (old === undefined || old < exp) this.denylist.set(key, exp);
	}

	#denied(key: string, now: number): boolean {
		const exp = this.denylist.get(key);
		return exp !== undefined && exp > now;
	}

	#revoke(f: Family, denySidMs: number, now: number): void {
		f.status = "revoked";
		f.cur = "";
		f.prev = "";
		f.sealed = "";
		const u = this.#user(f.uTag);
		u.index.delete(f.fid);
		if (u.sids.get(f.sid)?.fid === f.fid) u.sids.delete(f.sid);
		if (denySidMs > 0) this.#denySet(`${f.uTag}:s:${f.sid}`, denySidMs, now);
	}

	#dead(f: Family, now: number): boolean {
		return f.status !== "active" || now >= f.idleAt || now >= f.absAt;
	}

	async login(a: LoginArgs): Promise<LoginReply> {
		const now = this.#clock();
		const auth = Math.min(a.authTime ?? now, now); // a future auth_time never extends the cap
		const absAt = auth + a.absMs;
		if (absAt <= now)
			return { status: "absolute", now, row: undefined, evicted: [], replaced: undefined };
		const idleAt = now + a.idleMs;
		const expiresAt = Math.min(idleAt, absAt) + LINGER_MS;
		const u = this.#user(a.uTag);
		let replaced: string | undefined;
		const old = u.sids.get(a.sid);
		if (old !== undefined && old.expiresAt > now) {
			const of = this.#family(old.fid, now);
			if (of !== undefined && of.status === "active") {
				this.#revoke(of, 0, now);
				replaced = of.fid;
			}
		}
		const f: Family = {
			fid: a.fid,
			uTag: a.uTag,
			sub: a.sub,
			sid: a.sid,
			trace: a.trace,
			authTime: auth,
			createdAt: now,
			born: now,
			lastUsedAt: now,
			idleAt,
			absAt,
			gen: 0,
			browser: a.browser,
			os: a.os,
			ip: a.ip,
			status: "active",
			cur: a.hash,
			prev: "",
			rotatedAt: 0,
			replays: 0,
			sealed: "",
			expiresAt,
		};
		this.families.set(a.fid, f);
		u.sids.set(a.sid, { fid: a.fid, expiresAt });
		u.index.set(a.fid, now);
		// prune dead entries, then evict the least recently used beyond the cap
		const live: [string, number][] = [];
		for (const [fid, used] of u.index) {
			if (fid === a.fid) continue;
			const lf = this.#family(fid, now);
			if (lf === undefined || this.#dead(lf, now)) u.index.delete(fid);
			else live.push([fid, used]);
		}
		live.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
		const evicted: { fid: string; sid: string }[] = [];
		for (let i = 0; i < live.length + 1 - a.maxSessions; i++) {
			const ef = this.families.get((live[i] as [string, number])[0]) as Family;
			this.#revoke(ef, a.denySidMs, now);
			evicted.push({ fid: ef.fid, sid: ef.sid });
		}
		return { status: "ok", now, row: { ...f }, evicted, replaced };
	}

	async rotate(a: RotateArgs): Promise<RotateReply> {
		const now = this.#clock();
		const f = this.#family(a.fid, now);
		if (f === undefined || f.uTag !== a.uTag)
			return { status: "invalid", now, row: undefined, sealed: undefined };
		const reply = (status: RotateReply["status"], sealed?: string): RotateReply => ({
			status,
			now,
			row: { ...f },
			sealed,
		});
		if (f.status === "revoked") return reply("revoked");
		const u = this.#user(a.uTag);
		if (u.epoch !== undefined && u.epoch.expiresAt > now && f.born < u.epoch.at) {
			this.#revoke(f, a.denySidMs, now);
			return reply("epoch");
		}
		if (now >= f.absAt) return reply("absolute");
		if (now >= f.idleAt) return reply("idle");
		const sameTrace = a.traceMode === "allow" || timingSafeEqualText(a.trace, f.trace);
		if (a.gen === f.gen) {
			if (!timingSafeEqualText(a.hash, f.cur)) return reply("invalid");
			if (!sameTrace) {
				if (a.traceMode === "revoke-family") {
					this.#revoke(f, a.denySidMs, now);
					return reply("trace_revoked");
				}
				return reply("trace_mismatch");
			}
			f.gen += 1;
			f.prev = f.cur;
			f.cur = a.newHash;
			f.rotatedAt = now;
			f.replays = 0;
			f.sealed = a.sealed;
			f.lastUsedAt = now;
			f.idleAt = now + a.idleMs;
			f.expiresAt = Math.min(f.idleAt, f.absAt) + LINGER_MS;
			u.index.set(f.fid, now);
			const s = u.sids.get(f.sid);
			if (s !== undefined && s.fid === f.fid) s.expiresAt = f.expiresAt;
			return reply("rotated");
		}
		if (a.gen === f.gen - 1) {
			if (!timingSafeEqualText(a.hash, f.prev)) return reply("invalid");
			if (
				a.graceMs > 0 &&
				now - f.rotatedAt <= a.graceMs &&
				sameTrace &&
				f.replays < a.maxReplays
			) {
				f.replays += 1;
				return reply("grace", f.sealed);
			}
			this.#revoke(f, a.denySidMs, now);
			return reply("reused");
		}
		if (a.gen < f.gen - 1) {
			// authentic (its tag verified) and older than the predecessor: reuse
			this.#revoke(f, a.denySidMs, now);
			return reply("reused");
		}
		return reply("invalid");
	}

	async logout(a: {
		uTag: string;
		fid: string;
		denySidMs: number;
		jti: string | undefined;
		jtiTtlMs: number;
	}): Promise<{ now: number; revoked: { sub: string; sid: string } | undefined }> {
		const now = this.#clock();
		if (a.jti !== undefined && a.jtiTtlMs > 0)
			this.#denySet(`${a.uTag}:j:${a.jti}`, a.jtiTtlMs, now);
		const f = this.#family(a.fid, now);
		if (f === undefined || f.uTag !== a.uTag || f.status !== "active")
			return { now, revoked: undefined };
		this.#revoke(f, a.denySidMs, now);
		return { now, revoked: { sub: f.sub, sid: f.sid } };
	}

	async revokeSid(a: {
		uTag: string;
		sid: string;
		denySidMs: number;
	}): Promise<{ now: number; fid: string | undefined }> {
		const now = this.#clock();
		const u = this.#user(a.uTag);
		const m = u.sids.get(a.sid);
		this.#denySet(`${a.uTag}:s:${a.sid}`, a.denySidMs, now);
		if (m === undefined || m.expiresAt <= now) return { now, fid: undefined };
		const f = this.#family(m.fid, now);
		if (f === undefined || f.status !== "active") return { now, fid: undefined };
		this.#revoke(f, a.denySidMs, now);
		return { now, fid: f.fid };
	}

	async logoutAll(a: {
		uTag: string;
		exceptSid: string | undefined;
		epochTtlMs: number;
		denySidMs: number;
	}): Promise<{ now: number; revoked: { fid: string; sid: string }[] }> {
		const now = this.#clock();
		const u = this.#user(a.uTag);
		const expiresAt = Math.max(now + a.epochTtlMs + LINGER_MS, u.epoch?.expiresAt ?? 0);
		u.epoch = { at: now, exceptSid: a.exceptSid ?? "", expiresAt };
		let keep: string | undefined;
		if (a.exceptSid !== undefined) {
			const m = u.sids.get(a.exceptSid);
			const kf = m === undefined ? undefined : this.#family(m.fid, now);
			if (kf !== undefined && kf.status === "active") {
				kf.born = now;
				keep = kf.fid;
			}
		}
		const revoked: { fid: string; sid: string }[] = [];
		for (const fid of [...u.index.keys()]) {
			if (fid === keep) continue;
			const f = this.#family(fid, now);
			if (f === undefined || f.status !== "active") {
				u.index.delete(fid);
				continue;
			}
			this.#revoke(f, a.denySidMs, now);
			revoked.push({ fid, sid: f.sid });
		}
		return { now, revoked };
	}

	async list(a: { uTag: string; limit: number }): Promise<{ now: number; rows: FamilyRow[] }> {
		const now = this.#clock();
		const u = this.users.get(a.uTag);
		if (u === undefined) return { now, rows: [] };
		const epoch = u.epoch !== undefined && u.epoch.expiresAt > now ? u.epoch.at : undefined;
		const rows: FamilyRow[] = [];
		const ordered = [...u.index].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? 1 : -1));
		for (const [fid] of ordered) {
			const f = this.#family(fid, now);
			if (f === undefined || this.#dead(f, now) || (epoch !== undefined && f.born < epoch))
				continue;
			if (rows.length < a.limit) rows.push({ ...f });
		}
		return { now, rows };
	}

	async isRevoked(a: {
		uTag: string;
		jti: string | undefined;
		sid: string | undefined;
		iat: number;
	}): Promise<RevocationReason | null> {
		const now = this.now();
		if (a.jti !== undefined && this.#denied(`${a.uTag}:j:${a.jti}`, now)) return "jti";
		if (a.sid !== undefined && this.#denied(`${a.uTag}:s:${a.sid}`, now)) return "sid";
		const e = this.users.get(a.uTag)?.epoch;
		if (
			e !== undefined &&
			e.expiresAt > now &&
			a.iat * 1000 <= e.at &&
			(e.exceptSid === "" || e.exceptSid !== a.sid)
		) {
			return "epoch";
		}
		return null;
	}

	async deny(a: { uTag: string; kind: "jti" | "sid"; id: string; ttlMs: number }): Promise<void> {
		const now = this.#clock();
		this.#denySet(`${a.uTag}:${a.kind === "jti" ? "j" : "s"}:${a.id}`, a.ttlMs, now);
	}
}

const memoryShape = {
	now: z
		.custom<() => number>((v) => typeof v === "function", { message: "expected a function" })
		.optional(),
};

/**
 * The in-memory {@link SessionStore}: the embedded default for a single process.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@xshl/session-store'
 * const store = new MemoryStore({ preset: 'sensitive' })
 * const { refreshToken } = await store.login({ sub: 'u1', trace: 'trace-1' })
 * const next = await store.rotate(refreshToken, { trace: 'trace-1' })
 * ```
 */
export class MemoryStore extends StoreBase {
	/** @internal */
	protected readonly backend: MemoryBackend;

	/**
	 * @param options - timeouts, grace, caps, pepper, events and the clock; see {@link MemoryStoreOptions}.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` when an option is invalid.
	 */
	constructor(options?: MemoryStoreOptions) {
		const { settings, extra } = parseStoreOptions(memoryShape, options, "MemoryStore");
		super(settings);
		this.backend = new MemoryBackend(extra.now ?? Date.now, settings.pepper);
	}

	/**
	 * Drops expired families, denylist entries and empty users now (it also runs by itself at
	 * most once per minute of store time, on writes).
	 *
	 * @returns nothing.
	 *
	 * @example
	 * ```ts
	 * store.sweep()
	 * ```
	 */
	sweep(): void {
		this.backend.sweep(this.backend.now());
	}

	/**
	 * Counts what is held, for metrics and tests.
	 *
	 * @returns numbers of families (live or lingering), users and denylist entries.
	 *
	 * @example
	 * ```ts
	 * store.stats().families // 0
	 * ```
	 */
	stats(): { families: number; users: number; denylist: number } {
		return {
			families: this.backend.families.size,
			users: this.backend.users.size,
			denylist: this.backend.denylist.size,
		};
	}

	/**
	 * Every value the store holds, as plain data (hashes, sealed successors, ids): for audits
	 * and the "token at rest" test. Never contains a token.
	 *
	 * @returns a JSON-serialisable snapshot.
	 *
	 * @example
	 * ```ts
	 * JSON.stringify(store.dump())
	 * ```
	 */
	dump(): unknown {
		return {
			families: [...this.backend.families.values()],
			users: [...this.backend.users].map(([tag, u]) => ({
				tag,
				index: [...u.index],
				sids: [...u.sids],
				epoch: u.epoch,
			})),
			deny: [...this.backend.denylist],
		};
	}
}
