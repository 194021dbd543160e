// The revocation feed's in-memory log: entries keyed by kind and id, each with the seq that
// last wrote it and its expiry; a delta is every live entry written after a cursor.

/** One entry: a revoked sid, a denylisted jti, or a user's "revoked before" epoch. */
export interface FeedEntry {
	/** The seq that last wrote it. */
	seq: number;
	/** When every token it could affect has expired (NumericDate seconds). */
	exp: number;
	/** Users only: the epoch (ms); tokens with `iat * 1000 <= epoch` are revoked. */
	epoch?: number;
	/** Users only: the session kept by the logout everywhere. */
	exceptSid?: string;
	/**
	 * Users only: sessions opened after the epoch but in the same second (their tokens' `iat`
	 * equals the epoch's second, so `iat` alone cannot tell them from the revoked ones).
	 */
	fresh?: string[];
}

/** Most sessions listed as opened in the epoch's second after it; later ones stay refused. */
export const MAX_FRESH_SIDS = 32;

/** Whether a session opened at `atMs` is "fresh" for a logout everywhere at `epochMs`. */
export function isFresh(atMs: number, epochMs: number): boolean {
	return atMs > epochMs && Math.floor(atMs / 1000) === Math.floor(epochMs / 1000);
}

/** The wire payload of a feed document (without `v`, `iat`, `salt`). */
export interface FeedBody {
	sids: Record<string, number>;
	jtis: Record<string, number>;
	users: Record<string, UserWire>;
}

/** A user entry on the wire: `[epochMs, exp]`, `[epochMs, exp, exceptSid]`, or `[epochMs, exp, exceptSid | "", freshSids]`. */
export type UserWire =
	| [number, number]
	| [number, number, string]
	| [number, number, string, string[]];

/** The wire form of a user entry. */
export function userWire(
	epoch: number,
	exp: number,
	exceptSid?: string,
	fresh?: string[],
): UserWire {
	if (fresh !== undefined && fresh.length > 0) return [epoch, exp, exceptSid ?? "", fresh];
	return exceptSid === undefined ? [epoch, exp] : [epoch, exp, exceptSid];
}

/** What the feed needs from a log (memory, or Redis shared by every issuer instance). */
export interface FeedLogLike {
	/** Write one entry (`s:<sid>`, `j:<jti>`, `u:<tag>` with value `[epoch, exceptSid?]`). */
	write(field: string, value: unknown[], exp: number, nowMs: number): Promise<void>;
	/**
	 * A session `sid` of the user `tag` was opened at `atMs`: when the user's entry has an epoch
	 * in the same second before `atMs`, list the sid as fresh (a new seq); otherwise nothing.
	 */
	born(tag: string, sid: string, atMs: number, nowMs: number): Promise<void>;
	/** The seq, the first seq and the live entries written after `since` (all without it). */
	read(
		nowMs: number,
		since: number | undefined,
	): Promise<{ seq: number; baseSeq: number; body: FeedBody }>;
}

/** The memory log: seq starts at the creation time in ms, so a restarted issuer never goes back. */
export class MemoryFeedLog implements FeedLogLike {
	/** The seq of the first state (nothing written): a cursor below it gets the full document. */
	readonly baseSeq: number;
	seq: number;
	readonly #sids = new Map<string, FeedEntry>();
	readonly #jtis = new Map<string, FeedEntry>();
	readonly #users = new Map<string, FeedEntry>();

	constructor(nowMs: number) {
		this.baseSeq = nowMs;
		this.seq = nowMs;
	}

	#next(nowMs: number): number {
		this.seq = Math.max(this.seq + 1, nowMs);
		return this.seq;
	}

	addSid(sid: string, exp: number, nowMs: number): void {
		const prev = this.#sids.get(sid);
		this.#sids.set(sid, { seq: this.#next(nowMs), exp: Math.max(exp, prev?.exp ?? 0) });
	}

	addJti(jti: string, exp: number, nowMs: number): void {
		const prev = this.#jtis.get(jti);
		this.#jtis.set(jti, { seq: this.#next(nowMs), exp: Math.max(exp, prev?.exp ?? 0) });
	}

	addUser(
		tag: string,
		epoch: number,
		exp: number,
		exceptSid: string | undefined,
		nowMs: number,
	): void {
		const entry: FeedEntry = { seq: this.#next(nowMs), exp, epoch };
		if (exceptSid !== undefined) entry.exceptSid = exceptSid;
		this.#users.set(tag, entry);
	}

	async born(tag: string, sid: string, atMs: number, nowMs: number): Promise<void> {
		const e = this.#users.get(tag);
		if (e === undefined || e.epoch === undefined || !isFresh(atMs, e.epoch)) return;
		const fresh = e.fresh ?? [];
		if (fresh.length >= MAX_FRESH_SIDS || fresh.includes(sid)) return;
		this.#users.set(tag, { ...e, seq: this.#next(nowMs), fresh: [...fresh, sid] });
	}

	/** Live entries written after `since` (all of them without it); drops expired ones. */
	body(nowSec: number, since?: number): FeedBody {
		const after = since ?? Number.NEGATIVE_INFINITY;
		const out: FeedBody = { sids: {}, jtis: {}, users: {} };
		for (const [map, target] of [
			[this.#sids, out.sids],
			[this.#jtis, out.jtis],
		] as const) {
			for (const [k, e] of map) {
				if (e.exp <= nowSec) map.delete(k);
				else if (e.seq > after) target[k] = e.exp;
			}
		}
		for (const [k, e] of this.#users) {
			if (e.exp <= nowSec) this.#users.delete(k);
			else if (e.seq > after)
				out.users[k] = userWire(e.epoch as number, e.exp, e.exceptSid, e.fresh);
		}
		return out;
	}

	async write(field: string, value: unknown[], exp: number, nowMs: number): Promise<void> {
		const id = field.slice(2);
		if (field.startsWith("s:")) this.addSid(id, exp, nowMs);
		else if (field.startsWith("j:")) this.addJti(id, exp, nowMs);
		else this.addUser(id, value[0] as number, exp, value[1] as string | undefined, nowMs);
	}

	async read(
		nowMs: number,
		since: number | undefined,
	): Promise<{ seq: number; baseSeq: number; body: FeedBody }> {
		// nothing was written after the current seq: no scan of every entry (a 304 poll)
		if (since !== undefined && since >= this.seq)
			return { seq: this.seq, baseSeq: this.baseSeq, body: { sids: {}, jtis: {}, users: {} } };
		const body = this.body(Math.floor(nowMs / 1000), since);
		return { seq: this.seq, baseSeq: this.baseSeq, body };
	}

	/** Users with an entry (live or not yet dropped). */
	get users(): number {
		return this.#users.size;
	}

	get size(): number {
		return this.#sids.size + this.#jtis.size + this.#users.size;
	}
}
