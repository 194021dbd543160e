/**
 * A JWKS fetched from a URL and cached: TTL refresh in the background while the current set
 * keeps serving, serve-stale-on-error up to a maximum staleness, single-flight fetches, an
 * unknown-kid cooldown, capped and timed-out requests with bounded retries.
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

import * as z from "zod";
import { KeysError, KeysJwksInvalidError, KeysUnavailableError } from "./errors";
import { KeySetEmitter, type KeySetEvent } from "./events";
import { configIssue, zodConfigError } from "./internal/config-error";
import { type Conditional, type FetchLike, fetchWithRetries } from "./internal/http";
import { checkKid, jwksShape, KeyIndex, noMatch, parseKeys, truncKid } from "./internal/jwk";
import type {
	KeyGetOptions,
	KeyQuery,
	KeySet,
	KeySetLoadOptions,
	KeyUse,
	PublicJwks,
	ResolverHeader,
} from "./types";

/** Options of {@link RemoteKeySet}. Durations are in ms. */
export interface RemoteKeySetOptions {
	/** Name of the set; feeds the session id. Required, non-empty. */
	name: string;
	/** The JWKS URL (`https:`; `http:` is accepted for local development). */
	url: string | URL;
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
	/** Maximum number of keys in the set. @default 100 */
	maxKeys?: number;
	/** Size of the unknown-kid memo (LRU, entries expire with the cooldown). @default 1024 */
	unknownKidMemoSize?: number;
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
	 * I/O (Cloudflare Workers, Vercel Edge: detected as jose does) default to `false`: callers
	 * that would wait fail fast instead (`ERR_KEYS_UNAVAILABLE` reason `loading`, or
	 * `ERR_KEYS_NO_MATCHING_KEY` reason `cooldown`), and the cooldown still bounds fetches.
	 * @default true, except on workerd and Vercel Edge
	 */
	shareInflight?: boolean;
	/** Clock, in ms since the epoch (freshness, cooldown, staleness). @default Date.now */
	now?: () => number;
	/** Random source in [0, 1) for jitter. @default Math.random */
	random?: () => number;
	/** Receives every event with its `type` (see {@link KeySetEvent}). @default undefined */
	onEvent?: (event: KeySetEvent) => void;
}

const ms = z.number().int().nonnegative();
const Options = z.object({
	name: z.string().min(1, "name must be a non-empty string"),
	url: z.union([z.string(), z.instanceof(URL)]).transform((u, ctx) => {
		try {
			const url = new URL(u);
			if (url.protocol === "https:" || url.protocol === "http:") return url;
		} catch {}
		ctx.addIssue({ code: "custom", message: "url must be an absolute http(s) URL" });
		return z.NEVER;
	}),
	ttlMs: ms.default(600_000),
	minTtlMs: ms.default(60_000),
	maxTtlMs: ms.default(86_400_000),
	maxStaleMs: z.union([ms, z.literal(Number.POSITIVE_INFINITY)]).default(43_200_000),
	cooldownMs: ms.default(30_000),
	timeoutMs: ms.min(1).default(5_000),
	foregroundBudgetMs: ms.min(1).default(10_000),
	retries: z.number().int().min(0).max(10).default(2),
	retryBaseDelayMs: ms.default(200),
	retryMaxDelayMs: ms.default(2_000),
	errorBackoffMs: ms.default(5_000),
	errorBackoffMaxMs: ms.default(300_000),
	maxResponseBytes: z.number().int().min(1).default(131_072),
	maxKeys: z.number().int().min(1).default(100),
	unknownKidMemoSize: z.number().int().min(1).default(1024),
	use: z.enum(["sig", "enc"]).optional(),
	headers: z.record(z.string(), z.string()).default({}),
	allowRedirectOrigins: z
		.array(
			z.string().refine((o) => {
				try {
					return new URL(o).origin === o;
				} catch {
					return false;
				}
			}, "each entry must be an origin such as https://cdn.example"),
		)
		.default([]),
	fetch: z.custom<FetchLike>((f) => typeof f === "function", "fetch must be a function").optional(),
	dispatcher: z.custom<object>((d) => typeof d === "object" && d !== null).optional(),
	autoRefresh: z.boolean().default(false),
	shareInflight: z.boolean().optional(),
	now: z.custom<() => number>((f) => typeof f === "function", "now must be a function").optional(),
	random: z.custom<() => number>((f) => typeof f === "function").optional(),
	onEvent: z.custom<(e: KeySetEvent) => void>((f) => typeof f === "function").optional(),
});

/** A serialisable copy of an installed key set: see {@link RemoteKeySet.snapshot}. */
export interface KeySetSnapshot {
	/** The public keys. */
	jwks: PublicJwks;
	/** When they were fetched, in ms since the epoch. */
	fetchedAt: number;
	/** Their freshness, in ms. */
	freshMs: number;
	/** The response's ETag, for the next conditional request. */
	etag?: string;
	/** The response's Last-Modified. */
	lastModified?: string;
}

const Snapshot = z.object({
	jwks: z.object({ keys: z.array(z.unknown()).max(1000) }),
	fetchedAt: z.number().int().nonnegative(),
	freshMs: z.number().int().nonnegative(),
	etag: z.string().optional(),
	lastModified: z.string().optional(),
});

/** The state of a remote key set: see {@link RemoteKeySet.stats}. */
export type KeySetState = "empty" | "fresh" | "stale" | "expired";

/** Counters and timestamps of a {@link RemoteKeySet} (timestamps in ms since the epoch). */
export interface RemoteKeySetStats {
	/** `empty` (never loaded), `fresh`, `stale` (serving past expiry) or `expired` (past maxStale). */
	state: KeySetState;
	/** HTTP requests sent (every attempt and redirect hop). */
	requests: number;
	/** Refreshes started (each may use several requests). */
	refreshes: number;
	/** 304 answers. */
	notModified: number;
	/** Refreshes that failed. */
	failures: number;
	/** Consecutive failed refreshes (0 after a success). */
	consecutiveFailures: number;
	/** Keys rejected while reading JWKS documents. */
	rejectedKeys: number;
	/** Lookups of a kid the set did not have. */
	unknownKidLookups: number;
	/** Usable keys in the current set. */
	keys: number;
	/** Last successful refresh. */
	lastSuccessAt: number | undefined;
	/** Last refresh attempt (the cooldown is measured from it). */
	lastAttemptAt: number | undefined;
	/** When the next background refresh is due. */
	nextRefreshAt: number | undefined;
	/** When the current set stops being fresh. */
	expiresAt: number | undefined;
	/** Whether a fetch is in flight. */
	inFlight: boolean;
	/** Code of the last failure, if any. */
	lastErrorCode: string | undefined;
}

/** Readiness for probes: see {@link RemoteKeySet.health}. */
export interface KeySetHealth {
	/** `ok` (fresh), `degraded` (stale but serving) or `unavailable` (empty or expired: answer 503). */
	status: "ok" | "degraded" | "unavailable";
	/** The detailed state. */
	state: KeySetState;
}

interface Installed {
	index: KeyIndex;
	fetchedAt: number;
	freshMs: number;
	refreshAt: number;
	etag: string | undefined;
	lastModified: string | undefined;
}

/** workerd and Vercel Edge: a request must not await I/O started by another request. */
function isolatedRequestRuntime(): boolean {
	const g = globalThis as {
		WebSocketPair?: unknown;
		EdgeRuntime?: unknown;
		navigator?: { userAgent?: string };
	};
	return (
		typeof g.WebSocketPair !== "undefined" ||
		g.navigator?.userAgent === "Cloudflare-Workers" ||
		typeof g.EdgeRuntime === "string"
	);
}

function directives(cc: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const part of cc.toLowerCase().split(",")) {
		const [k, v] = part.split("=", 2);
		if (k?.trim()) out.set(k.trim(), (v ?? "").trim().replace(/^"|"$/g, ""));
	}
	return out;
}

/**
 * A JWKS fetched from a URL (the original's `Keys(name, url, ttl, verify_tls)`).
 *
 * - `load()` awaits the first fetch; `load({ background: true })` starts one without waiting.
 * - Freshness is `Cache-Control: max-age` (minus `Age`), then `Expires`, then `ttlMs`,
 *   clamped to [`minTtlMs`, `maxTtlMs`]. A refresh starts on access once 80 % (±10 %
 *   jitter) of it has passed; readers never wait while a usable set exists.
 * - Failed refreshes keep the last good set serving for `maxStaleMs` past expiry, then
 *   lookups throw `ERR_KEYS_UNAVAILABLE` (reason `expired`).
 * - An unknown kid causes at most one fetch per `cooldownMs`, however many requests ask;
 *   all concurrent callers share one fetch (single-flight for the whole set).
 * - Duplicate kids: candidates are filtered by `use`/`alg` first; if several remain the
 *   lookup fails closed with `ERR_KEYS_MULTIPLE_MATCHING_KEYS`.
 *
 * @example
 * ```ts
 * import { RemoteKeySet } from '@xshl/keys'
 * import { jwtVerify } from 'jose'
 * const keys = new RemoteKeySet({ name: 'session_name', url: 'https://idp.example/jwks.json' })
 * await keys.load()
 * const { payload } = await jwtVerify(token, keys.resolver, { algorithms: keys.algorithms('sig') })
 * ```
 */
export class RemoteKeySet extends KeySetEmitter implements KeySet {
	/** Name of the set; feeds the session id. */
	readonly name: string;
	/** The JWKS URL. */
	readonly url: URL;
	readonly #o: z.output<typeof Options>;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #fetch: FetchLike;
	readonly #share: boolean;
	#set: Installed | undefined;
	#inflight: Promise<void> | undefined;
	#lastAttemptAt = Number.NEGATIVE_INFINITY;
	#lastSuccessAt: number | undefined;
	#nextRetryAt = Number.NEGATIVE_INFINITY;
	#consecutiveFailures = 0;
	#lastError: KeysError | undefined;
	#lastStaleEventAt = Number.NEGATIVE_INFINITY;
	#expiredEmitted = false;
	#memo = new Map<string, number>();
	#closed = false;
	#abort = new AbortController();
	#timer: ReturnType<typeof setTimeout> | undefined;
	#stats = {
		requests: 0,
		refreshes: 0,
		notModified: 0,
		failures: 0,
		rejectedKeys: 0,
		unknownKid: 0,
	};

	/**
	 * @param options - see {@link RemoteKeySetOptions}; validated with zod here.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues.
	 */
	constructor(options: RemoteKeySetOptions) {
		const parsed = Options.safeParse(options);
		if (!parsed.success) throw zodConfigError("invalid key set options", parsed.error);
		super(parsed.data.onEvent);
		const o = parsed.data;
		if (o.minTtlMs > o.maxTtlMs) throw configIssue("minTtlMs must not exceed maxTtlMs", "minTtlMs");
		const f = o.fetch ?? (globalThis.fetch as FetchLike | undefined);
		if (typeof f !== "function")
			throw configIssue("no fetch implementation: pass options.fetch", "fetch");
		this.#o = o;
		this.name = o.name;
		this.url = o.url;
		this.#now = o.now ?? Date.now;
		this.#random = o.random ?? Math.random;
		this.#fetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.#share = o.shareInflight ?? !isolatedRequestRuntime();
	}

	/** True when a refresh is due (or nothing is loaded): the original's `updated` flag. */
	get updated(): boolean {
		const s = this.#set;
		return s === undefined || this.#now() >= s.refreshAt;
	}

	/**
	 * Fetch the JWKS now (single-flight: joins a fetch already in flight).
	 *
	 * @param options - `background: true` starts the fetch and returns at once (failures go
	 *   to `refreshError` events).
	 * @returns resolves once a usable set is installed (or, with `background`, at once).
	 * @throws KeysUnavailableError `ERR_KEYS_UNAVAILABLE` when the fetch failed and no usable
	 *   set exists (`cause` is the fetch error, e.g. `ERR_KEYS_FETCH_TIMEOUT`). When an older
	 *   set is still usable the failure is only reported as an event.
	 */
	async load(options?: KeySetLoadOptions): Promise<void> {
		if (this.#closed) throw new KeysUnavailableError("closed", "key set is closed");
		const p = this.#refresh(true);
		if (options?.background === true) {
			p.catch(() => {});
			return;
		}
		try {
			await p;
		} catch (e) {
			if (this.#usable() === undefined)
				throw new KeysUnavailableError("fetch-failed", "JWKS could not be loaded", { cause: e });
		}
	}

	/**
	 * Synchronous cache lookup (never fetches, never waits).
	 *
	 * @param kid - the key id.
	 * @param options - `use` and `alg`.
	 * @returns the key, or `undefined` when none or several fit, nothing is loaded, or the set
	 *   is past `maxStaleMs`. Starts a background refresh when one is due.
	 */
	get(kid: string, options?: KeyGetOptions): CryptoKey | undefined {
		const index = this.#usable();
		if (index !== undefined) this.#maybeRefresh();
		return index?.getSync({ kid, use: options?.use, alg: options?.alg });
	}

	#maybeRefresh(): void {
		const s = this.#set;
		const now = this.#now();
		if (
			s !== undefined &&
			!this.#closed &&
			now >= s.refreshAt &&
			now >= this.#nextRetryAt &&
			this.#inflight === undefined
		)
			this.#refresh(false).catch(() => {});
	}

	#usable(): KeyIndex | undefined {
		const s = this.#set;
		if (s === undefined) return undefined;
		if (this.#now() > s.fetchedAt + s.freshMs + this.#o.maxStaleMs) return undefined;
		return s.index;
	}

	/**
	 * Asynchronous lookup. Loads on a cold cache; refreshes in the background when due; on an
	 * unknown kid, fetches at most once per `cooldownMs` (sharing any fetch in flight).
	 *
	 * @param query - `kid`, `alg`, `use`.
	 * @returns the one key that fits.
	 * @throws NoMatchingKeyError `ERR_KEYS_NO_MATCHING_KEY` (reason `unknown-kid`, `cooldown`,
	 *   `kid-invalid` or `no-candidate`).
	 * @throws MultipleMatchingKeysError `ERR_KEYS_MULTIPLE_MATCHING_KEYS` (duplicate kid).
	 * @throws KeysUnavailableError `ERR_KEYS_UNAVAILABLE` (cold failure, backoff, expired, closed).
	 */
	async getKey(query: KeyQuery): Promise<CryptoKey> {
		const bad = checkKid(query.kid);
		if (bad !== undefined) throw bad;
		let index = await this.#ensure();
		const key = await index.find(query);
		if (key !== undefined) return key;
		if (query.kid === undefined || index.kids.has(query.kid)) throw noMatch(query, "no-candidate");
		// unknown kid
		const kid = query.kid;
		this.#stats.unknownKid++;
		const now = this.#now();
		const memo = this.#memo.get(kid);
		if (memo !== undefined && now < memo) {
			this.#memo.delete(kid);
			this.#memo.set(kid, memo);
			this.#emitUnknown(kid, false, memo - now);
			throw noMatch(query, "cooldown");
		}
		const notMine = this.#inflight !== undefined && !this.#share;
		if (
			notMine ||
			(this.#inflight === undefined && now - this.#lastAttemptAt < this.#o.cooldownMs)
		) {
			this.#remember(kid);
			this.#emitUnknown(kid, false, this.#lastAttemptAt + this.#o.cooldownMs - now);
			throw noMatch(query, "cooldown");
		}
		await this.#refresh(true).catch(() => {});
		index = this.#usable() ?? index;
		const again = await index.find(query);
		if (again !== undefined) return again;
		this.#remember(kid);
		this.#emitUnknown(
			kid,
			true,
			Math.max(0, this.#lastAttemptAt + this.#o.cooldownMs - this.#now()),
		);
		throw noMatch(query, index.kids.has(kid) ? "no-candidate" : "unknown-kid");
	}

	/**
	 * jose key argument for `jwtVerify`/`compactVerify`: resolves a signing key from the
	 * protected header's `kid` and `alg` only (never `jwk`, `jku`, `x5u` or `x5c`).
	 *
	 * @param protectedHeader - the token's protected header.
	 * @returns the verification key.
	 * @throws the errors of {@link RemoteKeySet.getKey}.
	 */
	readonly resolver: (protectedHeader: ResolverHeader, token?: unknown) => Promise<CryptoKey> = (
		protectedHeader,
	) => this.getKey({ kid: protectedHeader.kid, alg: protectedHeader.alg, use: "sig" });

	/**
	 * Like {@link RemoteKeySet.resolver} for encryption (recipient) keys: pass it where a JWE
	 * recipient's public key is picked by `kid`/`alg`.
	 *
	 * @param header - `kid` and `alg` of the recipient.
	 * @returns the encryption key.
	 * @throws the errors of {@link RemoteKeySet.getKey}.
	 */
	readonly encryptionResolver: (header: ResolverHeader) => Promise<CryptoKey> = (header) =>
		this.getKey({ kid: header.kid, alg: header.alg, use: "enc" });

	/**
	 * @param use - `sig` or `enc`.
	 * @returns the sorted `alg`s of the loaded keys for that use; `[]` before the first load.
	 */
	algorithms(use: KeyUse): string[] {
		return this.#set?.index.algorithms(use) ?? [];
	}

	/**
	 * @returns the public JWKS currently installed (allowlisted members only), or `{keys: []}`.
	 */
	jwks(): PublicJwks {
		return { keys: (this.#set?.index.entries ?? []).map((e) => ({ ...e.jwk })) };
	}

	/**
	 * The installed set as plain JSON, to keep the cache across cold starts (e.g. in a KV
	 * store on serverless runtimes) and feed it back with {@link RemoteKeySet.restore}.
	 *
	 * @returns the snapshot, or `undefined` before the first load.
	 */
	snapshot(): KeySetSnapshot | undefined {
		const s = this.#set;
		if (s === undefined) return undefined;
		const out: KeySetSnapshot = { jwks: this.jwks(), fetchedAt: s.fetchedAt, freshMs: s.freshMs };
		if (s.etag !== undefined) out.etag = s.etag;
		if (s.lastModified !== undefined) out.lastModified = s.lastModified;
		return out;
	}

	/**
	 * Seed the cache from a {@link RemoteKeySet.snapshot}. Keys go through the same checks as
	 * fetched ones; the snapshot is installed only when nothing newer is. Its age counts: a
	 * snapshot past its freshness triggers a background refresh on the next access, and one
	 * past `maxStaleMs` is not served. Does not start the unknown-kid cooldown.
	 *
	 * @param snapshot - the snapshot.
	 * @returns whether it was installed.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when the snapshot is malformed or has
	 *   no usable key.
	 */
	async restore(snapshot: KeySetSnapshot): Promise<boolean> {
		const r = Snapshot.safeParse(snapshot);
		if (!r.success) throw zodConfigError("invalid key set snapshot", r.error);
		const parsed = await parseKeys(r.data.jwks.keys, this.#o.use);
		if (parsed.entries.length === 0)
			throw configIssue("key set snapshot has no usable key", "jwks.keys");
		const cur = this.#set;
		if (cur !== undefined && cur.fetchedAt >= r.data.fetchedAt) return false;
		this.#set = {
			index: new KeyIndex(parsed.entries),
			fetchedAt: r.data.fetchedAt,
			freshMs: r.data.freshMs,
			refreshAt: this.#refreshAt(r.data.fetchedAt, r.data.freshMs),
			etag: r.data.etag,
			lastModified: r.data.lastModified,
		};
		return true;
	}

	/**
	 * @returns counters, timestamps and the state; see {@link RemoteKeySetStats}.
	 */
	stats(): RemoteKeySetStats {
		const s = this.#set;
		return {
			state: this.#state(),
			requests: this.#stats.requests,
			refreshes: this.#stats.refreshes,
			notModified: this.#stats.notModified,
			failures: this.#stats.failures,
			consecutiveFailures: this.#consecutiveFailures,
			rejectedKeys: this.#stats.rejectedKeys,
			unknownKidLookups: this.#stats.unknownKid,
			keys: s?.index.entries.length ?? 0,
			lastSuccessAt: this.#lastSuccessAt,
			lastAttemptAt: Number.isFinite(this.#lastAttemptAt) ? this.#lastAttemptAt : undefined,
			nextRefreshAt:
				s === undefined
					? undefined
					: Math.max(s.refreshAt, Number.isFinite(this.#nextRetryAt) ? this.#nextRetryAt : 0),
			expiresAt: s === undefined ? undefined : s.fetchedAt + s.freshMs,
			inFlight: this.#inflight !== undefined,
			lastErrorCode: this.#lastError?.code,
		};
	}

	/**
	 * Readiness for probes: `unavailable` means verification would answer 503.
	 *
	 * @returns the status and state.
	 */
	health(): KeySetHealth {
		const state = this.#state();
		return {
			status: state === "fresh" ? "ok" : state === "stale" ? "degraded" : "unavailable",
			state,
		};
	}

	/**
	 * Stop timers and abort anything in flight; later lookups throw `ERR_KEYS_UNAVAILABLE`
	 * (reason `closed`).
	 */
	close(): void {
		this.#closed = true;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		this.#abort.abort();
	}

	#state(): KeySetState {
		const s = this.#set;
		if (s === undefined) return "empty";
		const now = this.#now();
		const exp = s.fetchedAt + s.freshMs;
		if (now <= exp) return "fresh";
		return now <= exp + this.#o.maxStaleMs ? "stale" : "expired";
	}

	#remember(kid: string): void {
		const memo = this.#memo;
		memo.delete(kid);
		memo.set(kid, this.#lastAttemptAt + this.#o.cooldownMs);
		while (memo.size > this.#o.unknownKidMemoSize) {
			const oldest = memo.keys().next().value as string;
			memo.delete(oldest);
		}
	}

	/** Size of the unknown-kid memo (bounded by `unknownKidMemoSize`). */
	get unknownKidMemoSize(): number {
		return this.#memo.size;
	}

	#emitUnknown(kid: string, fetched: boolean, cooldownLeftMs: number): void {
		this.emit("unknownKid", { kid: kid.slice(0, 16), fetched, cooldownLeftMs });
	}

	async #ensure(): Promise<KeyIndex> {
		if (this.#closed) throw new KeysUnavailableError("closed", "key set is closed");
		const now = this.#now();
		const s = this.#set;
		if (s === undefined) {
			if (this.#inflight === undefined && now < this.#nextRetryAt)
				throw new KeysUnavailableError(
					"backoff",
					`JWKS could not be loaded; next attempt in ${this.#nextRetryAt - now} ms`,
					{ cause: this.#lastError },
				);
			if (this.#inflight !== undefined && !this.#share)
				throw new KeysUnavailableError(
					"loading",
					"JWKS is being loaded by another request (shareInflight: false)",
				);
			await this.#refresh(true).catch(() => {});
			const index = this.#usable();
			if (index === undefined)
				throw new KeysUnavailableError("fetch-failed", "JWKS could not be loaded", {
					cause: this.#lastError,
				});
			return index;
		}
		const expiresAt = s.fetchedAt + s.freshMs;
		if (now > expiresAt + this.#o.maxStaleMs) {
			if (
				(this.#inflight !== undefined && this.#share) ||
				(this.#inflight === undefined && now >= this.#nextRetryAt)
			)
				await this.#refresh(true).catch(() => {});
			const index = this.#usable();
			if (index !== undefined) return index;
			const cur = this.#set!;
			const ageMs = this.#now() - (cur.fetchedAt + cur.freshMs);
			if (!this.#expiredEmitted) {
				this.#expiredEmitted = true;
				this.emit("expired", { ageMs });
			}
			throw new KeysUnavailableError(
				"expired",
				`JWKS expired ${ageMs} ms ago, past maxStaleMs ${this.#o.maxStaleMs}, and refreshes fail`,
				{ cause: this.#lastError },
			);
		}
		if (now > expiresAt && now - this.#lastStaleEventAt >= 60_000) {
			this.#lastStaleEventAt = now;
			this.emit("stale", { ageMs: now - expiresAt, maxStaleMs: this.#o.maxStaleMs });
		}
		this.#maybeRefresh();
		return s.index;
	}

	#refresh(foreground: boolean): Promise<void> {
		if (this.#inflight !== undefined) return this.#inflight;
		const p = this.#doFetch(foreground).finally(() => {
			this.#inflight = undefined;
		});
		this.#inflight = p;
		return p;
	}

	#freshness(headers: Headers, now: number): number {
		const o = this.#o;
		const cc = directives(headers.get("cache-control") ?? "");
		let fresh: number;
		if (cc.has("no-store") || cc.has("no-cache")) fresh = o.minTtlMs;
		else if (cc.has("max-age") && /^\d+$/.test(cc.get("max-age")!)) {
			const age = Number(headers.get("age") ?? 0);
			fresh = (Number(cc.get("max-age")) - (Number.isFinite(age) && age > 0 ? age : 0)) * 1000;
		} else if (headers.get("expires") !== null) {
			const exp = Date.parse(headers.get("expires")!);
			const date = Date.parse(headers.get("date") ?? "");
			fresh = Number.isNaN(exp) ? 0 : exp - (Number.isNaN(date) ? now : date);
		} else fresh = o.ttlMs;
		return Math.min(o.maxTtlMs, Math.max(o.minTtlMs, fresh));
	}

	#refreshAt(fetchedAt: number, freshMs: number): number {
		// 80 % of the freshness, jittered by ±10 % of it
		return Math.round(fetchedAt + freshMs * (0.8 + (this.#random() * 0.2 - 0.1)));
	}

	async #doFetch(foreground: boolean): Promise<void> {
		const o = this.#o;
		const started = this.#now();
		this.#lastAttemptAt = started; // stamped before the fetch (KEY-12)
		this.#stats.refreshes++;
		const t0 = Date.now();
		const prev = this.#set;
		const conditional: Conditional =
			prev === undefined ? {} : { etag: prev.etag, lastModified: prev.lastModified };
		let attempts = 1;
		try {
			const { result, attempts: n } = await fetchWithRetries(
				this.url,
				conditional,
				{
					fetch: this.#fetch,
					timeoutMs: o.timeoutMs,
					maxResponseBytes: o.maxResponseBytes,
					headers: o.headers,
					dispatcher: o.dispatcher,
					allowRedirectOrigins: new Set(o.allowRedirectOrigins),
					onWarning: (message) => this.emit("warning", { message }),
					onRequest: () => {
						this.#stats.requests++;
					},
				},
				{
					retries: o.retries,
					baseDelayMs: o.retryBaseDelayMs,
					maxDelayMs: o.retryMaxDelayMs,
					budgetMs: foreground ? o.foregroundBudgetMs : Number.POSITIVE_INFINITY,
					random: this.#random,
					signal: this.#abort.signal,
					onRetry: (attempt, error, retryInMs) => {
						attempts = attempt + 1;
						this.emit("refreshError", { attempt, error, retryInMs, final: false });
					},
				},
			);
			attempts = n;
			if (this.#closed) throw new KeysUnavailableError("closed", "key set is closed");
			const now = this.#now();
			if (result.notModified) {
				if (prev === undefined) throw new KeysJwksInvalidError("304 without a cached set");
				const freshMs = this.#freshness(result.headers, now);
				this.#set = {
					...prev,
					fetchedAt: now,
					freshMs,
					refreshAt: this.#refreshAt(now, freshMs),
					etag: result.headers.get("etag") ?? prev.etag,
				};
				this.#stats.notModified++;
				this.#succeeded(now);
				this.emit("refresh", {
					durationMs: Date.now() - t0,
					status: 304,
					notModified: true,
					added: [],
					removed: [],
					etag: this.#set.etag,
					keys: prev.index.entries.length,
					freshMs,
				});
				return;
			}
			const raw = jwksShape(result.body, o.maxKeys);
			const parsed = await parseKeys(raw, o.use);
			for (const r of parsed.rejected) {
				this.#stats.rejectedKeys++;
				this.emit("keyRejected", r);
			}
			if (parsed.entries.length === 0)
				throw new KeysJwksInvalidError(
					`JWKS has no usable key (${raw.length} given, ${parsed.rejected.length} rejected); the previous set is kept`,
				);
			if (this.#closed) throw new KeysUnavailableError("closed", "key set is closed");
			const index = new KeyIndex(parsed.entries);
			const freshMs = this.#freshness(result.headers, now);
			const before = prev?.index.kids ?? new Set<string>();
			this.#set = {
				index,
				fetchedAt: now,
				freshMs,
				refreshAt: this.#refreshAt(now, freshMs),
				etag: result.headers.get("etag") ?? undefined,
				lastModified: result.headers.get("last-modified") ?? undefined,
			};
			this.#succeeded(now);
			this.emit("refresh", {
				durationMs: Date.now() - t0,
				status: 200,
				notModified: false,
				added: [...index.kids].filter((k) => !before.has(k)).map((k) => truncKid(k)!.slice(0, 16)),
				removed: [...before]
					.filter((k) => !index.kids.has(k))
					.map((k) => truncKid(k)!.slice(0, 16)),
				etag: this.#set.etag,
				keys: index.entries.length,
				freshMs,
			});
		} catch (e) {
			const err =
				e instanceof KeysError
					? e
					: new KeysJwksInvalidError("JWKS could not be read", { cause: e });
			this.#consecutiveFailures++;
			this.#stats.failures++;
			this.#lastError = err;
			const now = this.#now();
			const backoff = Math.round(
				Math.min(o.errorBackoffMaxMs, o.errorBackoffMs * 2 ** (this.#consecutiveFailures - 1)) *
					this.#random(),
			);
			this.#nextRetryAt = now + backoff;
			this.emit("refreshError", { attempt: attempts, error: err, retryInMs: backoff, final: true });
			this.#schedule();
			throw err;
		}
	}

	#succeeded(now: number): void {
		this.#lastSuccessAt = now;
		this.#consecutiveFailures = 0;
		this.#nextRetryAt = Number.NEGATIVE_INFINITY;
		this.#lastError = undefined;
		this.#expiredEmitted = false;
		this.#schedule();
	}

	#schedule(): void {
		if (!this.#o.autoRefresh || this.#closed) return;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		const s = this.#set;
		const at = Math.max(
			s?.refreshAt ?? 0,
			Number.isFinite(this.#nextRetryAt) ? this.#nextRetryAt : 0,
		);
		const t = setTimeout(
			() => {
				this.#timer = undefined;
				if (!this.#closed) this.#refresh(false).catch(() => {});
			},
			Math.max(0, Math.min(2_147_483_647, at - this.#now())),
		);
		(t as { unref?: () => void }).unref?.();
		this.#timer = t;
	}
}
