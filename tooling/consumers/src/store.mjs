// Every public entry of @xshl/session-store, imported as ESM from the built output, with one
// real call each (the Redis one against REDIS_URL, DB 2, a random prefix it cleans up).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as store from "@xshl/session-store";
import * as storeErrors from "@xshl/session-store/errors";
import * as storeFeed from "@xshl/session-store/feed";
import storePkg from "@xshl/session-store/package.json" with { type: "json" };
import * as storeRedis from "@xshl/session-store/redis";
import { Redis } from "ioredis";

const memory = new store.MemoryStore();
const login = await memory.login({ sub: "u1", trace: "t" });
assert.equal(store.parseRefreshToken(login.refreshToken).generation, 0);
const seen = [];
const off = memory.on("refresh", (e) => seen.push(e.generation));
const next = await memory.rotate(login.refreshToken, { trace: "t" });
assert.equal(next.generation, 1);
assert.deepEqual(seen, [1]);
off();
await assert.rejects(memory.rotate("nope", { trace: "t" }), {
	code: "ERR_STORE_REFRESH_MALFORMED",
});
assert.equal(store.StoreError, storeErrors.StoreError);
assert.equal(storeErrors.STORE_ERROR_CODES.ERR_STORE_UNAVAILABLE.status === 503, true);
assert.equal(storePkg.name, "@xshl/session-store");

// ./feed: a logout everywhere becomes a signed feed entry (no raw sub, a salted tag)
const signed = [];
const feed = storeFeed.createRevocationFeed({
	store: memory,
	accessTokenTtlMs: 120_000,
	salt: "consumer-salt-0123456789",
	sign: async (payload, typ) => {
		signed.push({ payload, typ });
		return `${typ}.${payload.seq}.sig`;
	},
});
await memory.logoutAll("u1");
const served = await feed.handle(new Request("http://127.0.0.1/.well-known/xshl-revocations"));
assert.equal(served.status, 200);
assert.equal(served.headers.get("etag"), `"${feed.seq}"`);
assert.equal((await served.json()).feed, `xshl-revocations+jwt.${feed.seq}.sig`);
const tag = await storeFeed.revocationUserTag("consumer-salt-0123456789", "u1");
assert.deepEqual(Object.keys(signed[0].payload.users), [tag]);
assert.equal(storeFeed.REVOCATION_FEED_TYPE, signed[0].typ);
assert.throws(() => storeFeed.createRevocationFeed({ store: memory }), {
	code: "ERR_STORE_CONFIG_INVALID",
});
feed.close();

const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
	db: 2,
	maxRetriesPerRequest: 1,
});
const prefix = `xshl-consumer-mjs-${randomBytes(4).toString("hex")}`;
try {
	const redis = new storeRedis.RedisStore({
		client,
		prefix,
		pepper: randomBytes(32),
		timeoutMs: 2000,
	});
	const r = await redis.login({ sub: "u1", trace: "t" });
	assert.equal((await redis.rotate(r.refreshToken, { trace: "t" })).generation, 1);
	assert.equal((await redis.logoutAll("u1")).revoked, 1);
	assert.deepEqual(await redis.listSessions("u1"), []);
} finally {
	const keys = await client.keys(`${prefix}:*`);
	if (keys.length > 0) await client.del(...keys);
	await client.quit();
}

console.log("ok");
