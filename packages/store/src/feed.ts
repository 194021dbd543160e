/**
 * `@xshl/session-store/feed`: the issuer's revocation feed. It listens to the store's events
 * and publishes the revoked `sid`s, denylisted `jti`s and per-user "revoked before" epochs
 * that can still matter, as a signed compact JWS (`typ: xshl-revocations+jwt`) with a
 * monotonically increasing `seq`, ETag/304, a short `max-age` and `?since=<seq>` deltas.
 * Verifiers follow it with `RevocationFeedClient` of `@xshl/keys/revocations`.
 *
 * @module
 */
import type { StoreEvents } from "./contract";
import { StoreConfigError } from "./errors";
import { Emitter } from "./internal/emitter";
import { type FeedLogLike, MemoryFeedLog } from "./internal/feed-log";
import { FeedPush } from "./internal/feed-push";
import { type FeedRedisClient, RedisFeedLog } from "./internal/feed-redis-log";

export type { FeedRedisClient } from "./internal/feed-redis-log";

/** The `typ` of every feed document. */
export const REVOCATION_FEED_TYPE = "xshl-revocations+jwt";

/** The store events the feed follows (any `SessionStore`: `MemoryStore`, `RedisStore`). */
export interface RevocationFeedStore {
	/** Subscribe to a store event; returns the unsubscribe function. */
	on<K extends "login" | "revoke" | "evict" | "logout_all" | "deny">(
		type: K,
		listener: (event: StoreEvents[K]) => void,
	): () => void;
}

/** Options of {@link createRevocationFeed}. */
export interface RevocationFeedOptions {
	/** The store whose revocations are published. */
	store: RevocationFeedStore;
	/**
	 * Signs a payload as a compact JWS with the protected header `typ` given, with the key the
	 * session tokens are signed with (e.g. built from a `KeyRing` of `@xshl/keys/ring`).
	 */
	sign: (payload: Record<string, unknown>, typ: string) => Promise<string>;
	/** The access-token lifetime, in ms: an entry lives until every token it could affect has expired. */
	accessTokenTtlMs: number;
	/** The verifiers' clock leeway, in ms, added to each entry's life. @default 5000 */
	leewayMs?: number;
	/** `Cache-Control: max-age` of the endpoint, in ms (whole seconds on the wire). @default 2000 */
	maxAgeMs?: number;
	/**
	 * The salt of the user tags (base64url, 16–128 characters); instances publishing one feed
	 * share it. @default 16 random bytes
	 */
	salt?: string;
	/** The clock, ms. @default Date.now */
	now?: () => number;
	/**
	 * Keep the log in Redis, shared by every issuer instance (give them the same `salt`): an
	 * ioredis `Redis` or `Cluster`; `prefix` must hold a Cluster hash tag.
	 * @default undefined (a memory log per instance)
	 */
	log?: { redis: FeedRedisClient; prefix?: string };
	/**
	 * Most Server-Sent Events streams open at once (`Accept: text/event-stream`); one more is
	 * answered `503` with `Retry-After`; `0` refuses every stream. @default 1000
	 */
	maxSubscribers?: number;
	/** Interval of the heartbeat comment on each event stream, in ms. @default 15000 */
	heartbeatMs?: number;
	/**
	 * With the Redis log, how often an instance with open streams checks the shared `seq` for
	 * entries written by other instances, in ms. @default 1000
	 */
	pushSyncMs?: number;
}

/** A `jti` to publish by hand (the store's `denyJti` is followed through its `deny` event). */
export interface FeedJtiInput {
	/** The token's `jti`. */
	jti: string;
	/** The token's `exp`, NumericDate seconds; the entry lives until `exp` + leeway. */
	exp: number;
}

/** Events of a {@link RevocationFeed}, by type. */
export interface RevocationFeedEvents {
	/** Writing an entry to the log failed (e.g. Redis down): verifiers will not see it. */
	error: { at: number; error: Error };
}

/** The issuer's revocation feed, from {@link createRevocationFeed}. */
export interface RevocationFeed {
	/**
	 * Subscribe to an event; a listener that throws never breaks the feed.
	 * @returns a function that unsubscribes.
	 */
	on<K extends keyof RevocationFeedEvents>(
		type: K,
		listener: (event: RevocationFeedEvents[K]) => void,
	): () => void;
	/** The `seq` last read (ms-based, so a restarted issuer never goes back). */
	readonly seq: number;
	/** The salt of the user tags. */
	readonly salt: string;
	/** Live entries in the last full document built. */
	readonly size: number;
	/** Server-Sent Events streams open now. */
	readonly subscribers: number;
	/** @returns the full signed document (cached per `seq`). */
	document(): Promise<string>;
	/**
	 * @param since - a `seq` the client holds.
	 * @returns the signed delta of the entries written after `since`, or the full document when
	 *   `since` is older than this feed's first state or not below the current `seq`.
	 */
	delta(since: number): Promise<string>;
	/** Publish a `jti` by hand (a source other than the store; the store's `denyJti` and `denySid` are followed through its `deny` event). */
	denyJti(input: FeedJtiInput): Promise<void>;
	/**
	 * Serve the feed in any framework: `GET` (or `HEAD`) with an optional `?since=<seq>`;
	 * `200 {"feed":"<jws>"}` with `ETag: "<seq>"` and `Cache-Control: public, max-age=2`,
	 * `304` when `If-None-Match` matches, `400` for a bad `since`, `405` for other methods.
	 * A `GET` with `Accept: text/event-stream` opens a Server-Sent Events stream instead: one
	 * `feed` event (`id: <seq>`, `data: <jws>`) with the document (or the delta since
	 * `Last-Event-ID` / `?since=`), then the signed delta after each new entry, and a
	 * heartbeat comment every `heartbeatMs`; `503` past `maxSubscribers`.
	 */
	handle(request: Request): Promise<Response>;
	/** Stop following the store and end every event stream. */
	close(): void;
}

const enc = new TextEncoder();

/** A signed document and its `seq`. */
interface Signed {
	seq: number;
	jws: string;
}

function b64url(bytes: Uint8Array): string {
	let s = "";
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The user tag published instead of `sub`: base64url of SHA-256 of `salt || sub` (UTF-8).
 *
 * @param salt - the feed's salt.
 * @param sub - the user.
 * @returns the tag.
 */
export async function revocationUserTag(salt: string, sub: string): Promise<string> {
	return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(salt + sub))));
}

const int = (v: unknown, min: number): v is number =>
	Number.isSafeInteger(v) && (v as number) >= min;

/**
 * Publish the store's revocations as a signed feed.
 *
 * @param options - see {@link RevocationFeedOptions}.
 * @returns the feed; serve {@link RevocationFeed.handle} at `/.well-known/xshl-revocations`.
 * @throws StoreConfigError `ERR_STORE_CONFIG_INVALID` for invalid options.
 * @example
 * ```ts
 * import { CompactSign } from 'jose'
 * const feed = createRevocationFeed({
 *   store, accessTokenTtlMs: 120_000,
 *   sign: (payload, typ) => {
 *     const { privateKey, header } = ring.signingKey()
 *     return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
 *       .setProtectedHeader({ ...header, typ }).sign(privateKey)
 *   },
 * })
 * app.get('/.well-known/xshl-revocations', (req) => feed.handle(req))
 * ```
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
	const issues: { path: string; message: string }[] = [];
	const o = options as Partial<RevocationFeedOptions> | undefined;
	if (o === undefined || o === null || typeof o !== "object")
		throw new StoreConfigError("invalid revocation feed options", [
			{ path: "", message: "expected an object" },
		]);
	if (o.store === undefined || typeof o.store?.on !== "function")
		issues.push({ path: "store", message: "expected a store with on()" });
	if (typeof o.sign !== "function") issues.push({ path: "sign", message: "expected a function" });
	if (!int(o.accessTokenTtlMs, 1))
		issues.push({ path: "accessTokenTtlMs", message: "expected a positive integer (ms)" });
	if (o.leewayMs !== undefined && !int(o.leewayMs, 0))
		issues.push({ path: "leewayMs", message: "expected an integer >= 0 (ms)" });
	if (o.maxAgeMs !== undefined && !int(o.maxAgeMs, 0))
		issues.push({ path: "maxAgeMs", message: "expected an integer >= 0 (ms)" });
	if (o.salt !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(o.salt))
		issues.push({ path: "salt", message: "expected 16-128 base64url characters" });
	if (o.log !== undefined && typeof o.log?.redis?.eval !== "function")
		issues.push({ path: "log.redis", message: "expected an ioredis Redis or Cluster client" });
	if (o.log?.prefix !== undefined && !/\{[^}]+\}/.test(o.log.prefix))
		issues.push({ path: "log.prefix", message: "must contain a Cluster hash tag such as {feed}" });
	if (o.maxSubscribers !== undefined && !int(o.maxSubscribers, 0))
		issues.push({ path: "maxSubscribers", message: "expected an integer >= 0" });
	if (o.heartbeatMs !== undefined && !int(o.heartbeatMs, 100))
		issues.push({ path: "heartbeatMs", message: "expected an integer >= 100 (ms)" });
	if (o.pushSyncMs !== undefined && !int(o.pushSyncMs, 100))
		issues.push({ path: "pushSyncMs", message: "expected an integer >= 100 (ms)" });
	if (issues.length > 0)
		throw new StoreConfigError(
			`invalid revocation feed options: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
			issues,
		);
	const opts = o as RevocationFeedOptions;
	const now = opts.now ?? Date.now;
	const leewayMs = opts.leewayMs ?? 5_000;
	const lifeMs = opts.accessTokenTtlMs + leewayMs;
	const maxAge = Math.floor((opts.maxAgeMs ?? 2_000) / 1000);
	const salt = opts.salt ?? b64url(crypto.getRandomValues(new Uint8Array(16)));
	const log: FeedLogLike =
		opts.log === undefined
			? new MemoryFeedLog(now())
			: new RedisFeedLog(opts.log.redis, opts.log.prefix ?? "xshl:{feed}:");
	const events = new Emitter<RevocationFeedEvents>();
	let pending: Promise<void> = Promise.resolve();
	let lastSeq = 0;
	let lastSize = 0;
	let full: { seq: number; doc: Promise<Signed> } | undefined;
	let deltas = new Map<number, Promise<Signed>>();
	let deltasSeq = 0;

	const expOf = (atMs: number): number => Math.ceil((atMs + lifeMs) / 1000);
	const queue = (work: () => Promise<void> | void): void => {
		pending = pending
			.then(work)
			.catch((e: unknown) => {
				events.emit("error", { at: now(), error: e instanceof Error ? e : new Error(String(e)) });
			})
			.then(() => push.changed());
	};
	const offs = [
		opts.store.on("revoke", (e) => {
			// a login reusing a sid replaces its family: the sid lives on in the new session
			if (e.reason !== "replaced") queue(() => log.write(`s:${e.sid}`, [], expOf(e.at), now()));
		}),
		opts.store.on("evict", (e) => queue(() => log.write(`s:${e.sid}`, [], expOf(e.at), now()))),
		// a session opened after a logout everywhere in the same second: its tokens' iat equals
		// the epoch's second, so the entry lists its sid as fresh (see RevocationFeedClient)
		opts.store.on("login", (e) =>
			queue(async () => {
				// the memory log knows (after the writes queued before) when no user has an entry
				if (log instanceof MemoryFeedLog && log.users === 0) return;
				await log.born(await revocationUserTag(salt, e.sub), e.sid, e.at, now());
			}),
		),
		// denyJti / denySid of the store: the jti or sid until its exp (+ the verifiers' leeway)
		opts.store.on("deny", (e) =>
			queue(() =>
				log.write(
					`${e.kind === "jti" ? "j" : "s"}:${e.id}`,
					[],
					e.exp + Math.ceil(leewayMs / 1000),
					now(),
				),
			),
		),
		opts.store.on("logout_all", (e) =>
			queue(async () => {
				const tag = await revocationUserTag(salt, e.sub);
				const value = e.exceptSid === undefined ? [e.at] : [e.at, e.exceptSid];
				await log.write(`u:${tag}`, value, expOf(e.at), now());
			}),
		),
	];

	/** The signed document (full, or the delta since `since` when it continues this log). */
	async function build(since: number | undefined): Promise<Signed> {
		await pending;
		const t = now();
		if (since === undefined && full !== undefined) {
			// the full document of this seq is signed already: no read of every entry
			const head = await log.read(t, Number.MAX_SAFE_INTEGER);
			if (head.seq === full.seq) return full.doc;
		}
		const r = await log.read(t, since);
		lastSeq = r.seq;
		if (since !== undefined && (since < r.baseSeq || since >= r.seq)) return build(undefined);
		if (since === undefined) {
			lastSize =
				Object.keys(r.body.sids).length +
				Object.keys(r.body.jtis).length +
				Object.keys(r.body.users).length;
			if (full?.seq === r.seq) return full.doc;
		} else {
			if (deltasSeq !== r.seq) {
				deltas = new Map();
				deltasSeq = r.seq;
			}
			const cached = deltas.get(since);
			if (cached !== undefined) return cached;
		}
		const payload: Record<string, unknown> = { v: 1, seq: r.seq, iat: Math.floor(t / 1000), salt };
		if (since !== undefined) payload.since = since;
		Object.assign(payload, r.body);
		const seq = r.seq;
		const doc = opts.sign(payload, REVOCATION_FEED_TYPE).then((jws) => ({ seq, jws }));
		if (since === undefined) full = { seq, doc };
		else {
			if (deltas.size >= 256) deltas.delete(deltas.keys().next().value as number);
			deltas.set(since, doc);
		}
		// a failed signature is not cached
		doc.catch(() => {
			if (full?.doc === doc) full = undefined;
			if (deltas.get(since as number) === doc) deltas.delete(since as number);
		});
		return doc;
	}

	const document = async (): Promise<string> => (await build(undefined)).jws;
	const delta = async (since: number): Promise<string> =>
		(await build(Number.isSafeInteger(since) && since >= 0 ? since : undefined)).jws;

	const push = new FeedPush({
		maxSubscribers: opts.maxSubscribers ?? 1000,
		heartbeatMs: opts.heartbeatMs ?? 15_000,
		syncMs: opts.log === undefined ? undefined : (opts.pushSyncMs ?? 1_000),
		current: async () => {
			await pending;
			lastSeq = (await log.read(now(), Number.MAX_SAFE_INTEGER)).seq;
			return lastSeq;
		},
		build,
		onError: (error) => events.emit("error", { at: now(), error }),
	});

	async function handle(request: Request): Promise<Response> {
		if (request.method !== "GET" && request.method !== "HEAD")
			return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
		const raw = new URL(request.url).searchParams.get("since");
		if (raw !== null && !/^\d{1,16}$/.test(raw))
			return new Response(null, { status: 400, headers: { "cache-control": "no-store" } });
		if (
			request.method === "GET" &&
			/\btext\/event-stream\b/i.test(request.headers.get("accept") ?? "")
		) {
			const last = request.headers.get("last-event-id") ?? raw;
			return push.open(last !== null && /^\d{1,16}$/.test(last) ? Number(last) : undefined);
		}
		await pending;
		// the seq now (no entries: nothing is written after the largest cursor)
		lastSeq = (await log.read(now(), Number.MAX_SAFE_INTEGER)).seq;
		const etag = `"${lastSeq}"`;
		const headers = {
			"cache-control": `public, max-age=${maxAge}`,
			etag,
			vary: "accept-encoding",
		};
		const inm = request.headers.get("if-none-match");
		if (inm?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))
			return new Response(null, { status: 304, headers });
		const jws = raw === null ? await document() : await delta(Number(raw));
		const body = JSON.stringify({ feed: jws });
		return new Response(request.method === "HEAD" ? null : body, {
			status: 200,
			headers: { ...headers, "content-type": "application/json" },
		});
	}

	return {
		get seq() {
			return lastSeq;
		},
		salt,
		get size() {
			return lastSize;
		},
		get subscribers() {
			return push.size;
		},
		document,
		delta,
		async denyJti(input: FeedJtiInput): Promise<void> {
			if (typeof input?.jti !== "string" || input.jti === "" || !int(input.exp, 0))
				throw new StoreConfigError("invalid jti entry", [
					{ path: "", message: "expected { jti: non-empty string, exp: NumericDate seconds }" },
				]);
			queue(() => log.write(`j:${input.jti}`, [], input.exp + Math.ceil(leewayMs / 1000), now()));
			await pending;
		},
		handle,
		on: (type, listener) => events.on(type, listener),
		close(): void {
			for (const off of offs) off();
			push.close();
		},
	};
}
