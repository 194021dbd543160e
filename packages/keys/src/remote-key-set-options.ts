/**
 * The options of a {@link RemoteKeySet}, with their units and defaults.
 *
 * Import the type from `@xshl/keys`.
 *
 * @module
 */

import type { FetchLike } from "./internal/http";
import type { MAX_PUBLISHED_KEYS } from "./limits";
import type { RemoteKeySet } from "./remote-key-set";
import type { KeyUse } from "./types";

/** Options of {@link RemoteKeySet}. Durations are in ms. */
export interface RemoteKeySetOptions {
	/** Name of the set; feeds the session id. Required, non-empty. */
	name: string;
	/**
	 * The JWKS URL: `https:`, or `http:` on a loopback host (`localhost`, `127.0.0.0/8`,
	 * `[::1]`). Plain `http:` elsewhere is refused unless `allowInsecureHttp` is set.
	 */
	url: string | URL;
	/**
	 * Accept an `http:` URL on a host that is not loopback. ⚠️ Anyone on the network path can
	 * then serve their own keys and forge every token; each load emits a `warning` event
	 * (`code: "insecure-http"`). For a private network you trust end to end only.
	 * @default false
	 */
	allowInsecureHttp?: boolean;
	/** Freshness when the response has no `Cache-Control: max-age` or `Expires`, in ms. @default 600000 (10 min) */
	ttlMs?: number;
	/** Lower clamp of the freshness (also used for `no-cache`/`no-store`), in ms. @default 60000 (60 s) */
	minTtlMs?: number;
	/** Upper clamp of the freshness, in ms. @default 86400000 (24 h) */
	maxTtlMs?: number;
	/** How long past expiry the last good set keeps serving while refreshes fail, in ms; `Infinity` only when set explicitly. @default 43200000 (12 h) */
	maxStaleMs?: number;
	/** At most one fetch per window for unknown kids, measured from the last attempt, in ms. @default 30000 (30 s) */
	cooldownMs?: number;
	/** Timeout of one request, covering headers and body, in ms. @default 5000 */
	timeoutMs?: number;
	/** Total time of a foreground load (first load, unknown kid) across retries, in ms. @default 10000 */
	foregroundBudgetMs?: number;
	/** Retries after the first attempt on network errors, timeouts, 408, 429 and 5xx. @default 2 */
	retries?: number;
	/** First retry delay before jitter, doubled each retry, in ms. @default 200 */
	retryBaseDelayMs?: number;
	/** Cap of a retry delay (also caps `Retry-After`), in ms. @default 2000 */
	retryMaxDelayMs?: number;
	/** First delay before the next background refresh after a failed one, doubled each time, in ms. @default 5000 */
	errorBackoffMs?: number;
	/** Cap of the background error backoff, in ms. @default 300000 (5 min) */
	errorBackoffMaxMs?: number;
	/** Response body limit, in bytes; checked on `Content-Length` and while streaming. @default 131072 (128 KiB) */
	maxResponseBytes?: number;
	/** Maximum number of keys in the set ({@link MAX_PUBLISHED_KEYS}). @default 100 */
	maxKeys?: number;
	/** Most kids kept in the unknown-kid memo (LRU, entries expire with the cooldown). @default 1024 */
	maxUnknownKids?: number;
	/** Keep only keys usable for this purpose. @default both `sig` and `enc` */
	use?: KeyUse;
	/** Extra request headers (e.g. `user-agent`). @default {} */
	headers?: Record<string, string>;
	/** Origins (e.g. `https://cdn.example`) a redirect may go to besides the URL's own. @default [] */
	allowRedirectOrigins?: string[];
	/**
	 * The fetch implementation. Use it for a custom CA or mTLS (see `createNodeFetch` in
	 * `@xshl/keys/node`), a proxy, or tests. It always receives an `AbortSignal`.
	 * @default globalThis.fetch
	 */
	fetch?: FetchLike;
	/** An undici `Dispatcher` (e.g. `new Agent({ connect: { ca } })`) passed to `fetch` as `dispatcher`. @default undefined */
	dispatcher?: unknown;
	/** Refresh on an `unref()`'d timer as well as on access. @default false */
	autoRefresh?: boolean;
	/**
	 * Let concurrent callers await one fetch. Runtimes that forbid awaiting another request's
	 * I/O (Cloudflare Workers, Vercel Edge: detected as jose does) default to `false`: on a
	 * cold start each caller that finds a load in flight makes its own fetch (as jose does
	 * there), so no request fails while the JWKS is reachable; an unknown kid looked up while
	 * a refresh is in flight gets `ERR_KEYS_NO_MATCHING_KEY` reason `cooldown`, so the
	 * cooldown still bounds fetches in a flood.
	 * @default true, except on workerd and Vercel Edge
	 */
	shareInflight?: boolean;
	/** Clock, in ms since the epoch (freshness, cooldown, staleness). @default Date.now */
	now?: () => number;
	/** Random source in [0, 1) for jitter. @default Math.random */
	random?: () => number;
}
