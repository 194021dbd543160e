// Throughput of the store from TWO client processes: MemoryStore, RedisStore on one Redis node,
// and RedisStore on a Redis Cluster (3 primaries, 3 replicas, the test harness's cluster), with
// and without waiting for a replica (`WAIT`); then the cost of the WAIT timeout on a healthy
// cluster and with one replica paused. Only `redis-server` is needed (no redis-cli).
//
//   pnpm --filter @xshl/session-store bench:cluster          (builds, then runs this file)
//   BENCH_CELL_MS=1000 pnpm --filter @xshl/session-store bench:cluster   (a quicker run)
//
// The client processes (`bench/cluster-worker.mjs`) run the BUILT package; this file only
// starts the servers, forks the workers and prints markdown tables.
import { type ChildProcess, fork, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { it } from "vitest";
import { startCluster, type TestCluster } from "../test/cluster/harness";

interface Latency {
	p50: number;
	p99: number;
	max: number;
	ops: number;
	errors: number;
	failedP50: number;
	failedMax: number;
}
interface Result {
	ops: number;
	errors: number;
	cpuUsPerOp: number;
	p50: number;
	p99: number;
	max: number;
	firstError?: string;
	byOp: Partial<Record<string, Latency>>;
}
type Target = { kind: "memory" } | { kind: "node" | "cluster"; ports: number[] };
interface Cell {
	/** One Redis node only: round trips, commands run inside scripts, Redis' own µs, per op. */
	server?: { sentPerOp: number; innerPerOp: number; redisUsPerOp: number };
	perSecond: number;
	errors: number;
	cpuUsPerOp: number;
	p99: number;
	results: Result[];
}

const CELL_MS = Number(process.env.BENCH_CELL_MS ?? 3000);
const WORKER = fileURLToPath(new URL("./cluster-worker.mjs", import.meta.url));
/** Where the workers load the build from: a copy, since other builds may replace dist/. */
const DIST = fileURLToPath(new URL("../node_modules/.cache/xshl-bench-dist", import.meta.url));

/** Copies dist/ once it is complete (a concurrent build may be writing it). */
async function snapshotDist(): Promise<void> {
	const dist = fileURLToPath(new URL("../dist", import.meta.url));
	for (let i = 0; i < 600; i++) {
		if (existsSync(join(dist, "index.js")) && existsSync(join(dist, "redis.js"))) {
			rmSync(DIST, { recursive: true, force: true });
			cpSync(dist, DIST, { recursive: true });
			if (existsSync(join(DIST, "index.js")) && existsSync(join(DIST, "redis.js"))) return;
		}
		await sleep(100);
	}
	throw new Error("no complete dist/: run `pnpm build` first");
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** One plain redis-server (no persistence) on a free port, started from node. */
async function startNode(dir: string): Promise<{ port: number; proc: ChildProcess }> {
	const port = await freePort();
	const proc = spawn(
		"redis-server",
		["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
		{ stdio: "ignore" },
	);
	for (let i = 0; i < 100; i++) {
		const c = new Redis({
			port,
			lazyConnect: true,
			maxRetriesPerRequest: 0,
			retryStrategy: () => null,
		});
		c.on("error", () => undefined);
		const ok = await c
			.connect()
			.then(() => c.ping())
			.catch(() => "");
		c.disconnect();
		if (ok === "PONG") return { port, proc };
		await sleep(50);
	}
	throw new Error(`redis-server on ${port} did not start`);
}

/**
 * `INFO commandstats` of one node: calls the clients sent (scripts, WAIT, other commands) and
 * calls made inside scripts, and the µs Redis spent (a script's µs include its inner calls).
 */
async function commandStats(
	port: number,
	reset: boolean,
): Promise<{ sent: number; inner: number; usec: number }> {
	const c = new Redis({ port, maxRetriesPerRequest: 1 });
	try {
		if (reset) await c.call("CONFIG", "RESETSTAT");
		const info = String(await c.call("INFO", "commandstats"));
		let sent = 0;
		let inner = 0;
		let usec = 0;
		for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/gm)) {
			const [, name, calls, us] = m as unknown as [string, string, string, string];
			if (name === "config" || name === "info") continue;
			// what a store call sends: EVALSHA (EVAL after NOSCRIPT), WAIT; the rest (TIME too) runs in Lua
			if (/^(evalsha|eval|wait|ping|select|client.*|cluster.*|script.*)$/.test(name)) {
				sent += Number(calls);
				usec += Number(us);
			} else inner += Number(calls);
		}
		return { sent, inner, usec };
	} finally {
		c.disconnect();
	}
}

/** Runs one job in `workers` forked client processes at once and sums them. */
async function cell(
	target: Target,
	op: string,
	durability: unknown,
	options: { workers?: number; users?: number; ms?: number } = {},
): Promise<Cell> {
	const ms = options.ms ?? CELL_MS;
	const port = target.kind === "node" ? target.ports[0] : undefined;
	if (port !== undefined) await commandStats(port, true);
	const prefix = `bench-${Math.random().toString(36).slice(2, 8)}`;
	const results = await Promise.all(
		Array.from(
			{ length: options.workers ?? 2 },
			(_, worker) =>
				new Promise<Result>((resolve, reject) => {
					// plain node on the build: none of vitest's flags (its source conditions)
					const child = fork(WORKER, ["--worker"], {
						stdio: "inherit",
						execArgv: [],
						env: { ...process.env, NODE_OPTIONS: "" },
					});
					child.once("message", (m) => resolve(m as Result));
					child.once("error", reject);
					child.once("exit", (code) => {
						if (code !== 0) reject(new Error(`bench worker exited with ${code}`));
					});
					child.send({
						target,
						op,
						durability,
						ms,
						prefix,
						worker,
						users: options.users,
						dist: DIST,
					});
				}),
		),
	);
	const ops = results.reduce((a, r) => a + r.ops, 0);
	// logins of the setup and failed calls are counted too: a close upper bound
	const stats = port === undefined ? undefined : await commandStats(port, false);
	return {
		...(stats
			? {
					server: {
						sentPerOp: stats.sent / Math.max(1, ops),
						innerPerOp: stats.inner / Math.max(1, ops),
						redisUsPerOp: stats.usec / Math.max(1, ops),
					},
				}
			: {}),
		perSecond: Math.round(ops / (ms / 1000)),
		errors: results.reduce((a, r) => a + r.errors, 0),
		cpuUsPerOp: results.reduce((a, r) => a + r.cpuUsPerOp * r.ops, 0) / Math.max(1, ops),
		p99: Math.max(...results.map((r) => r.p99)),
		results,
	};
}

function fmt(c: Cell | null): string {
	if (c === null) return "n/a";
	const errors = c.errors
		? ` (${c.errors} errors: ${c.results.find((r) => r.firstError)?.firstError})`
		: "";
	const server = c.server
		? `; Redis: ${c.server.sentPerOp.toFixed(2)} commands sent + ${c.server.innerPerOp.toFixed(1)} inside the script, ${Math.round(c.server.redisUsPerOp)} µs/op`
		: "";
	return `${c.perSecond.toLocaleString("en")} (client ${Math.round(c.cpuUsPerOp)} µs CPU/op${server})${errors}`;
}

const ms2 = (n: number | undefined): string => (n === undefined ? "–" : n.toFixed(2));

it("store throughput: memory, one Redis node, Redis Cluster; the WAIT timeout", async () => {
	const dir = mkdtempSync(join(tmpdir(), "xshl-bench-cluster-"));
	let single: { port: number; proc: ChildProcess } | undefined;
	let cluster: TestCluster | undefined;
	const load: number[] = [loadavg()[0] as number];
	try {
		await snapshotDist();
		single = await startNode(dir);
		cluster = await startCluster("bench");
		const memory: Target = { kind: "memory" };
		const node: Target = { kind: "node", ports: [single.port] };
		const nodes: Target = { kind: "cluster", ports: cluster.nodes.map((n) => n.port) };
		const waitAll = { replicas: 1, timeoutMs: 100, writes: "all" };
		const rows: [string, string, Cell | null, Cell | null, Cell | null][] = [
			[
				"`rotate`",
				"no `WAIT`",
				await cell(memory, "rotate", false, { workers: 1 }),
				await cell(node, "rotate", false),
				await cell(nodes, "rotate", false),
			],
			["`rotate`", '`WAIT 1` (`writes: "all"`)', null, null, await cell(nodes, "rotate", waitAll)],
			[
				"`isRevoked`",
				"(read)",
				await cell(memory, "isRevoked", false, { workers: 1 }),
				await cell(node, "isRevoked", false),
				await cell(nodes, "isRevoked", false),
			],
			[
				"`revokeSession`",
				"no `WAIT`",
				await cell(memory, "revokeSession", false, { workers: 1 }),
				await cell(node, "revokeSession", false),
				await cell(nodes, "revokeSession", false),
			],
			[
				"`revokeSession`",
				"`WAIT 1` 100 ms (the Cluster default)",
				null,
				null,
				await cell(nodes, "revokeSession", undefined),
			],
		];
		load.push(loadavg()[0] as number);
		const out: string[] = [];
		out.push(
			`ops/s (client: the client processes' CPU µs per op; one node: commands sent, commands run inside the Lua script and Redis' own µs per op, from INFO commandstats), ${CELL_MS / 1000} s per cell; Redis: two client processes × 64 concurrent users; memory: one process × 64 users (each process has its own MemoryStore)`,
		);
		out.push("| Operation | Durability | MemoryStore | One Redis node | Cluster 3+3 |");
		out.push("|---|---|---|---|---|");
		for (const [op, d, m, a, b] of rows) {
			out.push(`| ${op} | ${d} | ${fmt(m)} | ${fmt(a)} | ${fmt(b)} |`);
		}

		// the WAIT timeout: on a healthy cluster it costs nothing (WAIT returns on the ack); with a
		// replica that does not answer, every durable revocation on its shard blocks ITS
		// connection (and the reads queued behind it) for the whole timeout, then fails closed
		out.push("");
		out.push(
			"`WAIT` timeout: one client process, 8 users revoking sessions and 8 checking revocations on the same connections (ms)",
		);
		out.push(
			"| Cluster | `WAIT` timeout | revocations/s | revoke p50 / p99 / max | failed revocations (each took p50 / max) | checks/s | check p50 / p99 / max |",
		);
		out.push("|---|---|---|---|---|---|---|");
		const waitRow = async (label: string, timeoutMs: number | false): Promise<void> => {
			const durability = timeoutMs === false ? false : { replicas: 1, timeoutMs };
			const c = await cell(nodes, "mixed", durability, { workers: 1, users: 16 });
			const r = c.results[0] as Result;
			const rv = r.byOp.revokeSession;
			const ck = r.byOp.isRevoked;
			const secs = CELL_MS / 1000;
			out.push(
				`| ${label} | ${timeoutMs === false ? "none" : `${timeoutMs} ms`} | ${Math.round((rv?.ops ?? 0) / secs)} | ${ms2(rv?.p50)} / ${ms2(rv?.p99)} / ${ms2(rv?.max)} | ${rv?.errors ?? 0}${rv?.errors ? ` (${ms2(rv.failedP50)} / ${ms2(rv.failedMax)})` : ""} | ${Math.round((ck?.ops ?? 0) / secs)} | ${ms2(ck?.p50)} / ${ms2(ck?.p99)} / ${ms2(ck?.max)} |`,
			);
		};
		for (const t of [false, 100, 500, 1000] as const) await waitRow("healthy", t);
		// pause one replica (its primary's revocations cannot be acknowledged)
		const { replicas } = await cluster.roles();
		const [replica] = [...replicas.keys()];
		const paused = cluster.nodes.find((n) => n.port === replica) as TestCluster["nodes"][number];
		paused.proc.kill("SIGSTOP");
		try {
			for (const t of [100, 500, 1000] as const) await waitRow("one replica paused", t);
		} finally {
			paused.proc.kill("SIGCONT");
		}
		load.push(loadavg()[0] as number);
		out.push("");
		out.push(
			`load average (1 min) at start / after the throughput table / at the end: ${load.map((l) => l.toFixed(1)).join(" / ")}`,
		);
		console.log(out.join("\n"));
	} finally {
		single?.proc.kill("SIGKILL");
		await cluster?.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}, 600_000);
