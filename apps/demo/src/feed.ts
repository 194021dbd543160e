/**
 * The revocation feed (issue 15) in the demo:
 * - issuer mode: `createRevocationFeed` of `@xshl/session-store/feed` publishes the store's
 *   revocations (and the `jti`s the routes denylist) signed with the ring's current signing key,
 *   served at `GET /.well-known/xshl-revocations`; with Redis every instance writes one shared
 *   log (key `<REDIS_PREFIX>:{feed}:…`, through the store's client) with one salt derived from
 *   `RING_KEK`, so all issuer instances publish the same feed. The issuer's own offline bearer
 *   routes follow it in process (a `RevocationFeedClient` whose `fetch` calls `feed.handle`, no
 *   network);
 * - resource-server mode: a `RevocationFeedClient` on the issuer's feed URL and the same
 *   `RemoteKeySet` the tokens verify with.
 * Both expose {@link FeedStatus} for `/api/feed-status`, the page and `/healthz`.
 */
import { hkdf } from "node:crypto";
import { promisify } from "node:util";
import type { KeySet } from "@xshl/keys";
import { RevocationFeedClient, type RevocationFeedHealth } from "@xshl/keys/revocations";
import type { KeyRing } from "@xshl/keys/ring";
import type { SessionStore } from "@xshl/session-store";
import { StoreUnavailableError } from "@xshl/session-store/errors";
import {
	createRevocationFeed,
	type FeedRedisClient,
	type RevocationFeed,
} from "@xshl/session-store/feed";
import { CompactSign } from "jose";
import type { DemoConfig } from "./config.js";

/** The feed's path on the issuer (and the default followed by resource servers). */
export const FEED_PATH = "/.well-known/xshl-revocations";

/** What this instance knows about the revocation feed it follows (`GET /api/feed-status`). */
export interface FeedStatus {
	/** `issuer`: its own feed, in process; `resource`: the issuer's feed over HTTP. */
	mode: "issuer" | "resource";
	/** The feed URL followed. */
	url: string;
	/** The client's state, age, policy and last error. */
	health: RevocationFeedHealth;
	/**
	 * The newest revocation this instance has seen: its `seq` (ms when it was written, on the
	 * writer's clock), when this instance first saw it, and the difference (ms).
	 */
	lastRevocation: { seq: number; seenAt: number; propagationMs: number } | null;
}

/** The feed client in use and its status (`AppDeps.revocations`). */
export interface DemoRevocations {
	/** The client; pass it as `revocations` to the verifier. */
	client: RevocationFeedClient;
	/** @returns the current {@link FeedStatus}. */
	status(): FeedStatus;
}

const enc = new TextEncoder();

/**
 * Track the newest revocation a client sees: a refresh that brings a higher `seq` with entries
 * (the first load is the baseline, not a revocation).
 *
 * @param client - the feed client.
 * @param mode - issuer or resource.
 * @param url - the URL shown.
 * @param now - the wall clock (the feed's `seq` is ms on the writer's clock).
 * @returns the client and its status.
 */
export function withStatus(
	client: RevocationFeedClient,
	mode: FeedStatus["mode"],
	url: string,
	now: () => number = Date.now,
): DemoRevocations {
	let seq: number | undefined = client.health().seq; // the state loaded at start is the baseline
	let last: FeedStatus["lastRevocation"] = null;
	client.on("refresh", (e) => {
		if (e.notModified) return;
		if (seq !== undefined && e.seq > seq && e.entries > 0) {
			const seenAt = now();
			last = { seq: e.seq, seenAt, propagationMs: Math.max(0, seenAt - e.seq) };
		}
		seq = Math.max(seq ?? 0, e.seq);
	});
	return {
		client,
		status: () => ({ mode, url, health: client.health(), lastRevocation: last }),
	};
}

/** The client options the demo's configuration sets (poll, policy, staleness). */
function clientOptions(config: DemoConfig) {
	return {
		autoRefresh: true,
		pollMs: config.feedPollMs,
		policy: config.feedPolicy,
		maxStaleMs: config.feedMaxStaleMs,
		// recover quickly after an outage: retry at the poll interval, at most 5 s apart
		errorBackoffMs: config.feedPollMs,
		errorBackoffMaxMs: Math.max(config.feedPollMs, 5000),
		timeoutMs: 2000,
		foregroundBudgetMs: 4000,
	};
}

/**
 * The salt of the feed's user tags, shared by every issuer instance of one deployment:
 * HKDF-SHA256 of `RING_KEK` with the Redis prefix as context (16 bytes, base64url). Nothing
 * extra is stored; a new KEK gives a new salt (verifiers take it from the next full document).
 *
 * @param kek - the ring's key-encryption key (32 bytes).
 * @param prefix - `REDIS_PREFIX`.
 * @returns 22 base64url characters.
 */
export async function feedSalt(kek: Uint8Array, prefix: string): Promise<string> {
	const bytes = await promisify(hkdf)(
		"sha256",
		kek,
		new Uint8Array(0),
		`xshl-demo revocation feed salt\n${prefix}`,
		16,
	);
	return Buffer.from(bytes).toString("base64url");
}

/** The issuer's feed parts (see {@link createIssuerFeed}). */
export interface IssuerFeed {
	/** The publisher; serve `feed.handle` at {@link FEED_PATH}. */
	feed: RevocationFeed;
	/** The in-process client for the issuer's own offline routes. */
	revocations: DemoRevocations;
	/** Stop the client and the feed (the Redis connection is the store's). */
	close(): Promise<void>;
}

/**
 * Issuer mode: publish the store's revocations and follow them in process.
 *
 * @param config - the demo configuration (Redis, `RING_KEK`, feed settings).
 * @param parts - the raw store, the current ring, the key set tokens verify with, the clock,
 *   and in Redis mode the store's connected client (`Redis` or `Cluster`) for the shared log.
 * @returns the feed, the client and a close hook.
 */
export async function createIssuerFeed(
	config: DemoConfig,
	parts: {
		store: SessionStore;
		ring: () => KeyRing;
		keys: KeySet;
		now: () => number;
		redis?: FeedRedisClient | undefined;
	},
): Promise<IssuerFeed> {
	const redis = parts.redis;
	const publisher = createRevocationFeed({
		store: parts.store,
		accessTokenTtlMs: config.accessTokenTtl * 1000,
		now: parts.now,
		sign: (payload, typ) => {
			const { privateKey, header } = parts.ring().signingKey();
			return new CompactSign(enc.encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ })
				.sign(privateKey);
		},
		...(redis
			? {
					log: { redis, prefix: `${config.redisPrefix}:{feed}:` },
					...(config.ringKek ? { salt: await feedSalt(config.ringKek, config.redisPrefix) } : {}),
				}
			: {}),
	});
	// a log that cannot be read (Redis down) answers 503 ERR_STORE_UNAVAILABLE, never a 500
	const handle = (request: Request): Promise<Response> =>
		publisher.handle(request).catch((err: unknown) => {
			throw new StoreUnavailableError("the revocation feed log is unavailable", { cause: err });
		});
	const feed: RevocationFeed = Object.assign(Object.create(publisher) as RevocationFeed, {
		handle,
	});
	const url = `http://127.0.0.1${FEED_PATH}`;
	const client = new RevocationFeedClient({
		url,
		keys: parts.keys,
		// no network: the request goes straight to the publisher
		fetch: (input, init) =>
			handle(
				new Request(input, {
					method: init.method ?? "GET",
					headers: init.headers ?? {},
					...(init.signal ? { signal: init.signal } : {}),
				}),
			).catch(() => new Response(null, { status: 503 })),
		...clientOptions(config),
	});
	await client.load().catch(() => {}); // a failure shows in health(); the policy applies
	return {
		feed,
		revocations: withStatus(client, "issuer", FEED_PATH),
		async close() {
			client.close();
			feed.close();
		},
	};
}

/**
 * Resource-server mode: follow the issuer's feed (`ISSUER_REVOCATIONS_URL`) with the key set
 * the tokens verify with. A feed unreachable at start does not stop the server: the policy
 * applies (`fail-closed` refuses every token until the first load succeeds) and the client
 * keeps retrying at the poll interval.
 *
 * @param config - the demo configuration.
 * @param keys - the issuer's key set (the `RemoteKeySet`).
 * @returns the client and its status.
 */
export async function followIssuerFeed(config: DemoConfig, keys: KeySet): Promise<DemoRevocations> {
	const url = config.issuerRevocationsUrl!;
	const client = new RevocationFeedClient({
		url,
		keys,
		...clientOptions(config),
		...(config.feedPush ? { push: true } : {}),
	});
	await client.load().catch(() => {});
	return withStatus(client, "resource", url);
}
