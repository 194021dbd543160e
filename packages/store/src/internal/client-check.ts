// Startup checks of the ioredis client a RedisStore gets. An ioredis `Cluster` must not resend
// a command after the store has answered: no resend of a command whose connection closed (it
// may have run; the store retries the same attempt itself, inside its timeout), no offline
// queue that sends commands whenever the cluster is ready again, and every MOVED / ASK /
// TRYAGAIN / CLUSTERDOWN redirection chain must end inside the store's call timeout.
/** A config issue (the shape of every package's `ConfigIssue`). */
interface ConfigIssue {
	readonly path: string;
	readonly message: string;
}

interface ClusterLikeOptions {
	enableOfflineQueue?: unknown;
	maxRedirections?: unknown;
	retryDelayOnFailover?: unknown;
	retryDelayOnClusterDown?: unknown;
	retryDelayOnTryAgain?: unknown;
	retryDelayOnMoved?: unknown;
	clusterNodeRetryStrategy?: unknown;
	redisOptions?: { autoResendUnfulfilledCommands?: unknown };
}

/**
 * True for an ioredis `Cluster` (it sets `isCluster`).
 *
 * @param client - any client.
 * @returns whether it is an ioredis `Cluster`.
 * @example
 * ```ts
 * isClusterClient(new Cluster(nodes)) // true
 * ```
 */
export function isClusterClient(client: unknown): boolean {
	return (
		typeof client === "object" &&
		client !== null &&
		(client as { isCluster?: unknown }).isCluster === true
	);
}

function n(v: unknown, fallback: number): number {
	return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/**
 * The settings of an ioredis `Cluster` that would let it resend a command after the store
 * answered, as config issues (empty when the client is safe or not a Cluster).
 *
 * @param client - the client given to the store.
 * @param timeoutMs - the store's call timeout.
 * @returns one issue per unsafe setting, `path` under `client.options`.
 * @example
 * ```ts
 * clusterClientIssues(new Cluster(nodes), 250).map((i) => i.path)
 * // ['client.options.enableOfflineQueue', 'client.options.retryDelayOnFailover', 'client.options.maxRedirections']
 * ```
 */
export function clusterClientIssues(client: unknown, timeoutMs: number): ConfigIssue[] {
	if (!isClusterClient(client)) return [];
	const o = ((client as { options?: ClusterLikeOptions }).options ?? {}) as ClusterLikeOptions;
	const issues: ConfigIssue[] = [];
	if (o.enableOfflineQueue !== false) {
		issues.push({
			path: "client.options.enableOfflineQueue",
			message:
				"must be false: a queued command is sent whenever the cluster is ready again, after the store gave up",
		});
	}
	if (n(o.retryDelayOnFailover, 100) !== 0) {
		issues.push({
			path: "client.options.retryDelayOnFailover",
			message:
				"must be 0: a command whose connection closed may have run; the store retries the same attempt itself",
		});
	}
	const redirections = n(o.maxRedirections, 16);
	const delay = Math.max(
		n(o.retryDelayOnClusterDown, 100),
		n(o.retryDelayOnTryAgain, 100),
		n(o.retryDelayOnMoved, 0),
	);
	if (redirections * delay >= timeoutMs) {
		issues.push({
			path: "client.options.maxRedirections",
			message: `maxRedirections × the largest retryDelayOn* (${redirections} × ${delay} ms) must stay under timeoutMs (${timeoutMs} ms), so no redirection is resent after the store answered`,
		});
	}
	if (
		typeof o.clusterNodeRetryStrategy === "function" &&
		o.redisOptions?.autoResendUnfulfilledCommands !== false
	) {
		issues.push({
			path: "client.options.redisOptions.autoResendUnfulfilledCommands",
			message:
				"must be false with a clusterNodeRetryStrategy: a reconnecting node would resend commands after the store answered",
		});
	}
	return issues;
}
