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
	/** Seconds until the family ends (min of both deadlines): the refresh cookie's `Max-Age`. */
	maxAgeSeconds: number;
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
	/** The session to end. Its `sid` is denylisted for AT TTL + leeway even if no family is found. */
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

/** Event types. */
export type StoreEventType =
	| "login"
	| "refresh"
	| "refresh.reuse_detected"
	| "revoke"
	| "evict"
	| "logout_all";

/** An audit event. Never contains a token; at most 8 hex chars of a token hash. */
export interface StoreEvent {
	/** What happened. */
	type: StoreEventType;
	/** When (ms, store clock). */
	at: number;
	/** The user. */
	sub: string;
	/** The session, when one is concerned. */
	sid?: string;
	/** The family, when one is concerned. */
	familyId?: string;
	/** The generation presented (reuse) or minted (refresh). */
	generation?: number;
	/** First 8 hex characters of SHA-256 of the presented token (reuse only). */
	tokenHashPrefix?: string;
	/** Why (`logout`, `revoke_sid`, `reuse`, `trace_mismatch`, `replaced`, `epoch`, `cap`). */
	reason?: string;
	/** Revoked families (`logout_all`). */
	count?: number;
}

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
	 * user's least recently used families beyond the cap (event `evict`).
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_REFRESH_ABSOLUTE_EXPIRED` (authTime too old), `ERR_STORE_UNAVAILABLE`.
	 */
	login(input: LoginInput): Promise<LoginResult>;
	/** Alias of {@link SessionStore.login}. */
	createFamily(input: LoginInput): Promise<LoginResult>;
	/**
	 * Rotates a refresh token in one atomic step, with the grace window and reuse detection.
	 * @throws `ERR_REFRESH_MALFORMED`, `ERR_REFRESH_INVALID`, `ERR_REFRESH_REUSED`,
	 *   `ERR_REFRESH_IDLE_EXPIRED`, `ERR_REFRESH_ABSOLUTE_EXPIRED`, `ERR_TRACE_MISMATCH`,
	 *   `ERR_SESSION_REVOKED`, `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	rotate(refreshToken: string, options: RotateOptions): Promise<RotateResult>;
	/**
	 * Logs out one device (RFC 7009): revokes the token's family, denylists its `sid` and the
	 * given access token. Unknown, malformed or expired tokens are not an error.
	 * @throws only `ERR_STORE_UNAVAILABLE` (and `ERR_STORE_INPUT_INVALID` for a bad `accessToken`).
	 */
	logout(refreshToken: string, options?: LogoutOptions): Promise<LogoutResult>;
	/**
	 * Ends one session by `sid` and denylists the `sid`. Returns whether a live family was found.
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	revokeSession(input: RevokeSessionInput): Promise<boolean>;
	/**
	 * Logs a user out everywhere: sets the "revoked before" epoch (families created before it die
	 * at their next refresh even if missing from the index, access tokens with `iat` at or before it
	 * fail {@link SessionStore.isRevoked}) and revokes the indexed families eagerly.
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	logoutAll(sub: string, options?: LogoutAllOptions): Promise<LogoutAllResult>;
	/**
	 * The user's live sessions, most recently used first, at most `limit` (≤ 100).
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	listSessions(sub: string, options?: ListSessionsOptions): Promise<SessionInfo[]>;
	/**
	 * One round trip: is this access token revoked by its `jti`, its `sid`, or the user's epoch?
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE` (fail closed: treat as revoked).
	 */
	isRevoked(query: RevocationQuery): Promise<RevocationStatus>;
	/**
	 * Denylists an access token's `jti` until its `exp` + leeway.
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	denyJti(input: DenyInput): Promise<void>;
	/**
	 * Denylists a `sid` until `exp` + leeway (all access tokens of that session).
	 * @throws `ERR_STORE_INPUT_INVALID`, `ERR_STORE_UNAVAILABLE`.
	 */
	denySid(input: DenyInput): Promise<void>;
}
