// Benchmark: GET /api/me on the demo (session-core verify: signature, claims schema, trace,
// sid) vs a plain Fastify + @fastify/jwt server verifying the same algorithm, side by side in
// one run, at 2 and 50 connections, on loopback. Each server runs in its own process
// (bench/server.mjs); autocannon runs here. `pnpm bench` (builds dist first).
//
// Two modes: "verify" (every request verifies the signature, both sides) and "cache" (both
// sides cache verified tokens: session-core's opt-in cache vs fast-jwt's `cache: true`).
//
// Each case runs BENCH_ROUNDS rounds per side, alternating demo and baseline in ABBA order
// (demo, baseline, baseline, demo, ...) so a drift of the machine's load during the case
// weighs on both sides alike; the ratio is the demo's total requests over the baseline's, and
// the range is the lowest and highest ratio of one demo round over its paired baseline round.
//
// Env: BENCH_SECONDS (seconds per side and case, default 6), BENCH_ROUNDS (default 3),
// BENCH_ALGS (default "ES256,EdDSA,RS256"), BENCH_MODES (default "verify"), BENCH_JSON=path.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
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

function run(target, connections, duration = ROUND_SECONDS) {
	return new Promise((resolve, reject) => {
		autocannon(
			{ url: target.url, headers: target.headers, connections, duration, pipelining: 1 },
			(err, result) => {
				if (err) return reject(err);
				if (result.non2xx > 0 || result.errors > 0) {
					return reject(
						new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`),
					);
				}
				resolve({
					requests: result.requests.total,
					seconds: result.duration,
					rps: result.requests.total / result.duration,
					p99: result.latency.p99,
				});
			},
		);
	});
}

/** ABBA rounds of one case: totals per side, p99 of the worst round, ratio range per pair. */
async function measureCase(demo, base, connections) {
	await run(demo, connections, 1); // warm-up
	await run(base, connections, 1);
	const d = [];
	const b = [];
	for (let r = 0; r < ROUNDS; r++) {
		if (r % 2 === 0) {
			d.push(await run(demo, connections));
			b.push(await run(base, connections));
		} else {
			b.push(await run(base, connections));
			d.push(await run(demo, connections));
		}
	}
	const total = (xs) => ({
		rps: xs.reduce((n, x) => n + x.requests, 0) / xs.reduce((n, x) => n + x.seconds, 0),
		p99: Math.max(...xs.map((x) => x.p99)),
	});
	const pairs = d.map((x, i) => x.rps / (b[i]?.rps ?? Number.NaN));
	const demoTotal = total(d);
	const baseTotal = total(b);
	return {
		demo: demoTotal,
		baseline: baseTotal,
		ratio: demoTotal.rps / baseTotal.rps,
		low: Math.min(...pairs),
		high: Math.max(...pairs),
	};
}

const rows = [];
for (const mode of MODES) {
	for (const alg of ALGS) {
		const demo = await start("demo", alg, mode);
		const base = await start("baseline", alg, mode);
		for (const connections of CONNECTIONS) {
			const row = { mode, alg, connections, ...(await measureCase(demo, base, connections)) };
			console.error(`${mode} ${alg} ${connections} connections: ${row.ratio.toFixed(2)}×`);
			rows.push(row);
		}
		await stop(demo);
		await stop(base);
	}
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(
	`\nGET /api/me, ${ROUNDS} ABBA rounds of ${ROUND_SECONDS} s per side and case, Node ${process.version}\n`,
);
console.log(
	"| mode | alg | connections | demo req/s | demo p99 ms | @fastify/jwt req/s | @fastify/jwt p99 ms | demo / baseline | range per round |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
	console.log(
		`| ${r.mode} | ${r.alg} | ${r.connections} | ${fmt(r.demo.rps)} | ${r.demo.p99} | ${fmt(r.baseline.rps)} | ${r.baseline.p99} | **${r.ratio.toFixed(2)}×** | ${r.low.toFixed(2)}–${r.high.toFixed(2)}× |`,
	);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
