/** One verified token kept by {@link VerifiedTokenCache}. */
export interface CacheEntry<V> {
	/** The deep-frozen result (claims and protected header). */
	readonly value: V;
	readonly alg: string;
	readonly exp: number;
	readonly nbf: number;
	readonly iat: number;
	/** Reuse before this time (ms): `min(exp, cached at + maxAgeMs)`. */
	readonly until: number;
}

/**
 * The opt-in verified-token cache: an LRU keyed by the exact token string. It only stores
 * and evicts; the per-call checks of a hit (times, allowlist, `sid`, `trace`) are the
 * verifier's.
 */
export class VerifiedTokenCache<V> {
	readonly #map = new Map<string, CacheEntry<V>>();
	readonly #maxEntries: number;
	readonly #maxAgeMs: number;

	constructor(maxEntries: number, maxAgeMs: number | undefined) {
		this.#maxEntries = maxEntries;
		this.#maxAgeMs = maxAgeMs ?? Infinity;
	}

	/** The entry usable at `ms`, moved to the most recently used end; stale entries go. */
	get(token: string, ms: number): CacheEntry<V> | undefined {
		const entry = this.#map.get(token);
		if (entry === undefined) return undefined;
		this.#map.delete(token);
		if (!(ms < entry.until)) return undefined;
		this.#map.set(token, entry);
		return entry;
	}

	delete(token: string): void {
		this.#map.delete(token);
	}

	/** Keeps a verification until the token's `exp` (or `maxAgeMs`), evicting the oldest. */
	remember(
		token: string,
		value: V,
		alg: string,
		times: { exp: number; nbf: number; iat: number },
		ms: number,
	): void {
		const until = Math.min(times.exp * 1000, ms + this.#maxAgeMs);
		if (!(until > ms)) return;
		this.#map.set(token, { value, alg, exp: times.exp, nbf: times.nbf, iat: times.iat, until });
		if (this.#map.size > this.#maxEntries) {
			this.#map.delete(this.#map.keys().next().value as string);
		}
	}
}

/**
 * Freezes plain objects and arrays, deeply (cached claims are shared between callers). Other
 * objects a custom schema may produce (a `Date`, a typed array, a class instance) are left as
 * they are: freezing cannot protect their internal state, and typed arrays cannot be frozen.
 */
export function deepFreeze<T>(value: T): T {
	if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
	const proto = Object.getPrototypeOf(value);
	if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
	Object.freeze(value);
	for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
	return value;
}
