/**
 * Redis mode: the shared `RedisStore` and the shared key ring. The first instance generates
 * the ring and stores its private export under `<prefix>:keyring` (SET NX); the others import
 * it. A rotation writes the new export; other instances pick it up within `RING_POLL_MS`
 * (the new active key was pre-published as `next`, so their verification never lags).
 */
import { KeyRing, type KeyRingOptions, type KeyRingSnapshot } from "@xshl/keys/ring";
import type { SessionStore } from "@xshl/session-store";
import { Redis } from "ioredis";
import type { DemoConfig } from "./config.js";
import type { RefreshStore } from "./ports.js";
import { secretRingWrapper } from "./ring-at-rest.js";
import { type RingHolder, StoreAdapter } from "./xshl.js";

const RING_POLL_MS = 2000;

export interface RedisParts {
	store: RefreshStore;
	loadRing(generate: () => Promise<KeyRing>, options: KeyRingOptions): Promise<KeyRing>;
	syncRing(holder: RingHolder, options: KeyRingOptions): void;
}

export async function connectRedis(
	config: DemoConfig,
	storeOptions: { accessTokenTtlMs: number },
	subscribe: (store: SessionStore) => void,
): Promise<RedisParts> {
	const { RedisStore } = await import("@xshl/session-store/redis");
	const client = new Redis(config.redisUrl!, {
		enableOfflineQueue: false,
		commandTimeout: config.redisTimeoutMs,
		maxRetriesPerRequest: 1,
		lazyConnect: true,
	});
	client.on("error", () => {});
	try {
		await client.connect();
	} catch (err) {
		client.disconnect();
		const u = new URL(config.redisUrl!);
		throw new Error(
			`cannot connect to Redis at ${u.hostname}:${u.port || 6379} (${(err as Error).message})`,
		);
	}
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
	let timer: NodeJS.Timeout | undefined;
	let lastText = "";
	const redisStore = new RedisStore({
		client,
		prefix: config.redisPrefix,
		timeoutMs: config.redisTimeoutMs,
		...storeOptions,
	});
	subscribe(redisStore);
	const store = new StoreAdapter(redisStore, "redis", async () => {
		if (timer) clearInterval(timer);
		client.disconnect();
	});
	return {
		store,
		async loadRing(generate, options) {
			const existing = await client.get(ringKey);
			if (existing) {
				lastText = existing;
				return load(existing, options);
			}
			const ring = await generate();
			const text = await save(ring);
			const set = await client.set(ringKey, text, "NX");
			if (set === "OK") {
				lastText = text;
				return ring;
			}
			const winner = (await client.get(ringKey))!;
			lastText = winner;
			return load(winner, options);
		},
		syncRing(holder, options) {
			holder.onRotate = async (ring) => {
				lastText = await save(ring);
				await client.set(ringKey, lastText);
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
					.catch(() => {});
			}, RING_POLL_MS);
			timer.unref();
		},
	};
}
