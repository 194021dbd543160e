/**
 * Per-operation call statistics of `RedisStore#stats()`: calls, errors, timeouts and latency
 * percentiles, for dashboards and alerts.
 *
 * Import the types from `@xshl/session-store/redis` (or `@xshl/session-store`).
 *
 * @module
 */

/** The store operations that reach the backend (`pepper`: loading the shared pepper once). */
export type StoreOperation =
	| "login"
	| "rotate"
	| "logout"
	| "revokeSession"
	| "logoutAll"
	| "listSessions"
	| "isRevoked"
	| "denyJti"
	| "denySid"
	| "pepper";

/** Counters and latency of one operation since the store was built. */
export interface OperationStats {
	/** Calls that reached the backend (input errors and malformed tokens never do). */
	calls: number;
	/** Calls that failed (`ERR_STORE_UNAVAILABLE`, or a refused client), timeouts included. */
	errors: number;
	/** Failed calls that ran out the call timeout (`timeoutMs`). */
	timeouts: number;
	/**
	 * Latency percentiles in ms over the last 1 024 calls (successful and failed), 0 when there
	 * was no call; `maxMs` is the largest of those calls.
	 */
	p50Ms: number;
	/** 90th percentile, ms. */
	p90Ms: number;
	/** 99th percentile, ms. */
	p99Ms: number;
	/** Slowest of the last 1 024 calls, ms. */
	maxMs: number;
}

/** `RedisStore#stats()`: one entry per operation. */
export type StoreStats = { readonly [K in StoreOperation]: OperationStats };
