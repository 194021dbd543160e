/**
 * Rate-limit hooks: the server asks before work, keyed on what the handler parsed (the
 * client's IPv4 address or IPv6 /64 for login, the refresh token's family for refresh).
 */

/** What is being limited. */
export type RateLimitAction = "login" | "refresh";

/** One question to the rate limiter. */
export interface RateLimitRequest {
	/** The operation. */
	readonly action: RateLimitAction;
	/**
	 * The bucket: `ip:<address>/32` or `ip:<prefix>/64` for login; `family:<familyId>` for a
	 * well-formed refresh token, else `ip:…`.
	 */
	readonly key: string;
	/** The request (read-only use). */
	readonly request: Request;
}

/** The answer: allowed, or refused with the wait in milliseconds. */
export type RateLimitDecision =
	| { readonly allowed: true }
	| { readonly allowed: false; readonly retryAfterMs: number };

/** A rate limiter: a function the server awaits before login and refresh. */
export type RateLimitHook = (
	request: RateLimitRequest,
) => RateLimitDecision | Promise<RateLimitDecision>;

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
	/** Requests allowed per window, per action. @default { login: 10, refresh: 30 } */
	limits?: Partial<Record<RateLimitAction, number>>;
	/** Window length in milliseconds. @default 60000 */
	windowMs?: number;
	/** Most buckets kept (oldest dropped first). @default 10000 */
	maxKeys?: number;
	/** Clock in milliseconds. @default Date.now */
	now?: () => number;
}

/**
 * A fixed-window limiter in memory (one process; put a shared one behind the hook for
 * several instances).
 *
 * @param options - limits, window, clock.
 * @returns the hook.
 * @example
 * ```ts
 * createSessionServer({ ...options, rateLimit: createMemoryRateLimiter({ limits: { login: 5 } }) })
 * ```
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimitHook {
	const limits: Record<RateLimitAction, number> = {
		login: options.limits?.login ?? 10,
		refresh: options.limits?.refresh ?? 30,
	};
	const windowMs = options.windowMs ?? 60_000;
	const maxKeys = options.maxKeys ?? 10_000;
	const now = options.now ?? Date.now;
	const buckets = new Map<string, { count: number; resetAt: number }>();
	return ({ action, key }) => {
		const t = now();
		const k = `${action}|${key}`;
		let b = buckets.get(k);
		if (!b || b.resetAt <= t) {
			buckets.delete(k);
			if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
			b = { count: 0, resetAt: t + windowMs };
			buckets.set(k, b);
		}
		b.count++;
		return b.count <= limits[action]
			? { allowed: true }
			: { allowed: false, retryAfterMs: b.resetAt - t };
	};
}
