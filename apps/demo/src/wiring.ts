/**
 * Builds the real components from the configuration:
 * - issuer mode (default): a `KeyRing` (generated, or shared through Redis), session-core
 *   issuing and verification, a `MemoryStore` (or `RedisStore` with `REDIS_URL` or
 *   `REDIS_CLUSTER_NODES`), @xshl/jwe;
 * - resource-server mode (`ISSUER_JWKS_URL`): a `RemoteKeySet` on the issuer's JWKS and
 *   session-core verification only (plus the store for critical operations with `REDIS_URL`).
 * Both report through `@xshl/otel` (key set, ring, store, feed) to the OpenTelemetry providers
 * given, by default the global ones: no-ops until an SDK registers (e.g. with `node --import`).
 */
import { type KeySetEventType, RemoteKeySet } from "@xshl/keys";
import { KeyRing, type KeyRingEventType } from "@xshl/keys/ring";
import { type InstrumentOptions, instrument } from "@xshl/otel";
import { MemoryStore, type SessionStore, type StoreEventType } from "@xshl/session-store";
import type { AppDeps } from "./app.js";
import type { DemoConfig } from "./config.js";
import { createIssuerFeed, followIssuerFeed } from "./feed.js";
import { EventRelay, type KeyEvent } from "./log-events.js";
import type { RefreshStore } from "./ports.js";
import { UserDirectory } from "./users.js";
import { RingHolder, StoreAdapter, XshlIssuer, XshlSealer } from "./xshl.js";

type StoreEvents = { handler?: (event: { type: string }) => void };
type KeyEvents = EventRelay<KeyEvent>;

const KEY_SET_EVENT_TYPES: readonly KeySetEventType[] = [
	"refresh",
	"refreshError",
	"stale",
	"expired",
	"unknownKid",
	"keyRejected",
	"warning",
];
const RING_EVENT_TYPES: readonly KeyRingEventType[] = [
	"rotate",
	"withdraw",
	"expire",
	"evict",
	"capacityWarning",
];

/** Every key-set event goes to the app's handler, with its source and type. */
function forwardKeySet(keys: RemoteKeySet, events: KeyEvents): void {
	for (const type of KEY_SET_EVENT_TYPES)
		keys.on(type, (payload) => events.emit({ source: "keySet", type, ...payload }));
}

/**
 * Every event of a ring (and of each ring that replaces it) goes to the app's handler and to
 * `@xshl/otel`; returns the detach of the current ring's instrumentation.
 */
function forwardRing(
	holder: RingHolder,
	events: KeyEvents,
	telemetry: InstrumentOptions | undefined,
): () => void {
	let detach = (): void => {};
	const subscribe = (ring: KeyRing): void => {
		for (const type of RING_EVENT_TYPES)
			ring.on(type, (payload) => events.emit({ source: "ring", type, ...payload }));
		detach();
		detach = instrument({ ring }, telemetry);
	};
	subscribe(holder.ring);
	holder.onReplace = subscribe;
	return () => detach();
}

/** `/healthz`'s store check: one PING (the client's command timeout applies). */
function pingStore(shared: import("./redis.js").RedisParts | undefined): Partial<AppDeps> {
	return shared ? { pingStore: async () => void (await shared.client.ping()) } : {};
}

const STORE_EVENT_TYPES: readonly StoreEventType[] = [
	"login",
	"refresh",
	"refresh.reuse_detected",
	"revoke",
	"evict",
	"logout_all",
	"error",
];

/** Options for tests: an injectable clock. */
export interface WiringOptions {
	now?: () => number;
	/**
	 * OpenTelemetry providers for `@xshl/otel`'s spans and metrics (tests pass in-memory ones).
	 * @default the global providers of `@opentelemetry/api`
	 */
	telemetry?: InstrumentOptions;
}

async function createStore(
	config: DemoConfig,
	now: () => number,
	events: StoreEvents,
): Promise<{ store: RefreshStore; shared?: import("./redis.js").RedisParts }> {
	const storeOptions = { accessTokenTtlMs: config.accessTokenTtl * 1000 };
	// every store event goes to the app's handler, with its type; an Error as name, code and
	// message (a logger prints an Error nested in an event as `{}`)
	const emit = (type: string, payload: object): void => {
		const { error, ...rest } = payload as { error?: unknown };
		const e = error as { name?: string; code?: string; message?: string } | undefined;
		events.handler?.({
			type,
			...rest,
			...(e ? { error: { name: e.name, code: e.code, message: e.message } } : {}),
		});
	};
	const forward = (store: SessionStore): void => {
		for (const type of STORE_EVENT_TYPES) store.on(type, (payload) => emit(type, payload));
	};
	if (!config.redisUrl && !config.redisClusterNodes) {
		const memory = new MemoryStore({ ...storeOptions, now });
		forward(memory);
		return { store: new StoreAdapter(memory, "memory") };
	}
	const { connectRedis } = await import("./redis.js");
	const parts = await connectRedis(config, storeOptions, forward, (source, error) =>
		emit("error", { at: now(), source, error }),
	);
	return { store: parts.store, shared: parts };
}

/** Components for a config (issuer mode unless `ISSUER_JWKS_URL` is set). */
export async function createDeps(
	config: DemoConfig,
	options: WiringOptions = {},
): Promise<AppDeps> {
	const now = options.now ?? Date.now;
	const storeEvents: StoreEvents = {};
	const keyEvents: KeyEvents = new EventRelay<KeyEvent>();
	const tokenOptions = {
		issuer: config.issuer,
		audience: config.audience,
		ttl: config.accessTokenTtl,
		now,
	};
	// session-core's opt-in verified-token cache (VERIFY_CACHE; off by default)
	const tokenCache =
		config.verifyCache > 0 ? { maxEntries: config.verifyCache, maxAgeMs: 60_000 } : undefined;

	if (config.issuerJwksUrl) {
		const keys = new RemoteKeySet({
			name: config.keysetName,
			url: config.issuerJwksUrl,
			now,
			cooldownMs: 1000,
		});
		forwardKeySet(keys, keyEvents);
		// the issuer's revocation feed, verified with the same key set (issue 15)
		const revocations = await followIssuerFeed(config, keys);
		const { store, shared } =
			config.redisUrl || config.redisClusterNodes
				? await createStore(config, now, storeEvents)
				: { store: undefined, shared: undefined };
		const detach = instrument(
			{
				keySet: keys,
				...(revocations ? { feed: revocations.client } : {}),
				...(store ? { store: (store as StoreAdapter).store } : {}),
			},
			options.telemetry,
		);
		return {
			config,
			now,
			keys,
			revocations,
			...(tokenCache ? { verifyCache: tokenCache } : {}),
			...(store ? { store, storeEvents } : {}),
			...pingStore(shared),
			keyEvents,
			onClose: async () => {
				detach();
				keys.close();
			},
		};
	}

	const { store, shared } = await createStore(config, now, storeEvents);
	const ringOptions = { now, maxAgeMs: config.jwksCacheSeconds * 1000 };
	const ring = shared
		? await shared.loadRing(
				() =>
					KeyRing.generate({
						signing: config.signingAlg,
						encryption: config.encryptionAlg,
						...ringOptions,
					}),
				ringOptions,
			)
		: await KeyRing.generate({
				signing: config.signingAlg,
				encryption: config.encryptionAlg,
				...ringOptions,
			});
	const holder = new RingHolder(ring, config.keysetName);
	const detachRings = forwardRing(holder, keyEvents, options.telemetry);
	if (shared) shared.syncRing(holder, ringOptions);
	const issuer = new XshlIssuer(holder, tokenOptions);
	// publish the store's revocations; the offline bearer routes follow them in process
	const feed = await createIssuerFeed(config, {
		store: (store as StoreAdapter).store,
		ring: () => holder.ring,
		keys: issuer.keys,
		now,
		redis: shared?.client,
	});
	const detachStore = instrument(
		{
			store: (store as StoreAdapter).store,
			...(feed.revocations ? { feed: feed.revocations.client } : {}),
		},
		options.telemetry,
	);
	return {
		config,
		now,
		issuer,
		ring: () => holder.ring,
		keys: issuer.keys,
		...(tokenCache ? { verifyCache: tokenCache } : {}),
		store,
		sessionStore: (store as StoreAdapter).store,
		revocations: feed.revocations,
		revocationFeed: feed.feed,
		onClose: async () => {
			detachStore();
			detachRings();
			await feed.close();
		},
		storeEvents,
		keyEvents,
		...pingStore(shared),
		sealer: new XshlSealer(holder, issuer.keys),
		users: await UserDirectory.fromFile(config.usersFile),
	};
}
