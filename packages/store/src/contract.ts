/**
 * The `SessionStore` contract shared by {@link MemoryStore} (`@xshl/session-store`) and
 * `RedisStore` (`@xshl/session-store/redis`). One contract test suite runs against both.
 *
 * Units: values that mirror JWT claims (`authTime`, `iat`, `exp`) are NumericDate
 * **seconds**; store timestamps (`createdAt`, `lastUsedAt`, `…ExpiresAt`, event `at`) are
 * **milliseconds** since the epoch, on the store's clock (Redis `TIME` for Redis).
 *
 * Import the types from `@xshl/session-store`.
 *
 * @module
 */
import type { StoreOperation } from "./stats";

/** Coarse client information kept with a family (shown in session lists). */
export interface ClientInput {
	/** The `User-Agent` header; only a coarse `browser`/`os` pair is kept. */
	userAgent?: string;
	/** The client IP; only the /24 (IPv4) or /48 (IPv6) prefix is kept. */
	ip?: string;
}

/** What a login needs to open a family. */
export interface LoginInput {
	/** The user (`sub` claim), 1–256 characters. */
	sub: string;
	/** The login trace as text (e.g. `String(trace)` of `@xshl/trace`), 1–512 characters. */
	trace: string;
	/**
	 * The session id (`sid` claim), 1–200 characters. Default: a random UUID. A login with a
	 * `sid` that already has a live family replaces (revokes) that family.
	 */
	sid?: string;
	/** `auth_time` in NumericDate seconds. Default: now (store clock). The absolute deadline counts from it; a future value is clamped to now. */
	authTime?: number;
	/** Coarse client info for the session list. */
	client?: ClientInput;
}

/** Deadlines and identity of a family, returned by login and rotation. */
export interface FamilyState {
	/** The family (one per login). */
	familyId: string;
	/** The user. */
	sub: string;
	/** The session id: put it in the access token's `sid`. */
	sid: string;
	/** The login trace. */
	trace: string;
	/** `auth_time`, NumericDate seconds: put it in the access token. */
	authTime: number;
	/** Generation of the returned refresh token. */
	generation: number;
	/** When the family was created (ms). */
	createdAt: number;
	/** The idle deadline (ms); moves with each rotation. */
	idleExpiresAt: number;
	/** The absolute deadline (ms); never moves. */
	absoluteExpiresAt: number;
	/**
	 * Milliseconds until the family ends (min of both deadlines); the refresh cookie's
	 * `Max-Age` is `Math.floor(maxAgeMs / 1000)` (cookies count in seconds).
	 */
	maxAgeMs: number;
}

/** The result of {@link SessionStore.login}. */
export interface LoginResult extends FamilyState {
	/** The new refresh token (`xrt1.…`, generation 0). Hand it to the client only. */
	refreshToken: string;
	/** Session ids of families evicted because the user exceeded the per-user cap. */
	evicted: string[];
}

/** Options of {@link SessionStore.rotate}. */
export interface RotateOptions {
	/** The trace of the refreshing client; must equal the login trace (policy `traceMismatch`). */
	trace: string;
}

/** The result of {@link SessionStore.rotate}. */
export interface RotateResult extends FamilyState {
	/** The successor refresh token. */
	refreshToken: string;
	/** True when this was a grace replay: the same successor an earlier call got. */
	replay: boolean;
}

/** An access token to denylist along with a logout. */
export interface AccessTokenRef {
	/** Its `jti`. */
	jti: string;
	/** Its `exp`, NumericDate seconds; the entry lives until `exp` + leeway. */
	exp: number;
}

/** Options of {@link SessionStore.logout}. */
export interface LogoutOptions {
	/** The current access token, denylisted by `jti` until its `exp` + leeway. */
	accessToken?: AccessTokenRef;
}

/** The result of {@link SessionStore.logout}. */
export interface LogoutResult {
	/** True when a live family was revoked; false for unknown, malformed or already dead tokens. */
	revoked: boolean;
}

/** Input of {@link SessionStore.revokeSession}. */
export interface RevokeSessionInput {
	/** The user. */
	sub: string;
	/**
	 * The session to end. When a live family has it, the family is revoked and the `sid`
	 * denylisted for AT TTL + leeway; an unknown `sid` writes nothing.
	 */
	sid: string;
}

/** Options of {@link SessionStore.logoutAll}. */
export interface LogoutAllOptions {
	/** Keep this session alive (its family and its access tokens). */
	exceptSid?: string;
}

/** The result of {@link SessionStore.logoutAll}. */
export interface LogoutAllResult {
	/** Families found in the index and revoked eagerly (others die at their next refresh). */
	revoked: number;
	/** The new "revoked before" epoch (ms, store clock). */
	epoch: number;
}

/** Options of {@link SessionStore.listSessions}. */
export interface ListSessionsOptions {
	/**
	 * At most this many entries, newest use first.
	 * @default 100 (also the maximum)
	 */
	limit?: number;
	/** Marks the entry with this `sid` as `current`. */
	currentSid?: string;
}

/** One entry of {@link SessionStore.listSessions}. */
export interface SessionInfo {
	/** The family. */
	familyId: string;
	/** The session id. */
	sid: string;
	/** `auth_time`, seconds. */
	authTime: number;
	/** Created (ms). */
	createdAt: number;
	/** Last rotation or login (ms). */
	lastUsedAt: number;
	/** Idle deadline (ms). */
	idleExpiresAt: number;
	/** Absolute deadline (ms). */
	absoluteExpiresAt: number;
	/** Coarse browser name, e.g. `Firefox`, or `undefined`. */
	browser: string | undefined;
	/** Coarse OS name, e.g. `Linux`, or `undefined`. */
	os: string | undefined;
	/** IP prefix (`203.0.113.0/24`, `2001:db8:1::/48`) or `undefined`. */
	ipPrefix: string | undefined;
	/** True for `options.currentSid`. */
	current: boolean;
}

/** Input of {@link SessionStore.isRevoked}. */
export interface RevocationQuery {
	/** The user (`sub`). */
	sub: string;
	/** The access token's `iat`, seconds; compared with the user's logout-everywhere epoch. */
	iat: number;
	/** The access token's `jti`. */
	jti?: string;
	/** The access token's `sid`. */
	sid?: string;
}

/** Why an access token is revoked. */
export type RevocationReason = "jti" | "sid" | "epoch";

/** The answer of {@link SessionStore.isRevoked}. */
export interface RevocationStatus {
	/** True when any check matched. */
	revoked: boolean;
	/** The first matching check, or `null`. */
	reason: RevocationReason | null;
}

/** Input of {@link SessionStore.denyJti} and {@link SessionStore.denySid}. */
export interface DenyInput {
	/** The user. */
	sub: string;
	/** The `jti` or `sid` to deny. */
	id: string;
	/** The token's `exp`, seconds; the entry lives until `exp` + leeway. */
	exp: number;
}

/** Why a family was revoked (`revoke` events). */
export type RevokeReason =
	| "logout"
	| "revoke_sid"
	| "reuse"
	| "trace_mismatch"
	| "replaced"
	| "epoch";

/**
 * Payloads of every store event, by type. Events never contain a token; at most 8 hex
 * characters of a token hash. `at` is ms on the store's clock (Redis `TIME` for Redis).
 */
export interface StoreEvents {
	/** A family was opened. */
	login: { at: number; sub: string; sid: string; familyId: string; generation: 0 };
	/** A token was rotated; `generation` is the new one. */
	refresh: { at: number; sub: string; sid: string; familyId: string; generation: number };
	/**
	 * A grace replay: the immediate predecessor came back within `graceMs` from the login
	 * trace and got the same successor again (`rotate` answered `replay: true`); nothing was
	 * rotated. `generation` is the successor's, handed out again.
	 */
	"refresh.replay": { at: number; sub: string; sid: string; familyId: string; generation: number };
	/** An ancestor was replayed (or the trace changed under `revoke-family`): the family died. */
	"refresh.reuse_detected": {
		at: number;
		sub: string;
		sid: string;
		familyId: string;
		/** The generation presented. */
		generation: number;
		/** First 8 hex characters of SHA-256 of the presented token. */
		tokenHashPrefix: string;
		reason: "reuse" | "trace_mismatch";
	};
	/** A family was revoked. */
	revoke: { at: number; sub: string; sid: string; familyId: string; reason: RevokeReason };
	/** A family was evicted because the user passed `maxSessionsPerUser`. */
	evict: { at: number; sub: string; sid: string; familyId: string; reason: "cap" };
	/**
	 * Logout everywhere; `count` families were revoked eagerly. `at` is the new "revoked
	 * before" epoch (tokens with `iat * 1000 <= at` are revoked), `exceptSid` the session kept.
	 */
	logout_all: { at: number; sub: string; count: number; exceptSid?: string };
	/**
	 * `denyJti` / `denySid` denylisted an access token (`kind: "jti"`) or a session id
	 * (`kind: "sid"`) until `exp` (NumericDate seconds); not emitted for an `exp` already past.
	 */
	deny: { at: number; sub: string; kind: "jti" | "sid"; id: string; exp: number };
	/**
	 * The backing client reported an error (connection lost, cluster node error) outside any
	 * call, or a call failed (`op` set). `RedisStore` only; the error never carries a token.
	 */
	error: {
		at: number;
		/** `client`: the client's `error` event; `node`: a Cluster node's; `call`: a failed store call. */
		source: "client" | "node" | "call";
		/** The store operation that failed (`source: "call"`). */
		op?: StoreOperation;
		/** The Cluster node (`host:port`, `source: "node"`). */
		address?: string;
		/** What failed (a `StoreError` for calls; the client's own error otherwise). */
		error: Error;
	};
	/**
	 * One backend call ended (one per operation that reaches the store; input errors and
	 * malformed tokens never do). Measured only while a `call` listener is attached (and always
	 * on `RedisStore`, for `stats()`): no clock read otherwise. `outcome` is the call's own
	 * (`error`: the store was down, slow or refused), not the operation's verdict: a rotation
	 * refused as reuse is an `ok` call followed by `refresh.reuse_detected`.
	 */
	call: {
		/** The operation. */
		op: StoreOperation;
		/** `ok` when the backend answered, `error` when the call failed. */
		outcome: "ok" | "error";
		/** The error's code when it failed (`ERR_STORE_UNAVAILABLE`, …); `undefined` on `ok`. */
		code: string | undefined;
		/** Wall time of the call, in ms (`performance.now()` based). */
		durationMs: number;
		/** When the call started, ms since the epoch (`Date.now()`, this process' clock). */
		startedAt: number;
	};
}

/** Every event type. */
export type StoreEventType = keyof StoreEvents;

/** One event with its `type`: what a listener shared by several types can switch on. */
export type StoreEvent = { [K in StoreEventType]: { type: K } & StoreEvents[K] }[StoreEventType];

/** A listener for one event type; a listener that throws never breaks the call. */
export type StoreListener<K extends StoreEventType> = (event: StoreEvents[K]) => void;

/**
 * The contract every store implements. All methods are async and, on Redis, bounded by the
 * op timeout (`ERR_STORE_UNAVAILABLE` when exceeded).
 *
 * @example
 * ```ts
 * import { MemoryStore, type SessionStore } from '@xshl/session-store'
 * const store: SessionStore = new MemoryStore()
 * const login = await store.login({ sub: 'u1', trace: 'trace-1' })
 * const next = await store.rotate(login.refreshToken, { trace: 'trace-1' })
 * ```
 */
export interface SessionStore {
	/**
	 * Opens a family (one per login) and returns its generation-0 refresh token. Evicts the
	 * user's least recently used families beyond the cap (event `evict`); a live family with
	 * the same `sid` is replaced (event `revoke`, reason `replaced`).
	 *
	 * @param input - `sub`, `trace`, optional `sid`, `authTime` (NumericDate seconds) and `client`.
	 * @returns the refresh token, the family's identity and deadlines, and the evicted sids.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID` on a bad argument.
	 * @throws {RefreshAbsoluteExpiredError} `ERR_STORE_REFRESH_ABSOLUTE_EXPIRED` when `authTime` is older than the absolute timeout.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` when the store is down or slow.
	 * @example
	 * ```ts
	 * const { refreshToken, sid, authTime } = await store.login({ sub: 'u1', trace: String(trace) })
	 * ```
	 */
	login(input: LoginInput): Promise<LoginResult>;
	/**
	 * Rotates a refresh token in one atomic step:
	 * - current token + login trace → a new generation (`replay: false`);
	 * - immediate predecessor, within `graceMs`, same trace, ≤ `maxGraceReplays` times → the
	 *   same successor again (`replay: true`), decrypted with a key derived from the presented
	 *   secret (the store cannot decrypt it alone);
	 * - any other ancestor → the family is revoked, its `sid` denylisted for AT TTL + leeway,
	 *   event `refresh.reuse_detected`.
	 *
	 * @param refreshToken - the presented `xrt1.…` token.
	 * @param options - `trace`: the refreshing client's trace.
	 * @returns the successor token and the family state (put `sid`, `trace`, `authTime` in the new access token).
	 * @throws {RefreshMalformedError} `ERR_STORE_REFRESH_MALFORMED` before any store call.
	 * @throws {RefreshInvalidError} `ERR_STORE_REFRESH_INVALID` (not minted here, or unknown family); nothing revoked.
	 * @throws {RefreshReusedError} `ERR_STORE_REFRESH_REUSED` (the family is revoked now).
	 * @throws {SessionRevokedError} `ERR_STORE_SESSION_REVOKED` (revoked before, or logout everywhere).
	 * @throws {RefreshIdleExpiredError} `ERR_STORE_REFRESH_IDLE_EXPIRED`.
	 * @throws {RefreshAbsoluteExpiredError} `ERR_STORE_REFRESH_ABSOLUTE_EXPIRED`.
	 * @throws {TraceMismatchError} `ERR_STORE_TRACE_MISMATCH`.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID` (bad `trace`).
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` (a retry of the same token within
	 *   the grace window returns the successor if the step did commit).
	 * @example
	 * ```ts
	 * const next = await store.rotate(cookieValue, { trace: String(trace) })
	 * ```
	 */
	rotate(refreshToken: string, options: RotateOptions): Promise<RotateResult>;
	/**
	 * Logs out one device (RFC 7009): revokes the token's family, denylists its `sid` and the
	 * given access token. Unknown, malformed or expired tokens are not an error.
	 *
	 * @param refreshToken - the device's refresh token (any authentic generation).
	 * @param options - `accessToken: { jti, exp }` to denylist as well.
	 * @returns `{ revoked }`: whether a live family was revoked.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID` for a bad `accessToken`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`; never for unknown tokens.
	 * @example
	 * ```ts
	 * await store.logout(cookieValue, { accessToken: { jti: claims.jti, exp: claims.exp } })
	 * ```
	 */
	logout(refreshToken: string, options?: LogoutOptions): Promise<LogoutResult>;
	/**
	 * Ends one session by `sid`: revokes its live family and denylists the `sid`. An unknown
	 * `sid` writes nothing.
	 *
	 * @param input - `sub` and `sid`.
	 * @returns true when a live family was revoked.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 * @example
	 * ```ts
	 * await store.revokeSession({ sub: 'u1', sid: entry.sid })
	 * ```
	 */
	revokeSession(input: RevokeSessionInput): Promise<boolean>;
	/**
	 * Logs a user out everywhere: sets the "revoked before" epoch (families created before it
	 * die at their next refresh even if missing from the index, access tokens with `iat` at or
	 * before it fail {@link SessionStore.isRevoked}) and revokes the indexed families eagerly.
	 *
	 * @param sub - the user.
	 * @param options - `exceptSid` keeps the current session.
	 * @returns how many indexed families were revoked, and the epoch (ms).
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 * @example
	 * ```ts
	 * await store.logoutAll('u1', { exceptSid: claims.sid })
	 * ```
	 */
	logoutAll(sub: string, options?: LogoutAllOptions): Promise<LogoutAllResult>;
	/**
	 * The user's live sessions, most recently used first.
	 *
	 * @param sub - the user.
	 * @param options - `limit` (1–100, default 100) and `currentSid`.
	 * @returns the entries, newest use first.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 * @example
	 * ```ts
	 * const sessions = await store.listSessions('u1', { currentSid: claims.sid })
	 * ```
	 */
	listSessions(sub: string, options?: ListSessionsOptions): Promise<SessionInfo[]>;
	/**
	 * One round trip: is this access token revoked by its `jti`, its `sid`, or the user's epoch?
	 *
	 * @param query - `sub`, `iat` (seconds), optional `jti` and `sid`.
	 * @returns `{ revoked, reason }`.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`: fail closed (treat as revoked).
	 * @example
	 * ```ts
	 * const { revoked } = await store.isRevoked({ sub: claims.sub, iat: claims.iat, jti: claims.jti, sid: claims.sid })
	 * ```
	 */
	isRevoked(query: RevocationQuery): Promise<RevocationStatus>;
	/**
	 * Denylists an access token's `jti` until its `exp` + leeway, at most AT TTL + leeway (a
	 * far-future `exp` is clamped). An already expired token writes nothing.
	 *
	 * @param input - `sub`, `id` (the jti), `exp` (seconds).
	 * @returns nothing.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 * @example
	 * ```ts
	 * await store.denyJti({ sub: claims.sub, id: claims.jti, exp: claims.exp })
	 * ```
	 */
	denyJti(input: DenyInput): Promise<void>;
	/**
	 * Denylists a `sid` (all access tokens of that session) until `exp` + leeway, clamped as
	 * for {@link SessionStore.denyJti}.
	 *
	 * @param input - `sub`, `id` (the sid), `exp` (seconds).
	 * @returns nothing.
	 * @throws {StoreInputError} `ERR_STORE_INPUT_INVALID`.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE`.
	 * @example
	 * ```ts
	 * await store.denySid({ sub: claims.sub, id: claims.sid, exp: claims.exp })
	 * ```
	 */
	denySid(input: DenyInput): Promise<void>;
	/**
	 * Subscribes to one event type.
	 *
	 * @param type - the event type (`login`, `refresh`, `refresh.replay`, `refresh.reuse_detected`, `revoke`, `evict`, `logout_all`, `call`, `error`).
	 * @param listener - called synchronously after the change with the payload; exceptions are swallowed.
	 * @returns a function that unsubscribes.
	 * @example
	 * ```ts
	 * const off = store.on('refresh.reuse_detected', (e) => log.warn({ sid: e.sid }, 'refresh token reuse'))
	 * off()
	 * ```
	 */
	on<K extends StoreEventType>(type: K, listener: StoreListener<K>): () => void;
}
