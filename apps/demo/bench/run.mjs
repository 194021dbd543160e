// Benchmark: GET /api/me on the demo (session-core verify: signature, claims schema, trace,
// sid) vs a plain Fastify + @fastify/jwt server verifying the same algorithm, side by side in
// one run, at 2 and 50 connections, on loopback. Each server runs in its own process
// (bench/server.mjs); autocannon runs here. `pnpm bench` (builds dist first).
//
// Two modes: "verify" (every request verifies the signature, both sides) and "cache" (both
// sides cache verified tokens: session-core's opt-in cache vs fast-jwt's `cache: true`).
//
// Env: BENCH_SECONDS (default 3), BENCH_ALGS (default "ES256,RS256"),
// BENCH_MODES (default "verify,cache"), BENCH_JSON=path.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ALGS = (process.env.BENCH_ALGS ?? "ES256,RS256").split(",");
const MODES = (process.env.BENCH_MODES ?? "verify,cache").split(",");
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

function run(target, connections) {
	return new Promise((resolve, reject) => {
		autocannon(
			{ url: target.url, headers: target.headers, connections, duration: SECONDS, pipelining: 1 },
			(err, result) => {
				if (err) return reject(err);
				if (result.non2xx > 0 || result.errors > 0) {
					return reject(
						new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`),
					);
				}
				resolve({ rps: result.requests.average, p99: result.latency.p99 });
			},
		);
	});
}

const rows = [];
for (const mode of MODES) {
	for (const alg of ALGS) {
		const demo = await start("demo", alg, mode);
		const base = await start("baseline", alg, mode);
		for (const connections of CONNECTIONS) {
			// warm-up, then measure both in the same run
			await run(demo, connections);
			await run(base, connections);
			const d = await run(demo, connections);
			const b = await run(base, connections);
			rows.push({ mode, alg, connections, demo: d, baseline: b, ratio: d.rps / b.rps });
		}
		await stop(demo);
		await stop(base);
	}
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(`\nGET /api/me, ${SECONDS} s per case, Node ${process.version}\n`);
console.log(
	"| mode | alg | connections | demo req/s | demo p99 ms | @fastify/jwt req/s | @fastify/jwt p99 ms | demo / baseline |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
	console.log(
		`| ${r.mode} | ${r.alg} | ${r.connections} | ${fmt(r.demo.rps)} | ${r.demo.p99} | ${fmt(r.baseline.rps)} | ${r.baseline.p99} | ${r.ratio.toFixed(2)}× |`,
	);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
