// Real Redis for the tests: REDIS_URL (default redis://127.0.0.1:6379), one DB per test file,
// a random key prefix per file; only our own keys are deleted. Under CI=true an unreachable
// Redis makes the Redis tests FAIL (they are never skipped there).
import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";

export const REDIS_URL: string = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const IN_CI: boolean = process.env.CI === "true" || process.env.CI === "1";

export function connect(db: number, options: RedisOptions = {}): Redis {
	return new Redis(REDIS_URL, { db, lazyConnect: false, maxRetriesPerRequest: 1, ...options });
}

/** True when Redis answers PING within 1 s. */
export async function redisReachable(): Promise<boolean> {
	const c = new Redis(REDIS_URL, {
		lazyConnect: true,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		connectTimeout: 1000,
		retryStrategy: () => null,
	});
	c.on("error", () => undefined);
	try {
		await c.connect();
		return (await c.ping()) === "PONG";
	} catch {
		return false;
	} finally {
		c.disconnect();
	}
}

/** Skip locally when Redis is down; under CI never skip (the tests then fail). */
export async function shouldSkipRedis(): Promise<boolean> {
	if (IN_CI) return false;
	const up = await redisReachable();
	if (!up)
		console.warn(
			`[otel] Redis at ${REDIS_URL} unreachable: Redis tests skipped (they fail under CI=true)`,
		);
	return !up;
}

export function randomPrefix(tag: string): string {
	return `xshltest-${tag}-${randomBytes(6).toString("hex")}`;
}

export async function keysOf(client: Redis, prefix: string): Promise<string[]> {
	const out: string[] = [];
	let cursor = "0";
	do {
		const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
		cursor = next;
		out.push(...keys);
	} while (cursor !== "0");
	return out;
}

export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
	const keys = await keysOf(client, prefix);
	for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

/** Every key and value under a prefix, as text. */
export async function dumpPrefix(client: Redis, prefix: string): Promise<string> {
	// two concurrent rounds (types, then values): a round trip per key takes seconds for 2 000 keys
	const keys = await keysOf(client, prefix);
	const typed = await Promise.all(keys.map((key) => client.type(key)));
	const values = await Promise.all(
		keys.map((key, i) => {
			const type = typed[i];
			if (type === "hash") return client.hgetall(key).then((v) => JSON.stringify(v));
			if (type === "zset")
				return client.zrange(key, "0", "-1", "WITHSCORES").then((v) => JSON.stringify(v));
			if (type === "string") return client.get(key).then((v) => String(v));
			return Promise.resolve(`<${type}>`);
		}),
	);
	return keys.flatMap((key, i) => [key, values[i] as string]).join("\n");
}
