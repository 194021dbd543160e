// Rotations/s and revocation checks/s for both adapters (Redis over loopback, DB 4, a random
// prefix deleted afterwards). Reference points in the same run: the naive blacklist check of
// the reference notes (`EXISTS blacklist:<jti>`, one key, no sid/epoch) and a naive
// read-then-write rotation (GET + SET, two round trips, NOT atomic: the race STO-03 catches).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, bench, describe } from "vitest";
import { MemoryStore } from "../src/index";
import { RedisStore } from "../src/redis";

const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { db: 4 });
const prefix = `xshl-bench-${randomBytes(4).toString("hex")}`;
const pepper = randomBytes(32);
const memory = new MemoryStore({ pepper });
const redis = new RedisStore({ client, prefix, pepper, timeoutMs: 2000 });

let memRt = (await memory.login({ sub: "bench", trace: "T" })).refreshToken;
let redisRt = (await redis.login({ sub: "bench", trace: "T" })).refreshToken;
const iat = Math.floor(Date.now() / 1000);
await memory.denyJti({ sub: "bench", id: "revoked-jti", exp: iat + 3600 });
await redis.denyJti({ sub: "bench", id: "revoked-jti", exp: iat + 3600 });
await client.set(`${prefix}:blacklist:revoked-jti`, "1", "EX", 3600);
await client.set(`${prefix}:naive-rt`, "0", "EX", 3600);

afterAll(async () => {
	const keys = await client.keys(`${prefix}:*`);
	if (keys.length > 0) await client.del(...keys);
	await client.quit();
});

describe("rotation (one refresh: check, rotate, store hashes + sealed successor)", () => {
	bench("MemoryStore#rotate", async () => {
		memRt = (await memory.rotate(memRt, { trace: "T" })).refreshToken;
	});
	bench("RedisStore#rotate (one Lua script)", async () => {
		redisRt = (await redis.rotate(redisRt, { trace: "T" })).refreshToken;
	});
	bench("naive Redis GET + SET (not atomic, no crypto)", async () => {
		const g = Number(await client.get(`${prefix}:naive-rt`));
		await client.set(`${prefix}:naive-rt`, String(g + 1), "EX", 3600);
	});
});

describe("revocation check of an access token (jti + sid + user epoch)", () => {
	bench("MemoryStore#isRevoked", async () => {
		await memory.isRevoked({ sub: "bench", jti: "live-jti", sid: "live-sid", iat });
	});
	bench("RedisStore#isRevoked (one script)", async () => {
		await redis.isRevoked({ sub: "bench", jti: "live-jti", sid: "live-sid", iat });
	});
	bench("naive Redis EXISTS blacklist:<jti> (jti only)", async () => {
		await client.exists(`${prefix}:blacklist:live-jti`);
	});
	bench("naive Redis, same three checks in three round trips", async () => {
		await client.exists(`${prefix}:blacklist:live-jti`);
		await client.exists(`${prefix}:blacklist-sid:live-sid`);
		await client.get(`${prefix}:epoch:bench`);
	});
});
