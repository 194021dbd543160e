// Shared logic of both adapters: input checks, token minting and checking, sealing the grace
// successor, mapping backend statuses to typed errors, events. Adapters implement `Backend`:
// each method is ONE atomic step (a synchronous critical section in memory, one Lua script
// in Redis) that decides with the store's own clock.
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
	RevocationReason,
	RevocationStatus,
	RevokeSessionInput,
	RotateOptions,
	RotateResult,
	SessionInfo,
	SessionStore,
	StoreEvent,
} from "../contract";
import {
	RefreshAbsoluteExpiredError,
	RefreshIdleExpiredError,
	RefreshInvalidError,
	RefreshReusedError,
	SessionRevokedError,
	StoreError,
	StoreInputError,
	TraceMismatchError,
} from "../errors";
import type { Settings, TraceMismatchPolicy } from "../options";
import {
	mintToken,
	newFamilyId,
	type ParsedToken,
	parseInternal,
	verifyTag,
} from "../refresh-token";
import { coarseClient } from "./client-info";
import { b64url, hashText, hmacKey, type Key, open, seal, sha256, utf8 } from "./crypto";

/** A family as the backends return it (times in ms). */
export interface FamilyRow {
	fid: string;
	sub: string;
	sid: string;
	trace: string;
	authTime: number;
	createdAt: number;
	lastUsedAt: number;
	idleAt: number;
	absAt: number;
	gen: number;
	browser: string;
	os: string;
	ip: string;
}

export interface LoginArgs {
	uTag: string;
	fid: string;
	sub: string;
	sid: string;
	trace: string;
	/** ms, or undefined for "now" on the store clock */
	authTime: number | undefined;
	hash: string;
	browser: string;
	os: string;
	ip: string;
	idleMs: number;
	absMs: number;
	maxSessions: number;
	denySidMs: number;
}
export interface LoginReply {
	status: "ok" | "absolute";
	now: number;
	row: FamilyRow | undefined;
	evicted: { fid: string; sid: string }[];
	replaced: string | undefined;
}

export type RotateStatus =
	| "rotated"
	| "grace"
	| "invalid"
	| "revoked"
	| "epoch"
	| "reused"
	| "idle"
	| "absolute"
	| "trace_mismatch"
	| "trace_revoked";

export interface RotateArgs {
	uTag: string;
	fid: string;
	gen: number;
	hash: string;
	trace: string;
	newHash: string;
	sealed: string;
	idleMs: number;
	graceMs: number;
	maxReplays: number;
	traceMode: TraceMismatchPolicy;
	denySidMs: number;
}
export interface RotateReply {
	status: RotateStatus;
	now: number;
	row: FamilyRow | undefined;
	sealed: string | undefined;
}

export interface Backend {
	/** Clock for denylist lifetimes of access tokens (their `exp` is on the issuer's clock). */
	appNow(): number;
	pepper(): Promise<Uint8Array<ArrayBuffer>>;
	login(a: LoginArgs): Promise<LoginReply>;
	rotate(a: RotateArgs): Promise<RotateReply>;
	logout(a: {
		uTag: string;
		fid: string;
		denySidMs: number;
		jti: string | undefined;
		jtiTtlMs: number;
	}): Promise<{ now: number; revoked: { sub: string; sid: string } | undefined }>;
	revokeSid(a: {
		uTag: string;
		sid: string;
		denySidMs: number;
	}): Promise<{ now: number; fid: string | undefined }>;
	logoutAll(a: {
		uTag: string;
		exceptSid: string | undefined;
		epochTtlMs: number;
		denySidMs: number;
	}): Promise<{ now: number; revoked: { fid: string; sid: string }[] }>;
	list(a: { uTag: string; limit: number }): Promise<{ now: number; rows: FamilyRow[] }>;
	isRevoked(a: {
		uTag: string;
		jti: string | undefined;
		sid: string | undefined;
		iat: number;
	}): Promise<RevocationReason | null>;
	deny(a: { uTag: string; kind: "jti" | "sid"; id: string; ttlMs: number }): Promise<void>;
}

function text(name: string, value: unknown, max: number): string {
	if (typeof value !== "string" || value.length === 0 || value.length > max) {
		throw new StoreInputError(
			`${name} must be a non-empty string of at most ${max} characters, got ${typeof value === "string" ? `${value.length} characters` : typeof value}`,
		);
	}
	return value;
}

function seconds(name: string, value: unknown): number {
	if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
		throw new StoreInputError(`${name} must be a non-negative integer NumericDate (seconds)`);
	}
	return value;
}

/** How many `sub` → user-tag results are remembered (a Web Crypto digest is a threadpool hop). */
const USER_TAG_MEMO_MAX = 4096;
const userTagMemo = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * 16-char user tag: base64url of the first 12 bytes of SHA-256("xshl-sub\0" + sub).
 * Memoized (bounded, least recently used evicted first): `isRevoked` runs on every critical
 * request of the same few users, and an async digest costs far more than the Map lookup.
 */
export async function userTagBytes(sub: string): Promise<Uint8Array<ArrayBuffer>> {
	let tag = userTagMemo.get(sub);
	if (tag === undefined) {
		tag = sha256(utf8(`xshl-sub\u0000${sub}`)).then((d) => d.slice(0, 12));
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

async function hexPrefix(token: string): Promise<string> {
	const d = await sha256(utf8(token));
	return Array.from(d.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

function state(row: FamilyRow, now: number, generation: number): FamilyState {
	const end = Math.min(row.idleAt, row.absAt);
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
		maxAgeSeconds: Math.max(0, Math.floor((end - now) / 1000)),
	};
}

/**
 * Behaviour shared by {@link MemoryStore} and `RedisStore`; see {@link SessionStore} for the
 * contract of each method.
 */
export abstract class StoreBase implements SessionStore {
	/** @internal */
	protected readonly settings: Settings;
	/** @internal */
	protected abstract readonly backend: Backend;
	#pepper: Promise<Key> | undefined;

	/** @internal */
	protected constructor(settings: Settings) {
		this.settings = settings;
	}

	#key(): Promise<Key> {
		if (this.#pepper === undefined) {
			const p = this.backend.pepper().then((bytes) => hmacKey(bytes));
			this.#pepper = p;
			// a failed load (store down) is retried on the next call
			p.catch(() => {
				if (this.#pepper === p) this.#pepper = undefined;
			});
		}
		return this.#pepper;
	}

	#emit(event: StoreEvent): void {
		const hook = this.settings.onEvent;
		if (hook === undefined) return;
		try {
			hook(event);
		} catch {
			// audit hooks never break the flow
		}
	}

	/**
	 * Opens a family and returns its first refresh token; see {@link SessionStore.login}.
	 *
	 * @param input - `sub`, `trace`, optional `sid`, `authTime` (seconds) and `client`.
	 * @returns the refresh token, the family's identity and deadlines, evicted sids.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID` on a bad argument.
	 * @throws {RefreshAbsoluteExpiredError} `ERR_REFRESH_ABSOLUTE_EXPIRED` when `authTime` is older than the absolute timeout.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` when the store is down or slow.
	 *
	 * @example
	 * ```ts
	 * const { refreshToken, sid, authTime } = await store.login({ sub: 'u1', trace: String(trace) })
	 * ```
	 */
	async login(input: LoginInput): Promise<LoginResult> {
		if (typeof input !== "object" || input === null)
			throw new StoreInputError("login needs an input object");
		const sub = text("sub", input.sub, 256);
		const trace = text("trace", input.trace, 512);
		const sid = input.sid === undefined ? crypto.randomUUID() : text("sid", input.sid, 200);
		const authTime =
			input.authTime === undefined ? undefined : seconds("authTime", input.authTime) * 1000;
		const client = coarseClient(input.client);
		const tagBytes = await userTagBytes(sub);
		const uTag = b64url(tagBytes);
		const fid = newFamilyId(tagBytes);
		const key = await this.#key();
		const { token } = await mintToken(key, fid, 0);
		const s = this.settings;
		const reply = await this.backend.login({
			uTag,
			fid,
			sub,
			sid,
			trace,
			authTime,
			hash: await hashText(token),
			...client,
			idleMs: s.idleMs,
			absMs: s.absMs,
			maxSessions: s.maxSessions,
			denySidMs: s.denySidMs,
		});
		if (reply.status === "absolute" || reply.row === undefined) {
			throw new RefreshAbsoluteExpiredError(
				"authTime is older than the absolute session timeout; authenticate again",
			);
		}
		if (reply.replaced !== undefined) {
			this.#emit({
				type: "revoke",
				at: reply.now,
				sub,
				sid,
				familyId: reply.replaced,
				reason: "replaced",
			});
		}
		this.#emit({ type: "login", at: reply.now, sub, sid, familyId: fid, generation: 0 });
		for (const e of reply.evicted) {
			this.#emit({ type: "evict", at: reply.now, sub, sid: e.sid, familyId: e.fid, reason: "cap" });
		}
		return {
			...state(reply.row, reply.now, 0),
			refreshToken: token,
			evicted: reply.evicted.map((e) => e.sid),
		};
	}

	/**
	 * Alias of {@link StoreBase.login}.
	 *
	 * @param input - as for `login`.
	 * @returns as for `login`.
	 * @throws as `login`.
	 *
	 * @example
	 * ```ts
	 * const family = await store.createFamily({ sub: 'u1', trace: 't' })
	 * ```
	 */
	createFamily(input: LoginInput): Promise<LoginResult> {
		return this.login(input);
	}

	async #authentic(refreshToken: string): Promise<{ parsed: ParsedToken; key: Key } | undefined> {
		const parsed = parseInternal(refreshToken);
		const key = await this.#key();
		return (await verifyTag(key, parsed)) ? { parsed, key } : undefined;
	}

	/**
	 * Rotates a refresh token in one atomic step; see {@link SessionStore.rotate}.
	 *
	 * - current token + login trace → a new generation (`replay: false`);
	 * - immediate predecessor, within `graceSeconds`, same trace, ≤ `maxGraceReplays` times →
	 *   the same successor again (`replay: true`), decrypted with a key derived from the
	 *   presented secret (the store cannot decrypt it alone);
	 * - any other ancestor (or the predecessor outside those rules) → the family is revoked,
	 *   its `sid` denylisted for AT TTL + leeway, event `refresh.reuse_detected`.
	 *
	 * @param refreshToken - the presented `xrt1.…` token.
	 * @param options - `trace`: the refreshing client's trace.
	 * @returns the successor token and the family state (put `sid`, `trace`, `authTime` in the new access token).
	 * @throws {RefreshMalformedError} `ERR_REFRESH_MALFORMED` before any store call.
	 * @throws {RefreshInvalidError} `ERR_REFRESH_INVALID` (not minted here, or unknown family); nothing revoked.
	 * @throws {RefreshReusedError} `ERR_REFRESH_REUSED` (family revoked now).
	 * @throws {SessionRevokedError} `ERR_SESSION_REVOKED` (family revoked before, or logout everywhere).
	 * @throws {RefreshIdleExpiredError} `ERR_REFRESH_IDLE_EXPIRED`.
	 * @throws {RefreshAbsoluteExpiredError} `ERR_REFRESH_ABSOLUTE_EXPIRED`.
	 * @throws {TraceMismatchError} `ERR_TRACE_MISMATCH`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` (nothing half-written; a retry of
	 *   the same token within the grace window returns the successor if the step did commit).
	 *
	 * @example
	 * ```ts
	 * const next = await store.rotate(cookieValue, { trace: String(trace) })
	 * ```
	 */
	async rotate(refreshToken: string, options: RotateOptions): Promise<RotateResult> {
		const auth = await this.#authentic(refreshToken);
		const trace = text("trace", options?.trace, 512);
		if (auth === undefined) {
			throw new RefreshInvalidError("the refresh token was not issued by this store");
		}
		const { parsed, key } = auth;
		const s = this.settings;
		const next = await mintToken(key, parsed.familyId, parsed.generation + 1);
		const context = `${parsed.familyId}.${parsed.generation}`;
		const [hash, newHash, sealed] = await Promise.all([
			hashText(refreshToken),
			hashText(next.token),
			seal(parsed.random, context, next.token),
		]);
		const reply = await this.backend.rotate({
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
		});
		const row = reply.row;
		const base = { at: reply.now, familyId: parsed.familyId };
		switch (reply.status) {
			case "rotated":
				if (row === undefined) break;
				this.#emit({ ...base, type: "refresh", sub: row.sub, sid: row.sid, generation: row.gen });
				return { ...state(row, reply.now, row.gen), refreshToken: next.token, replay: false };
			case "grace": {
				if (row === undefined || reply.sealed === undefined) break;
				const successor = await open(parsed.random, context, reply.sealed);
				if (successor === undefined) break;
				return { ...state(row, reply.now, row.gen), refreshToken: successor, replay: true };
			}
			case "reused":
			case "trace_revoked":
				if (row !== undefined) {
					this.#emit({
						...base,
						type: "refresh.reuse_detected",
						sub: row.sub,
						sid: row.sid,
						generation: parsed.generation,
						tokenHashPrefix: await hexPrefix(refreshToken),
						reason: reply.status === "reused" ? "reuse" : "trace_mismatch",
					});
					this.#emit({
						...base,
						type: "revoke",
						sub: row.sub,
						sid: row.sid,
						reason: reply.status === "reused" ? "reuse" : "trace_mismatch",
					});
				}
				if (reply.status === "trace_revoked") {
					throw new TraceMismatchError(
						"the refresh came from another client than the login; the family was revoked",
						true,
					);
				}
				throw new RefreshReusedError(
					`generation ${parsed.generation} of this family was already rotated; the family was revoked`,
					parsed.familyId,
				);
			case "epoch":
				if (row !== undefined) {
					this.#emit({ ...base, type: "revoke", sub: row.sub, sid: row.sid, reason: "epoch" });
				}
				throw new SessionRevokedError(
					"the user logged out everywhere after this family was created",
				);
			case "revoked":
				throw new SessionRevokedError("this refresh token's family was revoked");
			case "idle":
				throw new RefreshIdleExpiredError("the family was not refreshed within the idle timeout");
			case "absolute":
				throw new RefreshAbsoluteExpiredError("the family passed its absolute deadline");
			case "trace_mismatch":
				throw new TraceMismatchError("the refresh came from another client than the login", false);
			case "invalid":
				throw new RefreshInvalidError("the refresh token does not match a live family");
		}
		throw new RefreshInvalidError("the refresh token does not match a live family");
	}

	/**
	 * Logs out one device with RFC 7009 semantics; see {@link SessionStore.logout}.
	 *
	 * @param refreshToken - the device's refresh token (any generation of the family).
	 * @param options - `accessToken: { jti, exp }` to denylist as well.
	 * @returns `{ revoked }`: whether a live family was revoked.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID` for a bad `accessToken`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`; never for unknown tokens.
	 *
	 * @example
	 * ```ts
	 * await store.logout(cookieValue, { accessToken: { jti: claims.jti, exp: claims.exp } })
	 * ```
	 */
	async logout(refreshToken: string, options?: LogoutOptions): Promise<LogoutResult> {
		const at = options?.accessToken;
		const jti = at === undefined ? undefined : text("accessToken.jti", at.jti, 200);
		const exp = at === undefined ? 0 : seconds("accessToken.exp", at.exp);
		let auth: { parsed: ParsedToken } | undefined;
		try {
			auth = await this.#authentic(refreshToken);
		} catch (error) {
			if (error instanceof StoreError && error.code === "ERR_REFRESH_MALFORMED") auth = undefined;
			else throw error;
		}
		if (auth === undefined) {
			// RFC 7009 §2.2: an invalid token is not an error (no sub is known: use denyJti)
			return { revoked: false };
		}
		const s = this.settings;
		const jtiTtlMs = jti === undefined ? 0 : exp * 1000 + s.leewayMs - this.backend.appNow();
		const reply = await this.backend.logout({
			uTag: auth.parsed.userTag,
			fid: auth.parsed.familyId,
			denySidMs: s.denySidMs,
			jti,
			jtiTtlMs,
		});
		if (reply.revoked !== undefined) {
			this.#emit({
				type: "revoke",
				at: reply.now,
				sub: reply.revoked.sub,
				sid: reply.revoked.sid,
				familyId: auth.parsed.familyId,
				reason: "logout",
			});
		}
		return { revoked: reply.revoked !== undefined };
	}

	/**
	 * Ends one session by `sid`; see {@link SessionStore.revokeSession}.
	 *
	 * @param input - `sub` and `sid`.
	 * @returns true when a live family was revoked (the sid is denylisted either way).
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 *
	 * @example
	 * ```ts
	 * await store.revokeSession({ sub: 'u1', sid: entry.sid })
	 * ```
	 */
	async revokeSession(input: RevokeSessionInput): Promise<boolean> {
		const sub = text("sub", input?.sub, 256);
		const sid = text("sid", input?.sid, 200);
		const reply = await this.backend.revokeSid({
			uTag: b64url(await userTagBytes(sub)),
			sid,
			denySidMs: this.settings.denySidMs,
		});
		if (reply.fid !== undefined) {
			this.#emit({
				type: "revoke",
				at: reply.now,
				sub,
				sid,
				familyId: reply.fid,
				reason: "revoke_sid",
			});
		}
		return reply.fid !== undefined;
	}

	/**
	 * Logs a user out everywhere; see {@link SessionStore.logoutAll}.
	 *
	 * @param sub - the user.
	 * @param options - `exceptSid` keeps the current session.
	 * @returns how many indexed families were revoked, and the epoch (ms).
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 *
	 * @example
	 * ```ts
	 * await store.logoutAll('u1', { exceptSid: claims.sid })
	 * ```
	 */
	async logoutAll(sub: string, options?: LogoutAllOptions): Promise<LogoutAllResult> {
		text("sub", sub, 256);
		const exceptSid =
			options?.exceptSid === undefined ? undefined : text("exceptSid", options.exceptSid, 200);
		const reply = await this.backend.logoutAll({
			uTag: b64url(await userTagBytes(sub)),
			exceptSid,
			epochTtlMs: this.settings.absMs,
			denySidMs: this.settings.denySidMs,
		});
		this.#emit({ type: "logout_all", at: reply.now, sub, count: reply.revoked.length });
		return { revoked: reply.revoked.length, epoch: reply.now };
	}

	/**
	 * Lists a user's live sessions; see {@link SessionStore.listSessions}.
	 *
	 * @param sub - the user.
	 * @param options - `limit` (≤ 100, default 100) and `currentSid`.
	 * @returns entries sorted by `lastUsedAt`, newest first.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 *
	 * @example
	 * ```ts
	 * const sessions = await store.listSessions('u1', { currentSid: claims.sid })
	 * ```
	 */
	async listSessions(sub: string, options?: ListSessionsOptions): Promise<SessionInfo[]> {
		text("sub", sub, 256);
		const limit = options?.limit ?? 100;
		if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) {
			throw new StoreInputError("limit must be an integer from 1 to 100");
		}
		const current = options?.currentSid;
		const reply = await this.backend.list({ uTag: b64url(await userTagBytes(sub)), limit });
		return reply.rows
			.filter((r) => r.sub === sub)
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

	/**
	 * Checks an access token's `jti`, `sid` and the user's epoch in one round trip; see
	 * {@link SessionStore.isRevoked}.
	 *
	 * @param query - `sub`, `iat` (seconds), optional `jti` and `sid`.
	 * @returns `{ revoked, reason }`.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`: fail closed (treat as revoked).
	 *
	 * @example
	 * ```ts
	 * const { revoked } = await store.isRevoked({ sub: claims.sub, iat: claims.iat, jti: claims.jti, sid: claims.sid })
	 * ```
	 */
	async isRevoked(query: RevocationQuery): Promise<RevocationStatus> {
		const sub = text("sub", query?.sub, 256);
		const iat = seconds("iat", query.iat);
		const jti = query.jti === undefined ? undefined : text("jti", query.jti, 200);
		const sid = query.sid === undefined ? undefined : text("sid", query.sid, 200);
		const reason = await this.backend.isRevoked({
			uTag: b64url(await userTagBytes(sub)),
			jti,
			sid,
			iat,
		});
		return { revoked: reason !== null, reason };
	}

	async #deny(kind: "jti" | "sid", input: DenyInput): Promise<void> {
		const sub = text("sub", input?.sub, 256);
		const id = text(kind, input.id, 200);
		const exp = seconds("exp", input.exp);
		const ttlMs = exp * 1000 + this.settings.leewayMs - this.backend.appNow();
		if (ttlMs <= 0) return; // already expired: nothing to deny
		await this.backend.deny({ uTag: b64url(await userTagBytes(sub)), kind, id, ttlMs });
	}

	/**
	 * Denylists a `jti` until `exp` + leeway; see {@link SessionStore.denyJti}.
	 *
	 * @param input - `sub`, `id` (the jti), `exp` (seconds).
	 * @returns nothing.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 *
	 * @example
	 * ```ts
	 * await store.denyJti({ sub: claims.sub, id: claims.jti, exp: claims.exp })
	 * ```
	 */
	denyJti(input: DenyInput): Promise<void> {
		return this.#deny("jti", input);
	}

	/**
	 * Denylists a `sid` until `exp` + leeway; see {@link SessionStore.denySid}.
	 *
	 * @param input - `sub`, `id` (the sid), `exp` (seconds).
	 * @returns nothing.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 *
	 * @example
	 * ```ts
	 * await store.denySid({ sub: claims.sub, id: claims.sid, exp: claims.exp })
	 * ```
	 */
	denySid(input: DenyInput): Promise<void> {
		return this.#deny("sid", input);
	}
}
