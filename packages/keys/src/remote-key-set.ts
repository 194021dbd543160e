/**
 * A JWKS fetched from a URL and cached: the state machine of loads, refreshes, staleness and
 * unknown kids. Options live in `remote-key-set-options.ts`, the freshness computation, the
 * unknown-kid memo and the capped fetch in `internal/`.
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

import { KeysError, KeysJwksInvalidError, KeysUnavailableError } from "./errors";
import type { KeySetEvents } from "./events";
import { configIssue } from "./internal/config-error";
import { Emitter } from "./internal/emitter";
import { freshnessMs, refreshAt } from "./internal/freshness";
import { type Conditional, fetchWithRetries } from "./internal/http";
import { checkKid, KeyIndex, noMatch, truncKid } from "./internal/key-index";
import { parseKeySetSnapshot } from "./internal/key-set-snapshot";
import { UnknownKidMemo } from "./internal/kid-memo";
import { jwksShape, parseKeys } from "./internal/parse-keys";
import {
	isLoopbackHost,
	type ResolvedRemoteOptions,
	resolveRemoteOptions,
} from "./internal/remote-options";
import { isolatedRequestRuntime } from "./internal/runtime";
import type { RemoteKeySetOptions } from "./remote-key-set-options";
import type {
	KeySetHealth,
	KeySetSnapshot,
	KeySetState,
	RemoteKeySetStats,
} from "./remote-key-set-types";
import type {
	KeyGetOptions,
	KeyQuery,
	KeySet,
	KeySetLoadOptions,
	KeyUse,
	PublicJwks,
	ResolverHeader,
} from "./types";

interface Installed {
	index: KeyIndex;
	fetchedAt: number;
	freshMs: number;
	refreshAt: number;
	etag: string | undefined;
	lastModified: string | undefined;
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
export class RemoteKeySet extends Emitter<KeySetEvents> implements KeySet {
	/** Name of the set; feeds the session id. */
	readonly name: string;
	/** The JWKS URL. */
	readonly url: URL;
	readonly #o: ResolvedRemoteOptions;
	readonly #now: () => number;
	readonly #random: () => number;
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
	readonly #memo: UnknownKidMemo;
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
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues, when `minTtlMs`
	 *   exceeds `maxTtlMs`, or for a plain `http:` URL that is not loopback without
	 *   `allowInsecureHttp`.
	 */
	constructor(options: RemoteKeySetOptions) {
		const o = resolveRemoteOptions(options);
		super();
		this.#o = o;
		this.name = o.name;
		this.url = o.url;
		this.#now = o.now;
		this.#random = o.random;
		this.#memo = new UnknownKidMemo(o.maxUnknownKids);
		this.#share = o.shareInflight ?? !isolatedRequestRuntime();
	}

	/** True when a refresh is due (or nothing is loaded): the original's `updated` flag. */
	get updated(): boolean {
		const s = this.#set;
		return s === undefined || this.#now() >= s.refreshAt;
	}

	/**
	 * Fetch the JWKS now (single-flight: joins a fetch already in flight, or, with
	 * `shareInflight: false`, makes its own).
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
		const p = options?.background === true ? this.#refresh(true) : this.#join();
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
		const memo = this.#memo.until(kid, now);
		if (memo !== undefined) {
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
	 * The signing key {@link RemoteKeySet.resolver} would resolve for this header, when the
	 * installed set is fresh and holds exactly one imported key that fits; `undefined` otherwise
	 * (nothing loaded, stale or expired, closed, an unknown or invalid `kid`, several keys): the
	 * resolver then answers, with its refresh, cooldown and error. Like the resolver, an access
	 * past the set's refresh time starts a background refresh. Never throws. session-core's
	 * `node:crypto` engine uses it to verify without waiting for a promise.
	 *
	 * @param protectedHeader - the token's protected header (`kid`, `alg`).
	 * @returns the key, or `undefined`.
	 * @example
	 * ```ts
	 * keys.resolveSync({ kid: 'k1', alg: 'ES256' }) // CryptoKey once loaded and fresh
	 * ```
	 */
	readonly resolveSync = (protectedHeader: ResolverHeader): CryptoKey | undefined => {
		const s = this.#set;
		if (s === undefined || this.#closed || this.#state() !== "fresh") return undefined;
		try {
			const key = s.index.getSync({
				kid: protectedHeader.kid,
				alg: protectedHeader.alg,
				use: "sig",
			});
			if (key !== undefined) this.#maybeRefresh();
			return key;
		} catch {
			return undefined;
		}
	};

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
		const snap = parseKeySetSnapshot(snapshot);
		const parsed = await parseKeys(snap.jwks.keys, this.#o.use);
		if (parsed.entries.length === 0)
			throw configIssue("key set snapshot has no usable key", "jwks.keys");
		const cur = this.#set;
		if (cur !== undefined && cur.fetchedAt >= snap.fetchedAt) return false;
		this.#set = {
			index: new KeyIndex(parsed.entries),
			fetchedAt: snap.fetchedAt,
			freshMs: snap.freshMs,
			refreshAt: refreshAt(snap.fetchedAt, snap.freshMs, this.#random),
			etag: snap.etag,
			lastModified: snap.lastModified,
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
			unknownKids: this.#memo.size,
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
		this.#memo.remember(kid, this.#lastAttemptAt + this.#o.cooldownMs);
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
			// a cold start never fails a caller while a load is in flight: it waits for that
			// load, or (shareInflight: false) makes its own fetch
			await this.#join().catch(() => {});
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

	/**
	 * A foreground load for this caller: the fetch in flight when it may be awaited, a fetch
	 * of its own when it may not (`shareInflight: false`), else a new shared fetch.
	 */
	#join(): Promise<void> {
		if (this.#inflight !== undefined && !this.#share) return this.#doFetch(true);
		return this.#refresh(true);
	}

	#refresh(foreground: boolean): Promise<void> {
		if (this.#inflight !== undefined) return this.#inflight;
		const p = this.#doFetch(foreground).finally(() => {
			this.#inflight = undefined;
		});
		this.#inflight = p;
		return p;
	}

	async #doFetch(foreground: boolean): Promise<void> {
		const o = this.#o;
		const started = this.#now();
		this.#lastAttemptAt = started; // stamped before the fetch (KEY-12)
		if (o.allowInsecureHttp && this.url.protocol === "http:" && !isLoopbackHost(this.url.hostname))
			this.emit("warning", {
				code: "insecure-http",
				message:
					"JWKS loaded over plain http (allowInsecureHttp): anyone on the path can serve their own keys",
			});
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
					fetch: o.fetch,
					timeoutMs: o.timeoutMs,
					maxResponseBytes: o.maxResponseBytes,
					headers: o.headers,
					dispatcher: o.dispatcher,
					allowRedirectOrigins: new Set(o.allowRedirectOrigins),
					onWarning: (message) => this.emit("warning", { code: "no-content-type", message }),
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
						this.emit("refreshError", {
							attempt,
							error,
							retryInMs,
							final: false,
							durationMs: Date.now() - t0,
							startedAt: t0,
						});
					},
				},
			);
			attempts = n;
			if (this.#closed) throw new KeysUnavailableError("closed", "key set is closed");
			const now = this.#now();
			if (result.notModified) {
				if (prev === undefined) throw new KeysJwksInvalidError("304 without a cached set");
				const freshMs = freshnessMs(result.headers, now, o);
				this.#set = {
					...prev,
					fetchedAt: now,
					freshMs,
					refreshAt: refreshAt(now, freshMs, this.#random),
					etag: result.headers.get("etag") ?? prev.etag,
				};
				this.#stats.notModified++;
				this.#succeeded(now);
				this.emit("refresh", {
					durationMs: Date.now() - t0,
					startedAt: t0,
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
			const freshMs = freshnessMs(result.headers, now, o);
			const before = prev?.index.kids ?? new Set<string>();
			this.#set = {
				index,
				fetchedAt: now,
				freshMs,
				refreshAt: refreshAt(now, freshMs, this.#random),
				etag: result.headers.get("etag") ?? undefined,
				lastModified: result.headers.get("last-modified") ?? undefined,
			};
			this.#succeeded(now);
			this.emit("refresh", {
				durationMs: Date.now() - t0,
				startedAt: t0,
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
			this.emit("refreshError", {
				attempt: attempts,
				error: err,
				retryInMs: backoff,
				final: true,
				durationMs: Date.now() - t0,
				startedAt: t0,
			});
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
