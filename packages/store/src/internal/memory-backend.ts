// The in-memory backend: every state change is one synchronous critical section, so
// concurrent calls in one process serialise exactly as the Redis scripts do. Expiry is lazy
// plus a sweep at most once per minute of store time.
import type { RevocationReason } from "../contract";
import type {
	Backend,
	DenyArgs,
	FamilyRow,
	IsRevokedArgs,
	LoginArgs,
	LoginReply,
	LogoutAllArgs,
	LogoutArgs,
	LogoutReply,
	RevokeSidArgs,
	RotateArgs,
	RotateReply,
} from "./backend";
import { fromUtf8, randomBytes, timingSafeEqualText, utf8 } from "./crypto";

/**
 * A flat copy of a string. Keys built by concatenation, and ids such as Node's
 * `crypto.randomUUID()`, are V8 ropes of many small pieces (~600 bytes for a UUID-keyed
 * denylist entry instead of ~150); a stored key should hold its characters once.
 */
function flat(text: string): string {
	return fromUtf8(utf8(text));
}

/** Families linger this long past their deadline so the exact reason can be reported. */
const LINGER_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;

/** A live family (revoked and evicted ones are deleted at once and leave a tombstone). */
interface Family extends FamilyRow {
	uTag: string;
	/** epoch-comparison time (createdAt, or the logout-all time for the excepted session) */
	born: number;
	cur: string;
	prev: string;
	rotatedAt: number;
	replays: number;
	sealed: string;
	expiresAt: number;
}

/** What is left of a dead family: why it died, until its key would have expired. */
interface Tombstone {
	reason: "revoked" | "idle" | "absolute";
	expiresAt: number;
}

interface User {
	/** fid → lastUsedAt, live families only */
	index: Map<string, number>;
	/** sid → fid, live families only */
	sids: Map<string, { fid: string; expiresAt: number }>;
	/** fid → tombstone, at most the session cap (oldest dropped first) */
	graves: Map<string, Tombstone>;
	epoch: { at: number; exceptSid: string; expiresAt: number } | undefined;
}

export class MemoryBackend implements Backend {
	readonly now: () => number;
	readonly families: Map<string, Family> = new Map();
	readonly users: Map<string, User> = new Map();
	/** `<uTag>:j:<jti>` / `<uTag>:s:<sid>` → expiresAt */
	readonly denylist: Map<string, number> = new Map();
	readonly #pepper: Uint8Array<ArrayBuffer>;
	/** Tombstones kept per user (the session cap): live + dead families stay ≤ 2 × cap. */
	readonly #graveCap: number;
	#nextSweep = 0;

	constructor(now: () => number, pepper: Uint8Array<ArrayBuffer> | undefined, graveCap: number) {
		this.now = now;
		this.#pepper = pepper ?? randomBytes(32);
		this.#graveCap = graveCap;
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
		for (const f of this.families.values()) {
			if (f.expiresAt <= now) this.#drop(f);
			else if (this.#dead(f, now)) this.#bury(f, now >= f.absAt ? "absolute" : "idle");
		}
		for (const [k, exp] of this.denylist) if (exp <= now) this.denylist.delete(k);
		for (const [tag, u] of this.users) {
			for (const [fid, g] of u.graves) if (g.expiresAt <= now) u.graves.delete(fid);
			if (u.epoch !== undefined && u.epoch.expiresAt <= now) u.epoch = undefined;
			this.#release(tag, u);
		}
	}

	#user(uTag: string): User {
		let u = this.users.get(uTag);
		if (u === undefined) {
			u = { index: new Map(), sids: new Map(), graves: new Map(), epoch: undefined };
			this.users.set(uTag, u);
		}
		return u;
	}

	/** Forgets a user with nothing left. */
	#release(uTag: string, u: User): void {
		if (u.index.size === 0 && u.sids.size === 0 && u.graves.size === 0 && u.epoch === undefined)
			this.users.delete(uTag);
	}

	#family(fid: string, now: number): Family | undefined {
		const f = this.families.get(fid);
		if (f !== undefined && f.expiresAt <= now) {
			this.#drop(f);
			return undefined;
		}
		return f;
	}

	/** Deletes a family and its index entries (no tombstone). */
	#drop(f: Family): void {
		this.families.delete(f.fid);
		const u = this.users.get(f.uTag);
		if (u === undefined) return;
		u.index.delete(f.fid);
		if (u.sids.get(f.sid)?.fid === f.fid) u.sids.delete(f.sid);
	}

	/** Deletes a family at once and keeps only why it died, within the user's grave cap. */
	#bury(f: Family, reason: Tombstone["reason"]): void {
		this.#drop(f);
		const u = this.#user(f.uTag);
		u.graves.delete(f.fid);
		u.graves.set(f.fid, { reason, expiresAt: f.expiresAt });
		if (u.graves.size > this.#graveCap) {
			const oldest = u.graves.keys().next().value;
			if (oldest !== undefined) u.graves.delete(oldest);
		}
	}

	#denySet(key: string, ttlMs: number, now: number): void {
		const exp = now + ttlMs;
		const old = this.denylist.get(key);
		if (old === undefined || old < exp) this.denylist.set(old === undefined ? flat(key) : key, exp);
	}

	#denied(key: string, now: number): boolean {
		const exp = this.denylist.get(key);
		return exp !== undefined && exp > now;
	}

	#revoke(f: Family, denySidMs: number, now: number): void {
		this.#bury(f, "revoked");
		if (denySidMs > 0) this.#denySet(`${f.uTag}:s:${f.sid}`, denySidMs, now);
	}

	#dead(f: Family, now: number): boolean {
		return now >= f.idleAt || now >= f.absAt;
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
		const of = old === undefined ? undefined : this.#family(old.fid, now);
		if (of !== undefined) {
			this.#revoke(of, 0, now);
			replaced = of.fid;
		}
		const sid = flat(a.sid);
		const f: Family = {
			fid: a.fid,
			uTag: a.uTag,
			sub: a.sub,
			sid,
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
			cur: a.hash,
			prev: "",
			rotatedAt: 0,
			replays: 0,
			sealed: "",
			expiresAt,
		};
		this.families.set(a.fid, f);
		u.sids.set(sid, { fid: a.fid, expiresAt });
		u.index.set(a.fid, now);
		// bury families past a deadline, then evict the least recently used beyond the cap
		const live: [string, number][] = [];
		for (const [fid, used] of u.index) {
			if (fid === a.fid) continue;
			const lf = this.#family(fid, now);
			if (lf === undefined) u.index.delete(fid);
			else if (this.#dead(lf, now)) this.#bury(lf, now >= lf.absAt ? "absolute" : "idle");
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
		if (f === undefined || f.uTag !== a.uTag) {
			const grave = this.users.get(a.uTag)?.graves.get(a.fid);
			const status = grave !== undefined && grave.expiresAt > now ? grave.reason : "invalid";
			return { status, now, row: undefined, sealed: undefined };
		}
		const reply = (status: RotateReply["status"], sealed?: string): RotateReply => ({
			status,
			now,
			row: { ...f },
			sealed,
		});
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

	async logout(a: LogoutArgs): Promise<LogoutReply> {
		const now = this.#clock();
		if (a.jti !== undefined && a.jtiTtlMs > 0)
			this.#denySet(`${a.uTag}:j:${a.jti}`, a.jtiTtlMs, now);
		const f = this.#family(a.fid, now);
		if (f === undefined || f.uTag !== a.uTag) return { now, revoked: undefined };
		this.#revoke(f, a.denySidMs, now);
		return { now, revoked: { sub: f.sub, sid: f.sid } };
	}

	async revokeSid(a: RevokeSidArgs): Promise<{ now: number; fid: string | undefined }> {
		const now = this.#clock();
		// an unknown sid writes nothing (no user, no denylist entry)
		const m = this.users.get(a.uTag)?.sids.get(a.sid);
		const f = m === undefined ? undefined : this.#family(m.fid, now);
		if (f === undefined) return { now, fid: undefined };
		this.#revoke(f, a.denySidMs, now);
		return { now, fid: f.fid };
	}

	async logoutAll(
		a: LogoutAllArgs,
	): Promise<{ now: number; revoked: { fid: string; sid: string }[] }> {
		const now = this.#clock();
		const u = this.#user(a.uTag);
		const expiresAt = Math.max(now + a.epochTtlMs + LINGER_MS, u.epoch?.expiresAt ?? 0);
		u.epoch = { at: now, exceptSid: a.exceptSid ?? "", expiresAt };
		let keep: string | undefined;
		if (a.exceptSid !== undefined) {
			const m = u.sids.get(a.exceptSid);
			const kf = m === undefined ? undefined : this.#family(m.fid, now);
			if (kf !== undefined) {
				kf.born = now;
				keep = kf.fid;
			}
		}
		const revoked: { fid: string; sid: string }[] = [];
		for (const fid of [...u.index.keys()]) {
			if (fid === keep) continue;
			const f = this.#family(fid, now);
			if (f === undefined) {
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

	async isRevoked(a: IsRevokedArgs): Promise<RevocationReason | null> {
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

	async deny(a: DenyArgs): Promise<void> {
		const now = this.#clock();
		this.#denySet(`${a.uTag}:${a.kind === "jti" ? "j" : "s"}:${a.id}`, a.ttlMs, now);
	}
}
