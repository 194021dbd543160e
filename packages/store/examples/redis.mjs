// Two RedisStore instances (two clients) sharing state: run with `node examples/redis.mjs`
// after `pnpm build`, with Redis at REDIS_URL (default redis://127.0.0.1:6379). Uses DB 3 and
// a random key prefix, and deletes its own keys at the end.
import { randomBytes } from "node:crypto";
import { RedisStore } from "@xshl/session-store/redis";
import { Redis } from "ioredis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const options = { db: 3, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
const a = new Redis(url, options);
const b = new Redis(url, options);
await Promise.all([a, b].map((c) => new Promise((resolve) => c.once("ready", resolve))));
const prefix = `xshl-example-${randomBytes(4).toString("hex")}`;
const pepper = randomBytes(32); // in production: a secret from your config, shared by instances

const one = new RedisStore({ client: a, prefix, pepper });
const two = new RedisStore({ client: b, prefix, pepper });
try {
	const login = await one.login({ sub: "alice", trace: "T", client: { ip: "203.0.113.9" } });
	const next = await two.rotate(login.refreshToken, { trace: "T" });
	console.log("rotated on the other instance:", next.generation);
	const sessions = await one.listSessions("alice");
	console.log("sessions:", sessions.length, sessions[0]?.ipPrefix);
	const out = await two.logoutAll("alice");
	console.log("logout everywhere revoked:", out.revoked);
	try {
		await one.rotate(next.refreshToken, { trace: "T" });
	} catch (e) {
		console.log("old token:", /** @type {import("@xshl/session-store").StoreError} */ (e).code);
	}
} finally {
	let cursor = "0";
	do {
		const [n, keys] = await a.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 100);
		cursor = n;
		if (keys.length > 0) await a.del(...keys);
	} while (cursor !== "0");
	await Promise.all([a.quit(), b.quit()]);
}
