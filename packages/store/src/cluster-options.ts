/**
 * The ioredis `Cluster` settings `RedisStore` is tested with.
 *
 * Import from `@xshl/session-store/redis`.
 *
 * @module
 */

/** The ioredis `ClusterOptions` members {@link clusterClientOptions} sets (structural: no ioredis import). */
export interface SafeClusterOptions {
	/** No offline queue: while the slot map is refreshed calls fail fast instead of being sent later. */
	enableOfflineQueue: false;
	/** Redirections (`MOVED`, `ASK`) followed per command. */
	maxRedirections: number;
	/** Delay before following a `MOVED`, ms. */
	retryDelayOnMoved: number;
	/** Delay before resending after a failover, ms (0: the store retries the same attempt itself). */
	retryDelayOnFailover: number;
	/** Delay before resending after `CLUSTERDOWN`, ms. */
	retryDelayOnClusterDown: number;
	/** Delay before resending after `TRYAGAIN`, ms. */
	retryDelayOnTryAgain: number;
	/** Time allowed for one slot-map refresh, ms. */
	slotsRefreshTimeout: number;
	/** Topology poll, ms: a paused primary answers nothing, so no error would trigger a refresh. */
	slotsRefreshInterval: number;
	/** Reconnect delay of the whole cluster client after `times` failures, ms. */
	clusterRetryStrategy: (times: number) => number;
	/** Options of each node connection: a short connect timeout and no resend per request. */
	redisOptions: { connectTimeout: number; maxRetriesPerRequest: number };
}

/**
 * The ioredis `Cluster` options the store's cluster suite and failover tests run with: no
 * offline queue, no resend of a command whose connection closed (it may have run; the store
 * retries the same attempt itself, inside its timeout), every `MOVED`/`ASK`/`TRYAGAIN`/
 * `CLUSTERDOWN` chain inside the default 250 ms call timeout, and a topology poll so a paused
 * primary is noticed. `RedisStore` refuses a `Cluster` whose settings could resend after it
 * answered; these pass. Spread them first and override only what you measured.
 *
 * @returns a fresh options object (safe to mutate).
 * @example
 * ```ts
 * import { Cluster } from 'ioredis'
 * import { clusterClientOptions, RedisStore } from '@xshl/session-store/redis'
 * const client = new Cluster([{ host: '10.0.0.1', port: 6379 }], clusterClientOptions())
 * const store = new RedisStore({ client, prefix: 'sess' })
 * await store.ready()
 * ```
 */
export function clusterClientOptions(): SafeClusterOptions {
	return {
		enableOfflineQueue: false,
		maxRedirections: 6,
		retryDelayOnMoved: 0,
		retryDelayOnFailover: 0,
		retryDelayOnClusterDown: 10,
		retryDelayOnTryAgain: 10,
		slotsRefreshTimeout: 200,
		slotsRefreshInterval: 500,
		clusterRetryStrategy: (times) => Math.min(50 * times, 500),
		redisOptions: { connectTimeout: 500, maxRetriesPerRequest: 0 },
	};
}
