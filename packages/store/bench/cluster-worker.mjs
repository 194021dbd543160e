// One client process of `bench/cluster.ts` (forked by it, runs the BUILT package): receives a
// job, runs one operation from 64 concurrent users for `ms`, answers with the count, errors,
// this process's CPU time per operation and the latency percentiles.
import { performance } from "node:perf_hooks";

const PEPPER = "cluster-bench-pepper-0123456789abcdef0123";
const USERS = 64;

/**
 * @typedef {{ kind: "memory" } | { kind: "node" | "cluster", ports: number[] }} Target
 * @typedef {"rotate" | "isRevoked" | "revokeSession"} Op
 * @typedef {{ target: Target, op: Op | "mixed", durability: unknown, ms: number, prefix: string, worker: number, users?: number, dist: string }} Job
 * @typedef {{ p50: number, p99: number, max: number, ops: number, errors: number, failedP50: number, failedMax: number }} Latency
 * @typedef {{ ops: number, errors: number, cpuUsPerOp: number, p50: number, p99: number, max: number, firstError?: string, byOp: Partial<Record<Op, Latency>> }} Result
 */

/** @param {number[]} sorted @param {number} q */
function quantile(sorted, q) {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * @param {Job} job
 * @returns {Promise<Result>}
 */
export async function work(job) {
	// a snapshot of the build (others may rebuild dist/ meanwhile)
	/** @type {typeof import("@xshl/session-store")} */
	const { MemoryStore } = await import(`${job.dist}/index.js`);
	/** @type {{ disconnect(): void } | undefined} */
	let client;
	/** @type {import("@xshl/session-store").SessionStore} */
	let store;
	if (job.target.kind === "memory") {
		store = new MemoryStore({ pepper: PEPPER });
	} else {
		const { Redis, Cluster } = await import("ioredis");
		/** @type {typeof import("@xshl/session-store/redis")} */
		const { RedisStore, clusterClientOptions } = await import(`${job.dist}/redis.js`);
		const ports = job.target.ports;
		const c =
			job.target.kind === "cluster"
				? new Cluster(
						ports.map((port) => ({ host: "127.0.0.1", port })),
						clusterClientOptions(),
					)
				: new Redis({ host: "127.0.0.1", port: ports[0], maxRetriesPerRequest: 1 });
		c.on("error", () => undefined);
		if (c.status !== "ready") await new Promise((r) => c.once("ready", r));
		client = c;
		const redis = new RedisStore({
			client: c,
			prefix: job.prefix,
			pepper: PEPPER,
			timeoutMs: 2000,
			durability: /** @type {never} */ (job.durability),
		});
		await redis.ready();
		store = redis;
	}
	const users = job.users ?? USERS;
	const subs = Array.from({ length: users }, (_, i) => `w${job.worker}-u${i}`);
	const tokens = await Promise.all(
		subs.map(async (sub) => (await store.login({ sub, trace: "T" })).refreshToken),
	);
	/** @type {number[]} */
	const latencies = [];
	/** @type {Partial<Record<Op, { lat: number[], errors: number, failed: number[] }>>} */
	const byOp = {};
	let errors = 0;
	/** @type {string | undefined} */
	let firstError;
	let seq = 0;
	const cpu = process.cpuUsage();
	const end = Date.now() + job.ms;
	await Promise.all(
		subs.map(async (sub, i) => {
			// "mixed": even users revoke sessions, odd users check revocations (one connection)
			/** @type {Op} */
			const op = job.op === "mixed" ? (i % 2 ? "isRevoked" : "revokeSession") : job.op;
			const mine = byOp[op] ?? { lat: [], errors: 0, failed: [] };
			byOp[op] = mine;
			while (Date.now() < end) {
				const t0 = performance.now();
				try {
					if (op === "rotate") {
						tokens[i] = (
							await store.rotate(/** @type {string} */ (tokens[i]), { trace: "T" })
						).refreshToken;
					} else if (op === "isRevoked") {
						await store.isRevoked({ sub, sid: "s", iat: Math.floor(Date.now() / 1000) });
					} else {
						await store.revokeSession({ sub, sid: `x${seq++}` });
					}
					latencies.push(performance.now() - t0);
					mine.lat.push(performance.now() - t0);
				} catch (error) {
					errors++;
					mine.errors++;
					mine.failed.push(performance.now() - t0);
					firstError ??= /** @type {Error} */ (error).message;
				}
				// a memory store never yields on its own: let the other users and the timer in
				if (job.target.kind === "memory" && latencies.length % 64 === 0) {
					await new Promise((r) => setImmediate(r));
				}
			}
		}),
	);
	const used = process.cpuUsage(cpu);
	client?.disconnect();
	latencies.sort((a, b) => a - b);
	const ops = latencies.length;
	return {
		ops,
		errors,
		cpuUsPerOp: ops ? (used.user + used.system) / ops : 0,
		p50: quantile(latencies, 0.5),
		p99: quantile(latencies, 0.99),
		max: latencies.at(-1) ?? 0,
		...(firstError ? { firstError } : {}),
		byOp: Object.fromEntries(
			Object.entries(byOp).map(([op, { lat, errors, failed }]) => {
				lat.sort((a, b) => a - b);
				failed.sort((a, b) => a - b);
				return [
					op,
					{
						p50: quantile(lat, 0.5),
						p99: quantile(lat, 0.99),
						max: lat.at(-1) ?? 0,
						ops: lat.length,
						errors,
						failedP50: quantile(failed, 0.5),
						failedMax: failed.at(-1) ?? 0,
					},
				];
			}),
		),
	};
}

if (process.argv[2] === "--worker") {
	process.once("message", async (job) => {
		const out = await work(/** @type {Job} */ (job));
		process.send?.(out, () => process.exit(0));
	});
}
