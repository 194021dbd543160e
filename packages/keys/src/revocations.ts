/**
 * `@xshl/keys/revocations`: follow an issuer's signed revocation feed and answer "is this
 * token revoked?" synchronously from memory, so a verifier refuses a revoked session within
 * one poll and still makes no store call per request.
 *
 * @module
 */
import { base64url } from "jose";
import {
	KeysError,
	KeysFeedInvalidError,
	KeysFeedRollbackError,
	KeysJwksInvalidError,
} from "./errors";
import { Emitter } from "./internal/emitter";
import { type FeedPayload, type FeedUserEntry, verifyFeedDocument } from "./internal/feed-document";
import { type ResolvedFeedOptions, resolveFeedOptions } from "./internal/feed-options";
import { readFeedStream } from "./internal/feed-stream";
import { type Conditional, type FetchLike, fetchWithRetries } from "./internal/http";
import { sha256 } from "./internal/sha256";
import type { KeySet } from "./types";

export { FEED_TYPE } from "./internal/feed-document";

/** Options of {@link RevocationFeedClient}. */
export interface RevocationFeedClientOptions {
	/** The issuer's feed URL (https, or http on a loopback host). */
	url: string | URL;
	/** The key set that verifies the session tokens; it verifies the feed too. */
	keys: KeySet;
	/** Interval between polls with `autoRefresh`, in ms. @default 2000 */
	pollMs?: number;
	/**
	 * How long the state held may go without a successful refresh before `policy` applies, in
	 * ms. Keep it below the access-token lifetime: it bounds how long a revoked token can
	 * still pass while the feed is down (fail-open) . @default 60000
	 */
	maxStaleMs?: number;
	/**
	 * What `isRevoked` answers with no state or past `maxStaleMs`: `"fail-closed"` refuses
	 * every token (an outage of the feed becomes an outage of the verifier), `"fail-open"`
	 * keeps answering from the last state (a revocation made during the outage is missed until
	 * the tokens expire). @default "fail-closed"
	 */
	policy?: "fail-closed" | "fail-open";
	/** Per-request timeout over headers and body, in ms. @default 5000 */
	timeoutMs?: number;
	/** Time allowed across the retries of a `load()`, in ms. @default 10000 */
	foregroundBudgetMs?: number;
	/** Retries of one refresh (network, timeout, 408, 429, 5xx). @default 1 */
	retries?: number;
	/** First retry delay (full jitter), in ms. @default 200 */
	retryBaseDelayMs?: number;
	/** Largest retry delay, in ms. @default 2000 */
	retryMaxDelayMs?: number;
	/** First delay of the next poll after a failed refresh (doubles per failure), in ms. @default 1000 */
	errorBackoffMs?: number;
	/** Largest delay after failed refreshes, in ms. @default 30000 */
	errorBackoffMaxMs?: number;
	/** Largest response accepted, in bytes. @default 4194304 (4 MiB) */
	maxResponseBytes?: number;
	/** Extra request headers. @default {} */
	headers?: Record<string, string>;
	/** Other origins a redirect may go to. @default [] */
	allowRedirectOrigins?: string[];
	/** A `fetch` implementation. @default globalThis.fetch */
	fetch?: FetchLike;
	/** An undici dispatcher passed to fetch. */
	dispatcher?: object;
	/** Poll every `pollMs` (with backoff after failures) until `close()`. @default false */
	autoRefresh?: boolean;
	/**
	 * Also open the feed's Server-Sent Events stream (`Accept: text/event-stream`, with the
	 * same fetch, dispatcher and headers; no redirect) and apply each signed event as a poll
	 * result (same verification and rollback rules), for sub-second delivery. While the stream
	 * is up polling pauses (its heartbeats keep the state fresh); while it is down the client
	 * polls every `pollMs` (even without `autoRefresh`) and reopens the stream with backoff
	 * (`errorBackoffMs` doubling to `errorBackoffMaxMs`). @default false
	 */
	push?: boolean;
	/**
	 * With `push`, time without a byte on the stream (event or heartbeat, 15 s apart by
	 * default) before it counts as down, in ms. @default 45000
	 */
	pushIdleMs?: number;
	/** Allow plain http on a non-loopback host (anyone on the path could block the feed). @default false */
	allowInsecureHttp?: boolean;
	/** The clock, ms. @default Date.now */
	now?: () => number;
	/** Jitter source in [0, 1). @default Math.random */
	random?: () => number;
}

/** What `isRevoked` is asked (the structural `revocations` option of `@xshl/session-core`). */
export interface RevocationClaims {
	/** The token's `sid`. */
	sid: string;
	/** The token's `jti`. */
	jti: string;
	/** The token's `sub`. */
	sub?: string;
	/** The token's `iat`, NumericDate seconds. */
	iat: number;
}

/** The state of a feed client, from {@link RevocationFeedClient.health}. */
export interface RevocationFeedHealth {
	/** `empty` (never loaded), `fresh`, `stale` (last refresh failed), `expired` (past `maxStaleMs`). */
	state: "empty" | "fresh" | "stale" | "expired";
	/** The `seq` held, or `undefined`. */
	seq: number | undefined;
	/** Ms since the last successful refresh, or `undefined`. */
	ageMs: number | undefined;
	/** Entries held (sids + jtis + users). */
	entries: number;
	/** The policy that applies once expired. */
	policy: "fail-closed" | "fail-open";
	/** True when `isRevoked` refuses every token right now (empty or expired, fail-closed). */
	refusingAll: boolean;
	/** The code of the last refresh error, or `undefined`. */
	lastError: string | undefined;
	/** The event stream: `off` (no `push`), `connecting` (down: polling), `open`. */
	push: "off" | "connecting" | "open";
}

/** Events of {@link RevocationFeedClient}, by type. */
export interface RevocationFeedEvents {
	/**
	 * A refresh succeeded (`notModified` for a 304, `delta` for a `since` answer). `via`: a poll
	 * (`durationMs` from the request to the state applied, retries included) or an event of the
	 * stream (`durationMs`: verifying and applying it). Durations read the client's `now`.
	 */
	refresh: {
		seq: number;
		entries: number;
		notModified: boolean;
		delta: boolean;
		via: "poll" | "push";
		durationMs: number;
	};
	/**
	 * A refresh (a poll) failed after `durationMs` (retries included); `retryInMs` until the
	 * next poll (with `autoRefresh`).
	 */
	refreshError: { error: KeysError; retryInMs: number; durationMs: number };
	/** The first failed refresh after a success: the state held is getting old. */
	stale: { ageMs: number; error: KeysError };
	/** The state held passed `maxStaleMs`: the policy now applies (once per outage). */
	expired: { ageMs: number; policy: "fail-closed" | "fail-open" };
	/**
	 * The event stream (`push`) opened, or closed: `error` says why (a typed `KeysError`: a
	 * hostile event, a status, a timeout), `retryInMs` when it reopens; polling runs meanwhile.
	 */
	push: { state: "open" } | { state: "closed"; error: KeysError | undefined; retryInMs: number };
}

interface State {
	seq: number;
	salt: string;
	sids: Map<string, number>;
	jtis: Map<string, number>;
	users: Map<string, FeedUserEntry>;
	/** When expired entries were last dropped (NumericDate seconds). */
	sweptAt: number;
}

const enc = new TextEncoder();

/**
 * Follows an issuer's revocation feed (`createRevocationFeed` of
 * `@xshl/session-store/feed`): each refresh fetches `url?since=<seq>` with the fetch rules
 * of `RemoteKeySet` (timeouts, size cap, same-origin redirects, retries with jitter, ETag),
 * verifies the compact JWS with the session key set (`typ: xshl-revocations+jwt`), refuses
 * an older `seq` and keeps the newer state, and answers {@link isRevoked} synchronously.
 *
 * @example
 * ```ts
 * import { RemoteKeySet } from '@xshl/keys'
 * import { RevocationFeedClient } from '@xshl/keys/revocations'
 * import { createSessionVerifier } from '@xshl/session-core'
 *
 * const keys = new RemoteKeySet({ name: 'app', url: 'https://id.example/.well-known/jwks.json' })
 * const feed = new RevocationFeedClient({ url: 'https://id.example/.well-known/xshl-revocations', keys, autoRefresh: true })
 * await feed.load()
 * const verifier = createSessionVerifier({ keys, revocations: feed })
 * ```
 */
export class RevocationFeedClient extends Emitter<RevocationFeedEvents> {
	/** The feed URL. */
	readonly url: URL;
	readonly #o: ResolvedFeedOptions;
	#state: State | undefined;
	#etag: string | undefined;
	#lastSuccessAt: number | undefined;
	#lastError: KeysError | undefined;
	#failures = 0;
	#expiredEmitted = false;
	#inflight: Promise<void> | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#closed = false;
	#streamUp = false;
	#streamFailures = 0;
	#streamTimer: ReturnType<typeof setTimeout> | undefined;
	readonly #abort = new AbortController();
	readonly #tags = new Map<string, string>();
	#tagSalt = "";
	/** `lastSuccessAt + maxStaleMs`: past it, the policy applies. */
	#freshUntil = Number.NEGATIVE_INFINITY;
	readonly #now: () => number;
	readonly #failClosed: boolean;

	/**
	 * @param options - see {@link RevocationFeedClientOptions}.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` for invalid options.
	 */
	constructor(options: RevocationFeedClientOptions) {
		super();
		this.#o = resolveFeedOptions(options);
		this.#now = this.#o.now;
		this.#failClosed = this.#o.policy === "fail-closed";
		this.url = this.#o.url;
		// with push the stream brings the first document; polling starts if it fails
		if (this.#o.push) this.#openStream(0);
		else if (this.#o.autoRefresh) this.#schedule(0);
	}

	/**
	 * Refresh now (single-flight: concurrent calls share one request).
	 *
	 * @returns when the state is current.
	 * @throws KeysFeedRollbackError `ERR_KEYS_FEED_ROLLBACK` when the feed's `seq` is lower
	 *   than the one held (the newer state is kept).
	 * @throws KeysFeedInvalidError `ERR_KEYS_FEED_INVALID` for a bad signature, `typ` or
	 *   payload (the state held is kept).
	 * @throws KeysFetchError subclasses (`ERR_KEYS_NETWORK`, `ERR_KEYS_HTTP_STATUS`, ...) when
	 *   the feed cannot be fetched.
	 */
	load(): Promise<void> {
		if (this.#inflight !== undefined) return this.#inflight;
		const p = this.#refresh().finally(() => {
			this.#inflight = undefined;
		});
		this.#inflight = p;
		return p;
	}

	/**
	 * Whether a token must be refused, from memory: its `sid` or `jti` is listed, or its user
	 * logged out everywhere at or after its `iat` (`iat * 1000 <= epochMs`, so a token issued
	 * in the epoch's second is refused) unless its `sid` is the session the logout kept or a
	 * session the issuer opened after the epoch in that same second (listed in the entry).
	 * With no state yet, or past `maxStaleMs`, answers by `policy` (`true` for fail-closed).
	 *
	 * @param claims - `{ sid, jti, sub?, iat }` of a verified token.
	 * @returns true to refuse the token.
	 */
	isRevoked(claims: RevocationClaims): boolean {
		const s = this.#state;
		if (s === undefined) return this.#failClosed;
		// one clock read on the hot path; #expired() (which emits) only once past the deadline
		if (this.#now() > this.#freshUntil && this.#expired() && this.#failClosed) return true;
		if (s.sids.has(claims.sid) || s.jtis.has(claims.jti)) return true;
		if (s.users.size > 0 && claims.sub !== undefined) {
			const entry = s.users.get(this.#tag(s.salt, claims.sub));
			if (
				entry !== undefined &&
				claims.iat * 1000 <= entry[0] &&
				entry[2] !== claims.sid &&
				entry[3]?.has(claims.sid) !== true
			)
				return true;
		}
		return false;
	}

	/** @returns the state, its age and the policy in force; see {@link RevocationFeedHealth}. */
	health(): RevocationFeedHealth {
		const s = this.#state;
		const expired = s !== undefined && this.#expired();
		const state =
			s === undefined ? "empty" : expired ? "expired" : this.#failures > 0 ? "stale" : "fresh";
		return {
			state,
			seq: s?.seq,
			ageMs: this.#lastSuccessAt === undefined ? undefined : this.#o.now() - this.#lastSuccessAt,
			entries: s === undefined ? 0 : s.sids.size + s.jtis.size + s.users.size,
			policy: this.#o.policy,
			refusingAll: this.#o.policy === "fail-closed" && (s === undefined || expired),
			lastError: this.#lastError?.code,
			push: !this.#o.push ? "off" : this.#streamUp ? "open" : "connecting",
		};
	}

	/** Stop polling and abort a request in flight. */
	close(): void {
		this.#closed = true;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		if (this.#streamTimer !== undefined) clearTimeout(this.#streamTimer);
		this.#timer = undefined;
		this.#streamTimer = undefined;
		this.#abort.abort();
	}

	#expired(): boolean {
		const at = this.#lastSuccessAt;
		const age = at === undefined ? Number.POSITIVE_INFINITY : this.#o.now() - at;
		if (age <= this.#o.maxStaleMs) return false;
		if (!this.#expiredEmitted) {
			this.#expiredEmitted = true;
			this.emit("expired", { ageMs: age, policy: this.#o.policy });
		}
		return true;
	}

	#tag(salt: string, sub: string): string {
		// keyed by sub alone (no string built per call): the memo holds one salt's tags
		if (salt !== this.#tagSalt) {
			this.#tags.clear();
			this.#tagSalt = salt;
		}
		let tag = this.#tags.get(sub);
		if (tag === undefined) {
			tag = base64url.encode(sha256(enc.encode(salt + sub)));
			if (this.#tags.size >= 4096) this.#tags.delete(this.#tags.keys().next().value as string);
			this.#tags.set(sub, tag);
		}
		return tag;
	}

	async #refresh(): Promise<void> {
		const o = this.#o;
		const held = this.#state;
		const url = new URL(this.url);
		if (held !== undefined) url.searchParams.set("since", String(held.seq));
		const conditional: Conditional = { etag: held === undefined ? undefined : this.#etag };
		const started = o.now();
		try {
			const { result } = await fetchWithRetries(
				url,
				conditional,
				{
					fetch: o.fetch,
					timeoutMs: o.timeoutMs,
					maxResponseBytes: o.maxResponseBytes,
					headers: { accept: "application/json", ...o.headers },
					dispatcher: o.dispatcher,
					allowRedirectOrigins: new Set(o.allowRedirectOrigins),
					onWarning: () => {},
					onRequest: () => {},
				},
				{
					retries: o.retries,
					baseDelayMs: o.retryBaseDelayMs,
					maxDelayMs: o.retryMaxDelayMs,
					budgetMs: o.foregroundBudgetMs,
					random: o.random,
					signal: this.#abort.signal,
					onRetry: () => {},
				},
			);
			if (result.notModified) {
				if (held === undefined) throw new KeysFeedInvalidError("304 without a feed held");
				this.#succeeded();
				this.emit("refresh", {
					seq: held.seq,
					entries: count(held),
					notModified: true,
					delta: false,
					via: "poll",
					durationMs: o.now() - started,
				});
				return;
			}
			const body = result.body as { feed?: unknown } | null;
			await this.#accept(
				body !== null && typeof body === "object" ? body.feed : undefined,
				"poll",
				started,
				() => {
					this.#etag = result.headers.get("etag") ?? undefined;
				},
			);
		} catch (e) {
			// the shared fetch reports a body that is not UTF-8 JSON as a JWKS error: say feed
			const err =
				e instanceof KeysJwksInvalidError
					? new KeysFeedInvalidError("revocation feed response is not UTF-8 JSON", { cause: e })
					: e instanceof KeysError
						? e
						: new KeysFeedInvalidError("revocation feed could not be read", { cause: e });
			const first = this.#failures === 0 && this.#lastSuccessAt !== undefined;
			this.#failures++;
			this.#lastError = err;
			const retryInMs = Math.round(
				Math.min(o.errorBackoffMaxMs, o.errorBackoffMs * 2 ** (this.#failures - 1)) *
					(0.5 + o.random() / 2),
			);
			this.emit("refreshError", { error: err, retryInMs, durationMs: o.now() - started });
			if (first)
				this.emit("stale", { ageMs: o.now() - (this.#lastSuccessAt as number), error: err });
			this.#expired();
			this.#schedule(retryInMs);
			throw err;
		}
	}

	/** Verify a document (a poll's body or a stream event), refuse a rollback, apply it. */
	async #accept(
		feed: unknown,
		via: "poll" | "push",
		started: number,
		onApplied?: () => void,
	): Promise<void> {
		const o = this.#o;
		const doc = await verifyFeedDocument(feed, o.keys);
		const current = this.#state; // may have moved while verifying
		if (current !== undefined && doc.seq < current.seq)
			throw new KeysFeedRollbackError(current.seq, doc.seq);
		// the same delta twice (a poll and the stream crossing): nothing to apply
		if (current === undefined || doc.since === undefined || doc.seq !== current.seq)
			this.#state = apply(current, doc, Math.floor(o.now() / 1000));
		onApplied?.();
		this.#succeeded();
		const s = this.#state as State;
		this.emit("refresh", {
			seq: s.seq,
			entries: count(s),
			notModified: false,
			delta: doc.since !== undefined,
			via,
			durationMs: o.now() - started,
		});
	}

	#succeeded(): void {
		this.#lastSuccessAt = this.#o.now();
		this.#freshUntil = this.#lastSuccessAt + this.#o.maxStaleMs;
		this.#failures = 0;
		this.#lastError = undefined;
		this.#expiredEmitted = false;
		this.#schedule(this.#o.pollMs);
	}

	/** Open the event stream after `delayMs`; on its end, poll meanwhile and reopen with backoff. */
	#openStream(delayMs: number): void {
		if (this.#closed) return;
		if (this.#streamTimer !== undefined) clearTimeout(this.#streamTimer);
		const t = setTimeout(() => {
			this.#streamTimer = undefined;
			if (!this.#closed) void this.#runStream();
		}, delayMs);
		(t as { unref?: () => void }).unref?.();
		this.#streamTimer = t;
	}

	async #runStream(): Promise<void> {
		const o = this.#o;
		let error: KeysError | undefined;
		try {
			await readFeedStream(
				this.url,
				this.#state?.seq,
				{
					fetch: o.fetch,
					dispatcher: o.dispatcher,
					headers: o.headers,
					timeoutMs: o.timeoutMs,
					idleMs: o.pushIdleMs,
					maxEventBytes: o.maxResponseBytes,
					signal: this.#abort.signal,
				},
				{
					onOpen: () => {
						this.#streamUp = true;
						// polling pauses while the stream delivers
						if (this.#timer !== undefined) clearTimeout(this.#timer);
						this.#timer = undefined;
						this.emit("push", { state: "open" });
					},
					onFeed: async (data) => {
						await this.#accept(data, "push", o.now());
						this.#streamFailures = 0;
					},
					onAlive: () => {
						// the publisher is up and has sent every change since the seq held
						if (this.#state === undefined) return;
						this.#lastSuccessAt = o.now();
						this.#freshUntil = this.#lastSuccessAt + o.maxStaleMs;
						this.#failures = 0;
						this.#lastError = undefined;
						this.#expiredEmitted = false;
						this.#streamFailures = 0;
					},
				},
			);
		} catch (e) {
			error =
				e instanceof KeysError
					? e
					: new KeysFeedInvalidError("revocation event stream could not be read", { cause: e });
			this.#lastError = error;
		}
		this.#streamUp = false;
		if (this.#closed) return;
		this.#streamFailures++;
		const retryInMs = Math.round(
			Math.min(o.errorBackoffMaxMs, o.errorBackoffMs * 2 ** (this.#streamFailures - 1)) *
				(0.5 + o.random() / 2),
		);
		this.emit("push", { state: "closed", error, retryInMs });
		this.#schedule(0); // poll now, and every pollMs until the stream is back
		this.#openStream(retryInMs);
	}

	#schedule(delayMs: number): void {
		if (!(this.#o.autoRefresh || this.#o.push) || this.#closed || this.#streamUp) return;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		const t = setTimeout(() => {
			this.#timer = undefined;
			if (!this.#closed) this.load().catch(() => {});
		}, delayMs);
		(t as { unref?: () => void }).unref?.();
		this.#timer = t;
	}
}

function count(s: State): number {
	return s.sids.size + s.jtis.size + s.users.size;
}

/** Seconds between two sweeps of expired entries after deltas (a full document always sweeps). */
const SWEEP_EVERY_SEC = 10;

/**
 * The new state: a full document replaces; a delta is added to the state held in place (one
 * synchronous step, so `isRevoked` never sees half of it; no copy of 100 000 entries per
 * poll). Expired entries go on a full document and at most every 10 s after deltas (an
 * expired entry can only match tokens that have expired too).
 */
function apply(held: State | undefined, doc: FeedPayload, nowSec: number): State {
	let next: State;
	let sweep = true;
	if (doc.since === undefined) {
		next = {
			seq: doc.seq,
			salt: doc.salt,
			sids: doc.sids,
			jtis: doc.jtis,
			users: doc.users,
			sweptAt: nowSec,
		};
	} else {
		if (held === undefined || held.seq !== doc.since || held.salt !== doc.salt)
			throw new KeysFeedInvalidError("feed delta does not continue the state held");
		next = held;
		next.seq = doc.seq;
		for (const [k, exp] of doc.sids) next.sids.set(k, exp);
		for (const [k, exp] of doc.jtis) next.jtis.set(k, exp);
		// a newer logout everywhere replaces the user's entry, as in the store
		for (const [tag, entry] of doc.users) next.users.set(tag, entry);
		sweep = nowSec - next.sweptAt >= SWEEP_EVERY_SEC;
	}
	if (sweep) {
		next.sweptAt = nowSec;
		for (const [k, exp] of next.sids) if (exp <= nowSec) next.sids.delete(k);
		for (const [k, exp] of next.jtis) if (exp <= nowSec) next.jtis.delete(k);
		for (const [k, [, exp]] of next.users) if (exp <= nowSec) next.users.delete(k);
	}
	return next;
}
