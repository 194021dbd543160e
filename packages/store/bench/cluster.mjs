// Throughput of RedisStore on one Redis node vs a Redis Cluster (3 primaries, 3 replicas),
// with and without waiting for a replica, from TWO client processes. Runs on the built
// package (`pnpm build` first): `node bench/cluster.mjs [seconds per cell, default 3]`.
// Starts its own redis-servers on free loopback ports (no persistence) and stops them.
import { execFile, fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SAFE = {
	enableOfflineQueue: false,
	maxRedirections: 6,
	retryDelayOnMoved: 0,
	retryDelayOnFailover: 0,
	retryDelayOnClusterDown: 10,
	retryDelayOnTryAgain: 10,
	slotsRefreshTimeout: 200,
	slotsRefreshInterval: 500,
	redisOptions: { connectTimeout: 500, maxRetriesPerRequest: 0 },
};
const PEPPER = "cluster-bench-pepper-0123456789abcdef0123";
const USERS = 64;

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ target: { kind: "node" | "cluster", ports: number[] }, op: string, durability: unknown, ms: number, prefix: string, worker: number }} job
 * @returns {Promise<{ ops: number, errors: number }>}
 */
async function work(job) {
	const { Redis, Cluster } = await import("ioredis");
	const { RedisStore } = await import("@xshl/session-store/redis");
	const client =
		job.target.kind === "cluster"
			? new Cluster(
					job.target.ports.map((port) => ({ host: "127.0.0.1", port })),
					SAFE,
				)
			: new Redis({ host: "127.0.0.1", port: job.target.ports[0], maxRetriesPerRequest: 1 });
	client.on("error", () => undefined);
	if (client.status !== "ready") await new Promise((r) => client.once("ready", r));
	const store = new RedisStore({
		client,
		prefix: job.prefix,
		pepper: PEPPER,
		timeoutMs: 2000,
		durability: /** @type {never} */ (job.durability),
	});
	await store.ready();
	const subs = Array.from({ length: USERS }, (_, i) => `w${job.worker}-u${i}`);
	const tokens = await Promise.all(
		subs.map(async (sub) => (await store.login({ sub, trace: "T" })).refreshToken),
	);
	let ops = 0;
	let errors = 0;
	let seq = 0;
	const end = Date.now() + job.ms;
	await Promise.all(
		subs.map(async (sub, i) => {
			while (Date.now() < end) {
				try {
					if (job.op === "rotate") {
						tokens[i] = (
							await store.rotate(/** @type {string} */ (tokens[i]), { trace: "T" })
						).refreshToken;
					} else if (job.op === "isRevoked") {
						await store.isRevoked({ sub, sid: "s", iat: Math.floor(Date.now() / 1000) });
					} else {
						await store.revokeSession({ sub, sid: `x${seq++}` });
					}
					ops++;
				} catch {
					errors++;
				}
			}
		}),
	);
	client.disconnect();
	return { ops, errors };
}

if (process.argv[2] === "--worker") {
	process.once("message", async (job) => {
		const out = await work(/** @type {never} */ (job));
		process.send?.(out, () => process.exit(0));
	});
} else {
	await main();
}

/** @param {number} port */
function portFree(port) {
	const server = createServer();
	return new Promise((resolve) => {
		server.once("error", () => resolve(false));
		server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
	});
}

/** @param {Set<number>} taken */
async function freePort(taken) {
	for (;;) {
		const port = 20_000 + Math.floor(Math.random() * 30_000);
		if (taken.has(port) || taken.has(port + 10_000)) continue;
		if ((await portFree(port)) && (await portFree(port + 10_000))) {
			taken.add(port);
			taken.add(port + 10_000);
			return port;
		}
	}
}

/** @param {number} port @param {string[]} args */
async function cli(port, ...args) {
	return (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args])).stdout;
}

/** @param {string} dir @param {number} port @param {boolean} cluster */
function server(dir, port, cluster) {
	const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
	args.push("--appendonly", "no", "--logfile", join(dir, `redis-${port}.log`));
	if (cluster) {
		args.push("--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`);
		args.push("--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no");
	}
	return spawn("redis-server", args, { stdio: "ignore" });
}

/** @param {number} port */
async function up(port) {
	for (let i = 0; i < 100; i++) {
		if ((await cli(port, "PING").catch(() => "")).trim() === "PONG") return;
		await sleep(50);
	}
	throw new Error(`redis-server on ${port} did not start`);
}

/** @param {number[]} ports */
async function clusterOk(ports) {
	for (let i = 0; i < 300; i++) {
		let ok = true;
		for (const port of ports) {
			const info = await cli(port, "CLUSTER", "INFO").catch(() => "");
			const repl = await cli(port, "INFO", "replication").catch(() => "");
			if (!info.includes("cluster_state:ok")) ok = false;
			if (repl.includes("role:slave") && !repl.includes("master_link_status:up")) ok = false;
		}
		if (ok) return;
		await sleep(100);
	}
	throw new Error("cluster not ok");
}

/**
 * @param {{ kind: "node" | "cluster", ports: number[] }} target
 * @param {string} op
 * @param {unknown} durability
 * @param {number} ms
 */
async function cell(target, op, durability, ms) {
	const prefix = `bench-${Math.random().toString(36).slice(2, 8)}`;
	const results = await Promise.all(
		[0, 1].map(
			(worker) =>
				new Promise((resolve, reject) => {
					const child = fork(new URL(import.meta.url).pathname, ["--worker"], { stdio: "inherit" });
					child.once("message", resolve);
					child.once("error", reject);
					child.send({ target, op, durability, ms, prefix, worker });
				}),
		),
	);
	const ops = results.reduce((a, r) => a + /** @type {{ops: number}} */ (r).ops, 0);
	const errors = results.reduce((a, r) => a + /** @type {{errors: number}} */ (r).errors, 0);
	return { perSecond: Math.round(ops / (ms / 1000)), errors };
}

async function main() {
	const ms = Number(process.argv[2] ?? 3) * 1000;
	const dir = mkdtempSync(join(tmpdir(), "xshl-bench-cluster-"));
	const taken = new Set();
	/** @type {import("node:child_process").ChildProcess[]} */
	const procs = [];
	try {
		const single = await freePort(taken);
		procs.push(server(dir, single, false));
		const ports = [];
		for (let i = 0; i < 6; i++) ports.push(await freePort(taken));
		for (const port of ports) procs.push(server(dir, port, true));
		for (const port of [single, ...ports]) await up(port);
		await run("redis-cli", [
			"--cluster",
			"create",
			...ports.map((p) => `127.0.0.1:${p}`),
			"--cluster-replicas",
			"1",
			"--cluster-yes",
		]);
		await clusterOk(ports);
		const node = { kind: /** @type {const} */ ("node"), ports: [single] };
		const cluster = { kind: /** @type {const} */ ("cluster"), ports };
		const wait = { replicas: 1, timeoutMs: 100, writes: "all" };
		const rows = [
			[
				"rotate",
				"no WAIT",
				await cell(node, "rotate", false, ms),
				await cell(cluster, "rotate", false, ms),
			],
			["rotate", "WAIT 1 (writes: all)", null, await cell(cluster, "rotate", wait, ms)],
			[
				"revokeSession",
				"no WAIT",
				await cell(node, "revokeSession", false, ms),
				await cell(cluster, "revokeSession", false, ms),
			],
			[
				"revokeSession",
				"WAIT 1 (default on Cluster)",
				null,
				await cell(cluster, "revokeSession", undefined, ms),
			],
			[
				"isRevoked",
				"(read)",
				await cell(node, "isRevoked", false, ms),
				await cell(cluster, "isRevoked", false, ms),
			],
		];
		/** @param {{perSecond: number, errors: number} | null} c */
		const fmt = (c) =>
			c === null
				? "n/a (no replica)"
				: `${c.perSecond.toLocaleString("en")}${c.errors ? ` (${c.errors} errors)` : ""}`;
		console.log(`two client processes × ${USERS} concurrent users, ${ms / 1000} s per cell`);
		console.log("| Operation | Durability | One node (ops/s) | Cluster 3+3 (ops/s) |");
		console.log("|---|---|---|---|");
		for (const [op, d, a, b] of rows)
			console.log(
				`| ${op} | ${d} | ${fmt(/** @type {never} */ (a))} | ${fmt(/** @type {never} */ (b))} |`,
			);
	} finally {
		for (const p of procs) p.kill("SIGKILL");
		rmSync(dir, { recursive: true, force: true });
	}
}
