// CPU microseconds per uncached verify (process.cpuUsage: every thread of the process, the
// libuv threadpool included), one call in flight, median of 5 rotated rounds of 2000 calls.
// Steadier than ops/s on a shared machine: load from other processes inflates wall time, not
// this process's CPU time. Ratios are fast-jwt's (or raw node:crypto's) CPU time over ours:
// above 1 means ours costs less. Runs on the built package (`pnpm bench` builds first).
import { ALGS, setup } from "./setup.mjs";

const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 5);
const CALLS = Number(process.env.BENCH_CPU_CALLS ?? 2000);
const OURS = "@xshl/session-core";
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

console.log(
	"| Verify, CPU µs per call | ours | ours, jose engine | node:crypto | jose | fast-jwt | jsonwebtoken | fast-jwt ÷ ours | node:crypto ÷ ours |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const alg of ALGS) {
	const libs = /** @type {[string, () => Promise<unknown>][]} */ (
		Object.entries((await setup(alg)).verify).filter(([, fn]) => fn !== undefined)
	);
	/** @type {Record<string, number[]>} */
	const samples = {};
	for (let r = 0; r < ROUNDS; r++) {
		for (let i = 0; i < libs.length; i++) {
			const [name, fn] = /** @type {[string, () => Promise<unknown>]} */ (
				libs[(r + i) % libs.length]
			);
			for (let k = 0; k < 200; k++) await fn();
			const start = process.cpuUsage();
			for (let k = 0; k < CALLS; k++) await fn();
			const used = process.cpuUsage(start);
			const list = samples[name] ?? [];
			list.push((used.user + used.system) / CALLS);
			samples[name] = list;
		}
	}
	/** @type {Record<string, number>} */
	const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
	/** @param {string} name */
	const cell = (name) => (m[name] === undefined ? "n/a" : (m[name] ?? 0).toFixed(0));
	const ours = m[OURS] ?? Number.NaN;
	/** @param {string} name */
	const ratio = (name) =>
		m[name] === undefined ? "n/a" : `**${((m[name] ?? 0) / ours).toFixed(2)}**`;
	console.log(
		`| ${alg} | ${[OURS, `${OURS} (jose engine)`, "node:crypto", "jose", "fast-jwt", "jsonwebtoken"].map(cell).join(" | ")} | ${ratio("fast-jwt")} | ${ratio("node:crypto")} |`,
	);
}
