// How long a fetched JWKS stays fresh (RFC 9111: max-age minus Age, then Expires, then the
// fallback TTL, clamped) and when its background refresh starts.

/** The clamp and fallback of the freshness, in ms. */
export interface FreshnessLimits {
	/** Freshness when the response has no `Cache-Control: max-age` or `Expires`, in ms. */
	ttlMs: number;
	/** Lower clamp (also used for `no-cache`/`no-store`), in ms. */
	minTtlMs: number;
	/** Upper clamp, in ms. */
	maxTtlMs: number;
}

/** `Cache-Control` directives, lower-cased, values unquoted. */
export function cacheDirectives(cacheControl: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const part of cacheControl.toLowerCase().split(",")) {
		const [k, v] = part.split("=", 2);
		if (k?.trim()) out.set(k.trim(), (v ?? "").trim().replace(/^"|"$/g, ""));
	}
	return out;
}

/**
 * The freshness of a response, in ms: `no-store`/`no-cache` → `minTtlMs`; `max-age` (seconds)
 * minus `Age`; else `Expires` minus `Date` (or `now`); else `ttlMs`; clamped to
 * [`minTtlMs`, `maxTtlMs`].
 */
export function freshnessMs(headers: Headers, now: number, limits: FreshnessLimits): number {
	const cc = cacheDirectives(headers.get("cache-control") ?? "");
	let fresh: number;
	const maxAge = cc.get("max-age");
	if (cc.has("no-store") || cc.has("no-cache")) fresh = limits.minTtlMs;
	else if (maxAge !== undefined && /^\d+$/.test(maxAge)) {
		const age = Number(headers.get("age") ?? 0);
		fresh = (Number(maxAge) - (Number.isFinite(age) && age > 0 ? age : 0)) * 1000;
	} else if (headers.get("expires") !== null) {
		const exp = Date.parse(headers.get("expires")!);
		const date = Date.parse(headers.get("date") ?? "");
		fresh = Number.isNaN(exp) ? 0 : exp - (Number.isNaN(date) ? now : date);
	} else fresh = limits.ttlMs;
	return Math.min(limits.maxTtlMs, Math.max(limits.minTtlMs, fresh));
}

/** When a set fetched at `fetchedAt` refreshes: at 80 % of its freshness, ±10 % jitter. */
export function refreshAt(fetchedAt: number, freshMs: number, random: () => number): number {
	return Math.round(fetchedAt + freshMs * (0.8 + (random() * 0.2 - 0.1)));
}
