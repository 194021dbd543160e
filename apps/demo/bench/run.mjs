// Benchmark: GET /api/me on the demo (session-core verify: signature, claims schema, trace,
// sid) vs a plain Fastify + @fastify/jwt server verifying the same algorithm, side by side in
// one run, at 2 and 50 connections, on loopback. A third server, Fastify + @xshl/fastify alone
// (the baseline's route shape, `{ claims }`), shows the library's cost apart from the demo's own
// work (security headers, request ids, the user's name, a larger answer). Each server runs in
// its own process (bench/server.mjs); autocannon runs here. `pnpm bench` (builds dist first).
//
// Two modes: "verify" (every request verifies the signature, every side) and "cache" (every
// side caches verified tokens: session-core's opt-in cache vs fast-jwt's `cache: true`).
//
// Each case runs BENCH_ROUNDS rounds per server, the order rotated every round (demo, plugin,
// baseline; plugin, baseline, demo; ...) so a drift of the machine's load weighs on every side
// alike; a ratio is one server's total requests over the baseline's, and the range is the lowest
// and highest ratio of one round over the baseline's round. Beside req/s each server's CPU time
// per request (user + system, from /proc on Linux) is shown: it is steadier than req/s on a
// shared machine (time the machine gives to others is not counted).
//
// Env: BENCH_SECONDS (seconds per server and case, default 6), BENCH_ROUNDS (default 3),
// BENCH_ALGS (default "ES256,EdDSA,RS256"), BENCH_MODES (default "verify"), BENCH_JSON=path.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_SECONDS = Math.max(1, Math.round(SECONDS / ROUNDS));
const ALGS = (process.env.BENCH_ALGS ?? "ES256,EdDSA,RS256").split(",");
const MODES = (process.env.BENCH_MODES ?? "verify").split(",");
const CONNECTIONS = [2, 50];

function start(kind, alg, mode) {
	const child = spawn(
		process.execPath,
		[new URL("server.mjs", import.meta.url).pathname, kind, alg, mode],
		{
			stdio: ["ignore", "pipe", "inherit"],
		},
	);
	return new Promise((resolve, reject) => {
		createInterface({ input: child.stdout }).once("line", (line) =>
			resolve({ ...JSON.parse(line), child }),
		);
		child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
	});
}

function stop(target) {
	return new Promise((resolve) => {
		target.child.removeAllListeners("exit");
		target.child.once("exit", resolve);
		target.child.kill("SIGTERM");
	});
}

/** CPU time (user + system) of a process in µs, from /proc (Linux); undefined elsewhere. */
function cpuMicros(pid) {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
		return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
	} catch {
		return undefined;
	}
}

function run(target, connections, duration = ROUND_SECONDS) {
	return new Promise((resolve, reject) => {
		const cpu0 = cpuMicros(target.child.pid);
		autocannon(
			{ url: target.url, headers: target.headers, connections, duration, pipelining: 1 },
			(err, result) => {
				if (err) return reject(err);
				if (result.non2xx > 0 || result.errors > 0) {
					return reject(
						new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`),
					);
				}
				const cpu1 = cpuMicros(target.child.pid);
				resolve({
					requests: result.requests.total,
					seconds: result.duration,
					rps: result.requests.total / result.duration,
					p99: result.latency.p99,
					cpu: cpu0 === undefined || cpu1 === undefined ? Number.NaN : cpu1 - cpu0,
				});
			},
		);
	});
}

const SIDES = ["demo", "plugin", "baseline"];

/** Rounds of one case, the order rotated per round: totals per side, ratio ranges per round. */
async function measureCase(targets, connections) {
	for (const side of SIDES) await run(targets[side], connections, 1); // warm-up
	const rounds = Object.fromEntries(SIDES.map((side) => [side, []]));
	for (let r = 0; r < ROUNDS; r++) {
		for (let i = 0; i < SIDES.length; i++) {
			const side = SIDES[(r + i) % SIDES.length];
			rounds[side].push(await run(targets[side], connections));
		}
	}
	const total = (xs) => ({
		rps: xs.reduce((n, x) => n + x.requests, 0) / xs.reduce((n, x) => n + x.seconds, 0),
		p99: Math.max(...xs.map((x) => x.p99)),
		cpuPerRequest: xs.reduce((n, x) => n + x.cpu, 0) / xs.reduce((n, x) => n + x.requests, 0),
	});
	const out = Object.fromEntries(SIDES.map((side) => [side, total(rounds[side])]));
	for (const side of ["demo", "plugin"]) {
		const pairs = rounds[side].map((x, i) => x.rps / (rounds.baseline[i]?.rps ?? Number.NaN));
		out[side].ratio = out[side].rps / out.baseline.rps;
		out[side].low = Math.min(...pairs);
		out[side].high = Math.max(...pairs);
		out[side].cpuRatio = out.baseline.cpuPerRequest / out[side].cpuPerRequest;
	}
	return out;
}

const rows = [];
for (const mode of MODES) {
	for (const alg of ALGS) {
		const targets = {};
		for (const side of SIDES) targets[side] = await start(side, alg, mode);
		for (const connections of CONNECTIONS) {
			const row = { mode, alg, connections, ...(await measureCase(targets, connections)) };
			console.error(
				`${mode} ${alg} ${connections} connections: demo ${row.demo.ratio.toFixed(2)}×, plugin ${row.plugin.ratio.toFixed(2)}×`,
			);
			rows.push(row);
		}
		for (const side of SIDES) await stop(targets[side]);
	}
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const us = (n) => (Number.isNaN(n) ? "n/a" : `${Math.round(n)}`);
const x = (n) => (Number.isNaN(n) ? "n/a" : `${n.toFixed(2)}×`);
console.log(
	`\nGET /api/me, ${ROUNDS} rotated rounds of ${ROUND_SECONDS} s per server and case, Node ${process.version}\n`,
);
console.log(
	"| mode | alg | conn. | demo req/s | plugin req/s | @fastify/jwt req/s | demo / baseline (range) | plugin / baseline (range) | CPU µs/req demo, plugin, baseline | CPU ratio demo, plugin | p99 ms demo, plugin, baseline |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
	console.log(
		`| ${r.mode} | ${r.alg} | ${r.connections} | ${fmt(r.demo.rps)} | ${fmt(r.plugin.rps)} | ${fmt(r.baseline.rps)} | **${r.demo.ratio.toFixed(2)}×** (${r.demo.low.toFixed(2)}–${r.demo.high.toFixed(2)}) | **${r.plugin.ratio.toFixed(2)}×** (${r.plugin.low.toFixed(2)}–${r.plugin.high.toFixed(2)}) | ${us(r.demo.cpuPerRequest)}, ${us(r.plugin.cpuPerRequest)}, ${us(r.baseline.cpuPerRequest)} | ${x(r.demo.cpuRatio)}, ${x(r.plugin.cpuRatio)} | ${r.demo.p99}, ${r.plugin.p99}, ${r.baseline.p99} |`,
	);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
