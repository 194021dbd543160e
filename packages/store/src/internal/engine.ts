// The logic both stores share, by composition: inputs validated with zod, tokens minted and
// checked, the grace successor sealed, backend verdicts mapped to errors and events. Each
// store class owns one Engine and one Backend.
import type {
	DenyInput,
	FamilyState,
	ListSessionsOptions,
	LoginInput,
	LoginResult,
	LogoutAllOptions,
	LogoutAllResult,
	LogoutOptions,
	LogoutResult,
	RevocationQuery,
	RevocationStatus,
	RevokeSessionInput,
	RotateOptions,
	RotateResult,
	SessionInfo,
	StoreEvents,
} from "../contract";
import { RefreshAbsoluteExpiredError, RefreshInvalidError, RefreshMalformedError } from "../errors";
import type { Settings } from "../options";
import {
	mintToken,
	newFamilyId,
	type ParsedToken,
	parseInternal,
	verifyTag,
} from "../refresh-token";
import type { StoreOperation } from "../stats";
import type { Backend, FamilyRow } from "./backend";
import { coarseClient } from "./client-info";
import { b64url, hashText, hmacKey, type Key, open, seal, sha256, utf8 } from "./crypto";
import type { Emitter } from "./emitter";
import * as inputs from "./inputs";
import type { OpStats } from "./op-stats";
import { invalidToken, ROTATE_OUTCOMES } from "./rotate-outcomes";

/** How many `sub` → user-tag results are remembered. */
const USER_TAG_MEMO_MAX = 4096;
const userTagMemo = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * 16-char user tag: base64url of the first 12 bytes of SHA-256("xshl-sub\0" + sub).
 * Memoized (bounded, least recently used evicted first): `isRevoked` runs on every critical
 * request of the same few users.
 */
export async function userTagBytes(sub: string): Promise<Uint8Array<ArrayBuffer>> {
	let tag = userTagMemo.get(sub);
	if (tag === undefined) {
		tag = Promise.resolve(sha256(utf8(`xshl-sub\u0000${sub}`))).then((d) => d.slice(0, 12));
		tag.catch(() => userTagMemo.delete(sub));
		if (userTagMemo.size >= USER_TAG_MEMO_MAX) {
			const oldest = userTagMemo.keys().next().value;
			if (oldest !== undefined) userTagMemo.delete(oldest);
		}
	} else {
		userTagMemo.delete(sub);
	}
	userTagMemo.set(sub, tag);
	return (await tag).slice();
}

async function userTag(sub: string): Promise<string> {
	return b64url(await userTagBytes(sub));
}

async function hexPrefix(token: string): Promise<string> {
	const d = await sha256(utf8(token));
	return Array.from(d.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

function state(row: FamilyRow, now: number, generation: number): FamilyState {
	return {
		familyId: row.fid,
		sub: row.sub,
		sid: row.sid,
		trace: row.trace,
		authTime: Math.floor(row.authTime / 1000),
		generation,
		createdAt: row.createdAt,
		idleExpiresAt: row.idleAt,
		absoluteExpiresAt: row.absAt,
		maxAgeMs: Math.max(0, Math.min(row.idleAt, row.absAt) - now),
	};
}

export class Engine {
	readonly #settings: Settings;
	readonly #backend: Backend;
	readonly #events: Emitter<StoreEvents>;
	readonly #stats: OpStats | undefined;
	#pepper: Promise<Key> | undefined;

	constructor(settings: Settings, backend: Backend, events: Emitter<StoreEvents>, stats?: OpStats) {
		this.#settings = settings;
		this.#backend = backend;
		this.#events = events;
		this.#stats = stats;
	}

	/**
	 * One backend call: timed and counted (when stats are kept) and reported to `call`
	 * listeners; a failure is an `error` event (stats kept). Plain when neither is wanted.
	 */
	async #call<T>(op: StoreOperation, run: () => Promise<T>): Promise<T> {
		const stats = this.#stats;
		const listened = this.#events.has("call");
		if (stats === undefined && !listened) return run();
		const startedAt = listened ? Date.now() : 0;
		const start = performance.now();
		try {
			const out = await run();
			const ms = performance.now() - start;
			stats?.record(op, ms, false);
			if (listened) {
				this.#events.emit("call", {
					op,
					outcome: "ok",
					code: undefined,
					durationMs: ms,
					startedAt,
				});
			}
			return out;
		} catch (error) {
			const ms = performance.now() - start;
			const e = error instanceof Error ? error : new Error(String(error));
			if (listened) {
				const code = (e as { code?: unknown }).code;
				this.#events.emit("call", {
					op,
					outcome: "error",
					code: typeof code === "string" ? code : undefined,
					durationMs: ms,
					startedAt,
				});
			}
			if (stats !== undefined) {
				stats.record(op, ms, true);
				this.#events.emit("error", { at: Date.now(), source: "call", op, error: e });
			}
			throw error;
		}
	}

	#key(): Promise<Key> {
		if (this.#pepper === undefined) {
			// a configured pepper never reaches the backend (nor counts as a call)
			const configured = this.#settings.pepper;
			const p = (
				configured === undefined
					? this.#call("pepper", () => this.#backend.pepper())
					: Promise.resolve(configured)
			).then((bytes) => hmacKey(bytes));
			this.#pepper = p;
			// a failed load (store down) is retried on the next call
			p.catch(() => {
				if (this.#pepper === p) this.#pepper = undefined;
			});
		}
		return this.#pepper;
	}

	/** Denylist lifetime of an access token: until `exp` + leeway, at most AT TTL + leeway. */
	#denyTtl(exp: number): number {
		const s = this.#settings;
		return Math.min(exp * 1000 + s.leewayMs - this.#backend.appNow(), s.denySidMs);
	}

	async login(input: LoginInput): Promise<LoginResult> {
		const i = inputs.parseInput(inputs.loginInput, input, "login");
		const sid = i.sid ?? crypto.randomUUID();
		const client = coarseClient(i.client);
		const tagBytes = await userTagBytes(i.sub);
		const fid = newFamilyId(tagBytes);
		const key = await this.#key();
		const { token } = await mintToken(key, fid, 0);
		const s = this.#settings;
		const hash = await hashText(token);
		const reply = await this.#call("login", () =>
			this.#backend.login({
				uTag: b64url(tagBytes),
				fid,
				sub: i.sub,
				sid,
				trace: i.trace,
				authTime: i.authTime === undefined ? undefined : i.authTime * 1000,
				hash,
				...client,
				idleMs: s.idleMs,
				absMs: s.absMs,
				maxSessions: s.maxSessions,
				denySidMs: s.denySidMs,
			}),
		);
		if (reply.status === "absolute" || reply.row === undefined) {
			throw new RefreshAbsoluteExpiredError(
				"authTime is older than the absolute session timeout; authenticate again",
			);
		}
		const at = reply.now;
		const sub = i.sub;
		if (reply.replaced !== undefined) {
			const familyId = reply.replaced;
			this.#events.emit("revoke", { at, sub, sid, familyId, reason: "replaced" });
		}
		this.#events.emit("login", { at, sub, sid, familyId: fid, generation: 0 });
		for (const e of reply.evicted) {
			this.#events.emit("evict", { at, sub, sid: e.sid, familyId: e.fid, reason: "cap" });
		}
		return {
			...state(reply.row, reply.now, 0),
			refreshToken: token,
			evicted: reply.evicted.map((e) => e.sid),
		};
	}

	async #authentic(refreshToken: string): Promise<{ parsed: ParsedToken; key: Key } | undefined> {
		const parsed = parseInternal(refreshToken);
		const key = await this.#key();
		return (await verifyTag(key, parsed)) ? { parsed, key } : undefined;
	}

	async rotate(refreshToken: string, options: RotateOptions): Promise<RotateResult> {
		const auth = await this.#authentic(refreshToken);
		const { trace } = inputs.parseInput(inputs.rotateOptions, options, "rotate");
		if (auth === undefined) {
			throw new RefreshInvalidError("the refresh token was not issued by this store");
		}
		const { parsed, key } = auth;
		const s = this.#settings;
		const next = await mintToken(key, parsed.familyId, parsed.generation + 1);
		const context = `${parsed.familyId}.${parsed.generation}`;
		const [hash, newHash, sealed] = await Promise.all([
			hashText(refreshToken),
			hashText(next.token),
			seal(parsed.random, context, next.token),
		]);
		const reply = await this.#call("rotate", () =>
			this.#backend.rotate({
				uTag: parsed.userTag,
				fid: parsed.familyId,
				gen: parsed.generation,
				hash,
				trace,
				newHash,
				sealed,
				idleMs: s.idleMs,
				graceMs: s.graceMs,
				maxReplays: s.maxReplays,
				traceMode: s.traceMode,
				denySidMs: s.denySidMs,
			}),
		);
		const row = reply.row;
		const outcome = ROTATE_OUTCOMES[reply.status];
		if (row !== undefined) {
			const base = { at: reply.now, familyId: parsed.familyId, sub: row.sub, sid: row.sid };
			if (reply.status === "rotated") {
				this.#events.emit("refresh", { ...base, generation: row.gen });
				return { ...state(row, reply.now, row.gen), refreshToken: next.token, replay: false };
			}
			if (reply.status === "grace" && reply.sealed !== undefined) {
				const successor = await open(parsed.random, context, reply.sealed);
				if (successor !== undefined) {
					this.#events.emit("refresh.replay", { ...base, generation: row.gen });
					return { ...state(row, reply.now, row.gen), refreshToken: successor, replay: true };
				}
			}
			if (outcome.revoke !== undefined) {
				const reason = outcome.revoke;
				if (outcome.reuse === true && (reason === "reuse" || reason === "trace_mismatch")) {
					this.#events.emit("refresh.reuse_detected", {
						...base,
						generation: parsed.generation,
						tokenHashPrefix: await hexPrefix(refreshToken),
						reason,
					});
				}
				this.#events.emit("revoke", { ...base, reason });
			}
		}
		// `rotated` without a row or a `grace` whose successor does not open: not a live family
		throw (outcome.error ?? invalidToken)(parsed.familyId, parsed.generation);
	}

	async logout(refreshToken: string, options?: LogoutOptions): Promise<LogoutResult> {
		const o = inputs.parseInput(inputs.logoutOptions, options, "logout");
		const at = o?.accessToken;
		let auth: { parsed: ParsedToken } | undefined;
		try {
			auth = await this.#authentic(refreshToken);
		} catch (error) {
			if (!(error instanceof RefreshMalformedError)) throw error;
		}
		if (auth === undefined) {
			// RFC 7009 §2.2: an invalid token is not an error (no sub is known: use denyJti)
			return { revoked: false };
		}
		const reply = await this.#call("logout", () =>
			this.#backend.logout({
				uTag: auth.parsed.userTag,
				fid: auth.parsed.familyId,
				denySidMs: this.#settings.denySidMs,
				jti: at?.jti,
				jtiTtlMs: at === undefined ? 0 : this.#denyTtl(at.exp),
			}),
		);
		if (reply.revoked !== undefined) {
			const { sub, sid } = reply.revoked;
			const familyId = auth.parsed.familyId;
			this.#events.emit("revoke", { at: reply.now, sub, sid, familyId, reason: "logout" });
		}
		return { revoked: reply.revoked !== undefined };
	}

	async revokeSession(input: RevokeSessionInput): Promise<boolean> {
		const { sub, sid } = inputs.parseInput(inputs.revokeSessionInput, input, "revokeSession");
		const uTag = await userTag(sub);
		const reply = await this.#call("revokeSession", () =>
			this.#backend.revokeSid({
				uTag,
				sid,
				denySidMs: this.#settings.denySidMs,
			}),
		);
		if (reply.fid !== undefined) {
			const familyId = reply.fid;
			this.#events.emit("revoke", { at: reply.now, sub, sid, familyId, reason: "revoke_sid" });
		}
		return reply.fid !== undefined;
	}

	async logoutAll(sub: string, options?: LogoutAllOptions): Promise<LogoutAllResult> {
		const i = inputs.parseInput(inputs.logoutAllInput, { sub, options }, "logoutAll");
		const uTag = await userTag(i.sub);
		const reply = await this.#call("logoutAll", () =>
			this.#backend.logoutAll({
				uTag,
				exceptSid: i.options?.exceptSid,
				epochTtlMs: this.#settings.absMs,
				denySidMs: this.#settings.denySidMs,
			}),
		);
		const count = reply.revoked.length;
		const exceptSid = i.options?.exceptSid;
		this.#events.emit(
			"logout_all",
			exceptSid === undefined
				? { at: reply.now, sub: i.sub, count }
				: { at: reply.now, sub: i.sub, count, exceptSid },
		);
		return { revoked: count, epoch: reply.now };
	}

	async listSessions(sub: string, options?: ListSessionsOptions): Promise<SessionInfo[]> {
		const i = inputs.parseInput(inputs.listSessionsInput, { sub, options }, "listSessions");
		const current = i.options?.currentSid;
		const limit = i.options?.limit ?? 100;
		const uTag = await userTag(i.sub);
		const reply = await this.#call("listSessions", () => this.#backend.list({ uTag, limit }));
		return reply.rows
			.filter((r) => r.sub === i.sub)
			.map((r) => ({
				familyId: r.fid,
				sid: r.sid,
				authTime: Math.floor(r.authTime / 1000),
				createdAt: r.createdAt,
				lastUsedAt: r.lastUsedAt,
				idleExpiresAt: r.idleAt,
				absoluteExpiresAt: r.absAt,
				browser: r.browser || undefined,
				os: r.os || undefined,
				ipPrefix: r.ip || undefined,
				current: current !== undefined && r.sid === current,
			}));
	}

	async isRevoked(query: RevocationQuery): Promise<RevocationStatus> {
		const q = inputs.parseInput(inputs.revocationQuery, query, "isRevoked");
		const uTag = await userTag(q.sub);
		const reason = await this.#call("isRevoked", () =>
			this.#backend.isRevoked({ uTag, jti: q.jti, sid: q.sid, iat: q.iat }),
		);
		return { revoked: reason !== null, reason };
	}

	async deny(kind: "jti" | "sid", input: DenyInput): Promise<void> {
		const i = inputs.parseInput(inputs.denyInput, input, kind === "jti" ? "denyJti" : "denySid");
		const ttlMs = this.#denyTtl(i.exp);
		if (ttlMs <= 0) return; // already expired: nothing to deny
		const uTag = await userTag(i.sub);
		await this.#call(kind === "jti" ? "denyJti" : "denySid", () =>
			this.#backend.deny({ uTag, kind, id: i.id, ttlMs }),
		);
		this.#events.emit("deny", {
			at: this.#backend.appNow(),
			sub: i.sub,
			kind,
			id: i.id,
			exp: i.exp,
		});
	}
}
