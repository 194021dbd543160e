// A/B rotation throughput of two builds of the store under the SAME load: the two builds run
// in alternating 200 ms slices for `ROUNDS` rounds, so a busy machine slows both alike and the
// ratio stays meaningful. Usage (Redis at REDIS_URL, DB 4, a random prefix deleted afterwards):
//   node bench/ab.mjs <dir of build A (index.js, redis.js)> <dir of build B>
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";

const [dirA, dirB] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) throw new Error("usage: node bench/ab.mjs <A> <B>");
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const SLICE_MS = 200;
const CONCURRENCY = 32;
const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { db: 4 });
/** @type {string[]} */
const prefixes = [];

/** @typedef {() => Promise<number>} Op one step; resolves to the operations it did */

/**
 * @param {string} dir
 * @param {string} tag
 * @returns {Promise<Record<string, Op>>}
 */
async function setup(dir, tag) {
	const url = (/** @type {string} */ f) => pathToFileURL(resolve(dir, f)).href;
	const { MemoryStore } = await import(url("index.js"));
	const { RedisStore } = await import(url("redis.js"));
	const pepper = randomBytes(32);
	const prefix = `xshl-ab-${tag}-${randomBytes(4).toString("hex")}`;
	prefixes.push(prefix);
	const memory = new MemoryStore({ pepper });
	const redis = new RedisStore({ client, prefix, pepper, timeoutMs: 5000 });
	const chain = async (/** @type {any} */ store, /** @type {number} */ n) => {
		const out = [];
		for (let i = 0; i < n; i++)
			out.push((await store.login({ sub: `ab-${i}`, trace: "T" })).refreshToken);
		return out;
	};
	const mem = await chain(memory, CONCURRENCY);
	const red = await chain(redis, CONCURRENCY);
	const iat = Math.floor(Date.now() / 1000);
	return {
		"MemoryStore#rotate": async () => {
			mem[0] = (await memory.rotate(mem[0], { trace: "T" })).refreshToken;
			return 1;
		},
		[`MemoryStore#rotate, ${CONCURRENCY} at a time`]: async () => {
			await Promise.all(
				mem.map(async (rt, i) => {
					mem[i] = (await memory.rotate(rt, { trace: "T" })).refreshToken;
				}),
			);
			return CONCURRENCY;
		},
		"RedisStore#rotate": async () => {
			red[0] = (await redis.rotate(red[0], { trace: "T" })).refreshToken;
			return 1;
		},
		[`RedisStore#rotate, ${CONCURRENCY} at a time`]: async () => {
			await Promise.all(
				red.map(async (rt, i) => {
					red[i] = (await redis.rotate(rt, { trace: "T" })).refreshToken;
				}),
			);
			return CONCURRENCY;
		},
		"MemoryStore#isRevoked": async () => {
			await memory.isRevoked({ sub: "ab-0", jti: "j", sid: "s", iat });
			return 1;
		},
		"RedisStore#isRevoked": async () => {
			await redis.isRevoked({ sub: "ab-0", jti: "j", sid: "s", iat });
			return 1;
		},
	};
}

/**
 * Runs `fn` for one slice; returns the operations done and this process's CPU time (µs).
 * @param {Op} fn
 * @returns {Promise<[number, number]>}
 */
async function slice(fn) {
	const cpu = process.cpuUsage();
	const end = performance.now() + SLICE_MS;
	let n = 0;
	while (performance.now() < end) n += await fn();
	const used = process.cpuUsage(cpu);
	return [n, used.user + used.system];
}

const a = await setup(dirA, "a");
const b = await setup(dirB, "b");
// ops/s is wall time on this machine as it is; CPU µs/op is this process's CPU per operation
// (for Redis: the client side only), which a busy machine changes far less.
console.log(`| Operation | A ops/s | B ops/s | B / A | A CPU µs/op | B CPU µs/op |`);
console.log(`|---|---|---|---|---|---|`);
for (const name of Object.keys(a)) {
	const opA = /** @type {Op} */ (a[name]);
	const opB = /** @type {Op} */ (b[name]);
	let [na, ua, nb, ub] = [0, 0, 0, 0];
	await slice(opA);
	await slice(opB);
	for (let r = 0; r < ROUNDS; r++) {
		const [n1, u1] = await slice(opA);
		const [n2, u2] = await slice(opB);
		na += n1;
		ua += u1;
		nb += n2;
		ub += u2;
	}
	const secs = (ROUNDS * SLICE_MS) / 1000;
	const fa = Math.round(na / secs);
	const fb = Math.round(nb / secs);
	const ca = (ua / na).toFixed(1);
	const cb = (ub / nb).toFixed(1);
	console.log(`| ${name} | ${fa} | ${fb} | ${(fb / fa).toFixed(2)} | ${ca} | ${cb} |`);
}
for (const p of prefixes) {
	const keys = await client.keys(`${p}:*`);
	if (keys.length > 0) await client.del(...keys);
}
await client.quit();
