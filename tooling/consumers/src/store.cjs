// Every public entry of @xshl/session-store, required as CommonJS from the built output, with
// one real call each (the Redis one against REDIS_URL, DB 2, a random prefix it cleans up).
const assert = require("node:assert/strict");
const { randomBytes } = require("node:crypto");
const store = require("@xshl/session-store");
const storeErrors = require("@xshl/session-store/errors");
const storeFeed = require("@xshl/session-store/feed");
const storePkg = require("@xshl/session-store/package.json");
const storeRedis = require("@xshl/session-store/redis");
const { Redis } = require("ioredis");

async function main() {
	const memory = new store.MemoryStore({ graceMs: 0 });
	const login = await memory.login({ sub: "u1", trace: "t" });
	await memory.rotate(login.refreshToken, { trace: "t" });
	await assert.rejects(memory.rotate(login.refreshToken, { trace: "t" }), {
		code: "ERR_STORE_REFRESH_REUSED",
	});
	assert.equal(store.StoreError, storeErrors.StoreError);
	assert.throws(() => new store.MemoryStore({ graceMs: 99_000 }), {
		code: "ERR_STORE_CONFIG_INVALID",
	});
	assert.equal(storePkg.name, "@xshl/session-store");

	// ./feed: a revoked session becomes a signed entry; an unchanged feed answers 304
	const feed = storeFeed.createRevocationFeed({
		store: memory,
		accessTokenTtlMs: 60_000,
		sign: async (payload, typ) => `${typ}.${Object.keys(payload.sids).join("+")}.sig`,
	});
	const second = await memory.login({ sub: "u2", trace: "t", sid: "s-feed" });
	await memory.logout(second.refreshToken);
	const doc = await feed.document();
	assert.equal(doc, "xshl-revocations+jwt.s-feed.sig");
	const etag = `"${feed.seq}"`;
	const notModified = await feed.handle(
		new Request("http://127.0.0.1/.well-known/xshl-revocations", {
			headers: { "if-none-match": etag },
		}),
	);
	assert.equal(notModified.status, 304);
	assert.equal(storeFeed.REVOCATION_FEED_TYPE, "xshl-revocations+jwt");
	feed.close();

	const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
		db: 2,
		maxRetriesPerRequest: 1,
	});
	const prefix = `xshl-consumer-cjs-${randomBytes(4).toString("hex")}`;
	try {
		const redis = new storeRedis.RedisStore({
			client,
			prefix,
			pepper: randomBytes(32),
			timeoutMs: 2000,
		});
		const r = await redis.login({ sub: "u1", trace: "t", sid: "s1" });
		assert.equal(await redis.revokeSession({ sub: "u1", sid: "s1" }), true);
		const iat = Math.floor(Date.now() / 1000);
		assert.deepEqual(await redis.isRevoked({ sub: "u1", sid: "s1", iat }), {
			revoked: true,
			reason: "sid",
		});
		await assert.rejects(redis.rotate(r.refreshToken, { trace: "t" }), {
			code: "ERR_STORE_SESSION_REVOKED",
		});
	} finally {
		const keys = await client.keys(`${prefix}:*`);
		if (keys.length > 0) await client.del(...keys);
		await client.quit();
	}
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
