/**
 * Redis mode: the shared `RedisStore` and the shared key ring, on one Redis node (`REDIS_URL`)
 * or a Redis Cluster (`REDIS_CLUSTER_NODES`, an ioredis `Cluster` with the settings the store's
 * README requires). The first instance generates the ring and stores its private export under
 * `<prefix>:keyring` (SET NX); the others import it. A rotation writes the new export; other
 * instances pick it up within `RING_POLL_MS` (the new active key was pre-published as `next`,
 * so their verification never lags). On a Cluster every ring write waits up to 1 s for one
 * replica (`WAIT`), so the ring survives its primary's failover; a write no replica
 * acknowledged is logged.
 */
import { KeyRing, type KeyRingOptions, type KeyRingSnapshot } from "@xshl/keys/ring";
import type { SessionStore } from "@xshl/session-store";
import { StoreUnavailableError } from "@xshl/session-store/errors";
import { clusterClientOptions } from "@xshl/session-store/redis";
import { Cluster, type ClusterOptions, Redis } from "ioredis";
import type { DemoConfig } from "./config.js";
import type { RefreshStore } from "./ports.js";
import { secretRingWrapper } from "./ring-at-rest.js";
import { type RingHolder, StoreAdapter } from "./xshl.js";

const RING_POLL_MS = 2000;
/** How long a ring write waits for a replica on a Cluster (rare writes: patience is cheap). */
const RING_WAIT_MS = 1000;
/** How long startup waits for the Cluster's slot map. */
const CLUSTER_CONNECT_MS = 10_000;

/**
 * The ioredis `Cluster` settings of the store's README ("Redis Cluster, Sentinel and managed
 * Redis"): no offline queue, no resend of a command whose connection closed, every redirection
 * chain inside the store's timeout (`RedisStore` refuses a Cluster that breaks these), and a
 * topology poll so a paused primary is noticed.
 */
export const CLUSTER_OPTIONS: ClusterOptions = clusterClientOptions();

/** Something went wrong outside a request (a ring poll or publish); the app logs it. */
export type RedisErrorReporter = (source: "ring", error: Error) => void;

export interface RedisParts {
	store: RefreshStore;
	/** The connected client (a `Cluster` with `REDIS_CLUSTER_NODES`), for other shared state. */
	client: Redis | Cluster;
	loadRing(generate: () => Promise<KeyRing>, options: KeyRingOptions): Promise<KeyRing>;
	syncRing(holder: RingHolder, options: KeyRingOptions): void;
}

function describeTarget(config: DemoConfig): string {
	if (config.redisClusterNodes) {
		return `the Redis Cluster at ${config.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
	}
	const u = new URL(config.redisUrl!);
	return `Redis at ${u.hostname}:${u.port || 6379}`;
}

async function connectClient(config: DemoConfig): Promise<Redis | Cluster> {
	const client = config.redisClusterNodes
		? new Cluster(config.redisClusterNodes, { ...CLUSTER_OPTIONS, lazyConnect: true })
		: new Redis(config.redisUrl!, {
				enableOfflineQueue: false,
				commandTimeout: config.redisTimeoutMs,
				maxRetriesPerRequest: 1,
				lazyConnect: true,
			});
	// until the store's error listener takes over (it bridges client and node errors), a
	// connection error is what `connect()` rejects with below
	const quiet = (): void => {};
	client.on("error", quiet);
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			client.connect(),
			new Promise((_, reject) => {
				timer = setTimeout(
					() => reject(new Error(`not ready after ${CLUSTER_CONNECT_MS} ms`)),
					CLUSTER_CONNECT_MS,
				);
			}),
		]);
	} catch (err) {
		client.disconnect();
		throw new Error(`cannot connect to ${describeTarget(config)} (${(err as Error).message})`);
	} finally {
		clearTimeout(timer);
	}
	return client;
}

export async function connectRedis(
	config: DemoConfig,
	storeOptions: { accessTokenTtlMs: number },
	subscribe: (store: SessionStore) => void,
	report: RedisErrorReporter = () => {},
): Promise<RedisParts> {
	const { RedisStore } = await import("@xshl/session-store/redis");
	const client = await connectClient(config);
	const cluster = client instanceof Cluster;
	const ringKey = `${config.redisPrefix}:keyring`;
	// the ring's private keys are stored wrapped with the operator's KEK, never in the clear
	const wrapper = config.ringKek ? await secretRingWrapper(config.ringKek, ringKey) : undefined;
	const save = async (ring: KeyRing): Promise<string> => {
		if (!wrapper) throw new Error("RING_KEK is required to store the key ring in Redis");
		return wrapper.wrap(JSON.stringify(await ring.snapshot()));
	};
	const load = async (stored: string, options: KeyRingOptions): Promise<KeyRing> => {
		if (!wrapper) throw new Error("RING_KEK is required to load the key ring from Redis");
		return KeyRing.restore(JSON.parse(await wrapper.unwrap(stored)) as KeyRingSnapshot, options);
	};
	/**
	 * SET (NX), and on a Cluster WAIT for one replica on the same connection. A write no replica
	 * acknowledged in time still counts (this instance already uses the new ring, and the others
	 * load it from the primary): it is reported (`store: error`, source `ring`), since a failover
	 * before the replica catches up would bring the previous ring back, and tokens signed with
	 * the lost key would stop verifying until their clients refresh. A write that failed is
	 * `ERR_STORE_UNAVAILABLE` (503).
	 */
	const write = async (text: string, nx: boolean): Promise<boolean> => {
		try {
			if (!cluster)
				return (await (nx ? client.set(ringKey, text, "NX") : client.set(ringKey, text))) === "OK";
			const pipeline = client.pipeline();
			if (nx) pipeline.set(ringKey, text, "NX");
			else pipeline.set(ringKey, text);
			const out = await pipeline.call("WAIT", 1, RING_WAIT_MS).exec();
			const [set, wait] = out ?? [];
			if (!set || !wait) throw new Error("Connection is closed.");
			if (set[0]) throw set[0];
			if (wait[0]) throw wait[0];
			// NX lost: nothing was written, the winner's write is what counts
			if (set[1] !== "OK") return false;
			if (Number(wait[1]) < 1) {
				report(
					"ring",
					new Error(
						`the key ring was written on the primary but no replica acknowledged it within ${RING_WAIT_MS} ms`,
					),
				);
			}
			return true;
		} catch (err) {
			throw new StoreUnavailableError(
				`the key ring could not be written (${(err as Error).message})`,
				{
					cause: err,
				},
			);
		}
	};
	let timer: NodeJS.Timeout | undefined;
	let lastText = "";
	const redisStore = new RedisStore({
		client,
		prefix: config.redisPrefix,
		timeoutMs: config.redisTimeoutMs,
		...storeOptions,
	});
	subscribe(redisStore);
	try {
		// Redis answers, its clock offset, and a plain client is not on a cluster node
		await redisStore.ready();
	} catch (err) {
		redisStore.close();
		client.disconnect();
		throw new Error(`${describeTarget(config)}: ${(err as Error).message}`);
	}
	const store = new StoreAdapter(redisStore, "redis", async () => {
		if (timer) clearInterval(timer);
		client.disconnect();
	});
	return {
		store,
		client,
		async loadRing(generate, options) {
			const existing = await client.get(ringKey);
			if (existing) {
				lastText = existing;
				return load(existing, options);
			}
			const ring = await generate();
			const text = await save(ring);
			if (await write(text, true)) {
				lastText = text;
				return ring;
			}
			const winner = (await client.get(ringKey))!;
			lastText = winner;
			return load(winner, options);
		},
		syncRing(holder, options) {
			holder.onRotate = async (ring) => {
				const text = await save(ring);
				await write(text, false);
				lastText = text;
			};
			timer = setInterval(() => {
				client
					.get(ringKey)
					.then(async (text) => {
						if (text && text !== lastText) {
							lastText = text;
							holder.replace(await load(text, options));
						}
					})
					// a missed poll is retried on the next tick; say so instead of hiding it
					.catch((err: unknown) => report("ring", err as Error));
			}, RING_POLL_MS);
			timer.unref();
		},
	};
}
