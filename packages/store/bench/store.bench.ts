// Rotations/s and revocation checks/s for both stores (Redis over loopback, DB 4, a random
// prefix deleted afterwards), sequential and 32 at a time. Reference points in the same run:
// the crypto of one rotation with node:crypto and with Web Crypto (what the store used before),
// the naive blacklist check of the reference notes (`EXISTS blacklist:<jti>`, one key, no
// sid/epoch) and a naive read-then-write rotation (GET + SET, two round trips, NOT atomic: the
// race STO-03 catches).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, bench, describe } from "vitest";
import { MemoryStore } from "../src/index";
import * as c from "../src/internal/crypto";
import { RedisStore } from "../src/redis";

const CONCURRENCY = 32;
const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { db: 4 });
const prefix = `xshl-bench-${randomBytes(4).toString("hex")}`;
const pepper = randomBytes(32);
const memory = new MemoryStore({ pepper, maxSessionsPerUser: 100 });
const redis = new RedisStore({ client, prefix, pepper, timeoutMs: 2000, maxSessionsPerUser: 100 });

async function chains(store: MemoryStore | RedisStore, n: number): Promise<string[]> {
	const out: string[] = [];
	for (let i = 0; i < n; i++)
		out.push((await store.login({ sub: `bench-${i}`, trace: "T" })).refreshToken);
	return out;
}

let memRt = (await chains(memory, 1))[0] as string;
let redisRt = (await chains(redis, 1))[0] as string;
const memMany = await chains(memory, CONCURRENCY);
const redisMany = await chains(redis, CONCURRENCY);
const iat = Math.floor(Date.now() / 1000);
await memory.denyJti({ sub: "bench", id: "revoked-jti", exp: iat + 60 });
await redis.denyJti({ sub: "bench", id: "revoked-jti", exp: iat + 60 });
await client.set(`${prefix}:blacklist:revoked-jti`, "1", "EX", 3600);
await client.set(`${prefix}:naive-rt`, "0", "EX", 3600);

/** The crypto of one rotation: tag check, new tag, two SHA-256, HKDF + AES-GCM seal. */
async function rotationCrypto(
	p: c.Primitives,
	key: c.Key,
	secret: Uint8Array<ArrayBuffer>,
): Promise<void> {
	const text = `xrt1.${"A".repeat(40)}.7.${"B".repeat(43)}`;
	await p.hmac(key, text);
	await p.hmac(key, text);
	await p.sha256(c.utf8(text));
	await p.sha256(c.utf8(text));
	await c.seal(secret, "fam.7", `${text}${"C".repeat(21)}`, p);
}
const key = c.hmacKey(new Uint8Array(pepper));
const secret = new Uint8Array(randomBytes(32));

afterAll(async () => {
	const keys = await client.keys(`${prefix}:*`);
	if (keys.length > 0) await client.del(...keys);
	await client.quit();
});

describe("rotation (one refresh: check, rotate, store hashes + sealed successor)", () => {
	bench("MemoryStore#rotate", async () => {
		memRt = (await memory.rotate(memRt, { trace: "T" })).refreshToken;
	});
	bench(
		`MemoryStore#rotate × ${CONCURRENCY} concurrent (one iteration = ${CONCURRENCY})`,
		async () => {
			await Promise.all(
				memMany.map(async (rt, i) => {
					memMany[i] = (await memory.rotate(rt, { trace: "T" })).refreshToken;
				}),
			);
		},
	);
	bench("RedisStore#rotate (one Lua script)", async () => {
		redisRt = (await redis.rotate(redisRt, { trace: "T" })).refreshToken;
	});
	bench(
		`RedisStore#rotate × ${CONCURRENCY} concurrent (one iteration = ${CONCURRENCY})`,
		async () => {
			await Promise.all(
				redisMany.map(async (rt, i) => {
					redisMany[i] = (await redis.rotate(rt, { trace: "T" })).refreshToken;
				}),
			);
		},
	);
	bench("naive Redis GET + SET (not atomic, no crypto)", async () => {
		const g = Number(await client.get(`${prefix}:naive-rt`));
		await client.set(`${prefix}:naive-rt`, String(g + 1), "EX", 3600);
	});
});

describe("the crypto of one rotation", () => {
	if (c.NODE_PRIMITIVES !== undefined) {
		const node = c.NODE_PRIMITIVES;
		bench("node:crypto (synchronous, the store on Node)", async () => {
			await rotationCrypto(node, key, secret);
		});
	}
	bench("Web Crypto (the store before; edge runtimes)", async () => {
		await rotationCrypto(c.WEB_PRIMITIVES, key, secret);
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
