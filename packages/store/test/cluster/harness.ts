// A real Redis Cluster started by the tests: six `redis-server` processes (three primaries,
// three replicas) on free loopback ports in a temp dir, no persistence, a short node timeout.
// Built with CLUSTER MEET / ADDSLOTSRANGE / REPLICATE over ioredis: only `redis-server` is
// needed. `startCluster()` resolves once every node reports `cluster_state:ok`, knows all six nodes
// and every replica's link to its primary is up; `stop()` kills them and removes the dir.
// Locally a missing `redis-server` skips the cluster files; under CI=true they FAIL.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, type ClusterOptions, Redis } from "ioredis";
import { clusterClientOptions } from "../../src/redis";
import { IN_CI } from "../redis-helpers";

/** `cluster-node-timeout` of the test cluster, ms. */
export const NODE_TIMEOUT_MS = 1000;

/**
 * The ioredis Cluster settings the store requires (and the README recommends): a command is
 * retried at most `maxRedirections` times, 10 ms apart, so every resend happens inside the
 * store's 250 ms call timeout; no offline queue (calls fail fast while the slot map is
 * refreshed); a `Connection is closed` error is not resent (the command may have run).
 */
export const SAFE_CLUSTER_OPTIONS: ClusterOptions = clusterClientOptions();

/** One node of the test cluster. */
export interface ClusterNode {
	port: number;
	proc: ChildProcess;
}

/** A running test cluster. */
export interface TestCluster {
	nodes: ClusterNode[];
	/** `127.0.0.1:<port>` of every node. */
	seeds: { host: string; port: number }[];
	/** A new ioredis Cluster client (quit by `stop()`), SAFE_CLUSTER_OPTIONS merged with `options`. */
	client(options?: ClusterOptions): Cluster;
	/** As `client`, resolved once the client is `ready` (it has no offline queue). */
	ready(options?: ClusterOptions): Promise<Cluster>;
	/** A plain client to one node (quit by `stop()`). */
	node(port: number): Redis;
	/** The node serving `slot` as primary now, per `CLUSTER SLOTS` of a live node. */
	primaryOf(slot: number): Promise<number>;
	/** Ports of the current primaries and replicas, per `CLUSTER NODES` of a live node. */
	roles(): Promise<{ primaries: number[]; replicas: Map<number, number> }>;
	/** Starts a stopped node again on its port and config file (it rejoins as a replica). */
	restart(port: number): Promise<void>;
	/** Waits until every live node reports `cluster_state:ok` and agrees on the primaries. */
	waitHealthy(timeoutMs?: number): Promise<void>;
	/**
	 * Waits until every replica of the primary on `port` has acknowledged what that primary
	 * held when called (its `master_repl_offset`): replication is asynchronous, so a write made
	 * just before a primary dies may be lost without this.
	 */
	replicated(port: number, timeoutMs?: number): Promise<void>;
	stop(): Promise<void>;
}

/** The one cluster of `cluster.test.ts`, set in its `beforeAll` and read by every suite. */
export interface SharedCluster {
	cluster: TestCluster | undefined;
}

/** Whether this machine can run the cluster tests (`redis-server` on PATH; nothing else). */
export const HAS_REDIS_SERVER: boolean = spawnSync("redis-server", ["--version"]).status === 0;

/** Skip locally without the binaries; under CI never skip (the tests then fail). */
export function shouldSkipCluster(): boolean {
	if (IN_CI || HAS_REDIS_SERVER) return false;
	console.warn("[session-store] redis-server not found: cluster tests skipped");
	return true;
}

async function portFree(port: number): Promise<boolean> {
	const server = createServer();
	return new Promise((resolve) => {
		server.once("error", () => resolve(false));
		server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
	});
}

/** A free port whose cluster bus port (+10 000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
	for (let i = 0; i < 200; i++) {
		const port = 20_000 + Math.floor(Math.random() * 30_000);
		if (taken.has(port) || taken.has(port + 10_000)) continue;
		if ((await portFree(port)) && (await portFree(port + 10_000))) {
			taken.add(port);
			taken.add(port + 10_000);
			return port;
		}
	}
	throw new Error("no free port pair for a cluster node");
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One admin command on one node over a short-lived connection (no redis-cli needed). */
async function cli(port: number, ...args: (string | number)[]): Promise<string> {
	const c = new Redis({
		host: "127.0.0.1",
		port,
		lazyConnect: true,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
		connectTimeout: 1000,
		commandTimeout: 3000,
	});
	c.on("error", () => undefined);
	try {
		await c.connect();
		const [name, ...rest] = args;
		return String(await c.call(String(name), ...rest));
	} finally {
		c.disconnect();
	}
}

/**
 * What `redis-cli --cluster create … --cluster-replicas 1` does: distinct config epochs, MEET,
 * the 16 384 slots in three ranges on the first three nodes, each other node a replica.
 */
async function createCluster(ports: number[]): Promise<void> {
	const ids = await Promise.all(ports.map((p) => cli(p, "CLUSTER", "MYID")));
	for (const [i, p] of ports.entries()) await cli(p, "CLUSTER", "SET-CONFIG-EPOCH", i + 1);
	const [first, ...rest] = ports as [number, ...number[]];
	for (const p of rest) await cli(first, "CLUSTER", "MEET", "127.0.0.1", p);
	const primaries = ports.slice(0, 3);
	const size = Math.ceil(16_384 / primaries.length);
	for (const [i, p] of primaries.entries()) {
		const from = i * size;
		const to = Math.min(16_383, from + size - 1);
		await cli(p, "CLUSTER", "ADDSLOTSRANGE", from, to);
	}
	// a node can replicate a primary only once it knows it
	for (let i = 0; i < 200; i++) {
		const views = await Promise.all(ports.map((p) => cli(p, "CLUSTER", "NODES").catch(() => "")));
		const known = views.every((v) => {
			const lines = v.trim().split("\n");
			return lines.length === ports.length && !v.includes("handshake") && !v.includes("noaddr");
		});
		if (known) break;
		await sleep(50);
	}
	for (const [i, p] of ports.slice(3).entries()) {
		await cli(p, "CLUSTER", "REPLICATE", ids[i] as string);
	}
}

function alive(n: ClusterNode): boolean {
	return n.proc.exitCode === null && n.proc.signalCode === null;
}

/**
 * Starts three primaries and three replicas and creates the cluster.
 *
 * @param label - names the temp dir (for debugging a failed run).
 * @returns the running cluster.
 * @throws {Error} when a node does not start or the cluster is not ok within 30 s.
 */
export async function startCluster(label: string): Promise<TestCluster> {
	const dir = mkdtempSync(join(tmpdir(), `xshl-cluster-${label}-`));
	const taken = new Set<number>();
	const nodes: ClusterNode[] = [];
	const clients: { disconnect(): void; quit(): Promise<unknown> }[] = [];
	for (let i = 0; i < 6; i++) {
		const port = await freeClusterPort(taken);
		const proc = spawnNode(dir, port);
		nodes.push({ port, proc });
	}
	const stop = async (): Promise<void> => {
		for (const c of clients) c.disconnect();
		for (const n of nodes) {
			if (alive(n)) {
				n.proc.kill("SIGCONT");
				n.proc.kill("SIGKILL");
			}
		}
		await Promise.all(
			nodes.map((n) =>
				alive(n) ? new Promise<void>((resolve) => n.proc.once("exit", () => resolve())) : undefined,
			),
		);
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		for (const n of nodes) {
			let ok = false;
			for (let i = 0; i < 100 && !ok; i++) {
				ok = await cli(n.port, "PING")
					.then((s) => s.trim() === "PONG")
					.catch(() => false);
				if (!ok) await sleep(50);
			}
			if (!ok) throw new Error(`redis-server on port ${n.port} did not start`);
		}
		await createCluster(nodes.map((n) => n.port));
		const cluster: TestCluster = {
			nodes,
			seeds: nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
			client(options = {}) {
				const c = new Cluster(
					nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
					{ ...SAFE_CLUSTER_OPTIONS, ...options },
				);
				c.on("error", () => undefined);
				clients.push(c);
				return c;
			},
			async ready(options = {}) {
				const c = cluster.client(options);
				if (c.status !== "ready") {
					await new Promise<void>((resolve, reject) => {
						c.once("ready", () => resolve());
						c.once("end", () => reject(new Error("cluster client ended before ready")));
					});
				}
				return c;
			},
			node(port) {
				const c = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
				c.on("error", () => undefined);
				clients.push(c);
				return c;
			},
			async primaryOf(slot) {
				for (const n of nodes.filter(alive)) {
					const ranges = await slotRanges(n.port).catch(() => []);
					for (const r of ranges) if (slot >= r.from && slot <= r.to) return r.primary;
				}
				throw new Error(`no live node knows slot ${slot}`);
			},
			async roles() {
				for (const n of nodes.filter(alive)) {
					const out = await cli(n.port, "CLUSTER", "NODES").catch(() => "");
					if (out === "") continue;
					return parseRoles(out);
				}
				throw new Error("no live node answers CLUSTER NODES");
			},
			async waitHealthy(timeoutMs = 30_000) {
				const until = Date.now() + timeoutMs;
				for (;;) {
					if (await healthy(nodes.filter(alive))) return;
					if (Date.now() > until) throw new Error("the test cluster did not become healthy");
					await sleep(100);
				}
			},
			async replicated(port, timeoutMs = 10_000) {
				const offsetOf = (info: string, re: RegExp): number =>
					Number(re.exec(info)?.[1] ?? Number.NaN);
				const target = offsetOf(await cli(port, "INFO", "replication"), /master_repl_offset:(\d+)/);
				if (!Number.isFinite(target)) throw new Error(`node ${port} reports no replication offset`);
				const until = Date.now() + timeoutMs;
				for (;;) {
					const info = await cli(port, "INFO", "replication");
					const offsets = [...info.matchAll(/slave\d+:[^\n]*offset=(\d+)/g)].map((m) =>
						Number(m[1]),
					);
					if (offsets.length > 0 && offsets.every((o) => o >= target)) return;
					if (Date.now() > until)
						throw new Error(`the replicas of ${port} did not reach offset ${target}`);
					await sleep(20);
				}
			},
			async restart(port) {
				const n = nodes.find((x) => x.port === port);
				if (n === undefined || alive(n)) throw new Error(`node ${port} is not stopped`);
				n.proc = spawnNode(dir, port);
				for (let i = 0; i < 100; i++) {
					if ((await cli(port, "PING").catch(() => "")).trim() === "PONG") return;
					await sleep(50);
				}
				throw new Error(`redis-server on port ${port} did not restart`);
			},
			stop,
		};
		await cluster.waitHealthy();
		return cluster;
	} catch (error) {
		await stop();
		throw error;
	}
}

function spawnNode(dir: string, port: number): ChildProcess {
	return spawn(
		"redis-server",
		[
			"--port",
			String(port),
			"--bind",
			"127.0.0.1",
			"--dir",
			dir,
			"--cluster-enabled",
			"yes",
			"--cluster-config-file",
			`nodes-${port}.conf`,
			"--cluster-node-timeout",
			String(NODE_TIMEOUT_MS),
			// slots of a failed primary fail alone; the other shards keep serving
			"--cluster-require-full-coverage",
			"no",
			// a replica may always take over, however long it was cut off
			"--cluster-replica-validity-factor",
			"0",
			"--save",
			"",
			"--appendonly",
			"no",
			"--logfile",
			join(dir, `redis-${port}.log`),
		],
		{ stdio: "ignore" },
	);
}

async function slotRanges(port: number): Promise<{ from: number; to: number; primary: number }[]> {
	const out = await cli(port, "CLUSTER", "NODES");
	const ranges: { from: number; to: number; primary: number }[] = [];
	for (const line of out.trim().split("\n")) {
		const f = line.split(" ");
		const flags = f[2] ?? "";
		if (!flags.includes("master") || flags.includes("fail")) continue;
		const primary = Number((f[1] ?? "").split("@")[0]?.split(":")[1]);
		for (const s of f.slice(8)) {
			if (s.startsWith("[")) continue;
			const [a, b] = s.split("-");
			ranges.push({ from: Number(a), to: Number(b ?? a), primary });
		}
	}
	return ranges;
}

function parseRoles(out: string): { primaries: number[]; replicas: Map<number, number> } {
	const byId = new Map<string, number>();
	const lines = out
		.trim()
		.split("\n")
		.map((l) => l.split(" "));
	for (const f of lines) byId.set(f[0] ?? "", Number((f[1] ?? "").split("@")[0]?.split(":")[1]));
	const primaries: number[] = [];
	const replicas = new Map<number, number>();
	for (const f of lines) {
		const flags = f[2] ?? "";
		if (flags.includes("fail")) continue;
		const port = byId.get(f[0] ?? "") as number;
		if (flags.includes("master") && f.length > 8) primaries.push(port);
		if (flags.includes("slave")) replicas.set(port, byId.get(f[3] ?? "") as number);
	}
	return { primaries: primaries.sort((a, b) => a - b), replicas };
}

async function healthy(nodes: ClusterNode[]): Promise<boolean> {
	const views: string[] = [];
	for (const n of nodes) {
		const info = await cli(n.port, "CLUSTER", "INFO").catch(() => "");
		if (!info.includes("cluster_state:ok")) return false;
		const nodesOut = await cli(n.port, "CLUSTER", "NODES").catch(() => "");
		const roles = parseRoles(nodesOut);
		if (roles.primaries.length !== 3) return false;
		const repl = await cli(n.port, "INFO", "replication").catch(() => "");
		if (repl.includes("role:slave") && !repl.includes("master_link_status:up")) return false;
		// every primary serves with an online replica (a rejoining node first has to sync)
		if (roles.primaries.includes(n.port) && !/slave\d+:[^\n]*state=online/.test(repl)) return false;
		views.push(roles.primaries.join(","));
	}
	return new Set(views).size === 1;
}
