// The README's benchmark table: ops/s per library and the ratios of @xshl/session-core to
// fast-jwt, raw node:crypto and jose, for ES256, EdDSA and RS256: issue, uncached verify and
// cached verify (ours with `cache`, fast-jwt with `cache: true`), with 1 and with 32 calls in
// flight. Libraries are measured in interleaved rounds (A B C D, B C D A, ...) and the median
// round is reported, so a burst of load on the machine does not favour one library. Runs on
// the built package (`pnpm bench` builds first).
import { ALGS, IN_FLIGHT, measure, OPS, setup } from "./setup.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

const OURS = "@xshl/session-core";
const COLUMNS = [OURS, `${OURS} (jose engine)`, "node:crypto", "jose", "fast-jwt", "jsonwebtoken"];
/** @param {number} n */
const ops = (n) => Math.round(n).toLocaleString("en-US");

console.log(
	`| Case | ours | ours, jose engine | node:crypto | jose | fast-jwt | jsonwebtoken | ours × fast-jwt | ours × node:crypto | ours × jose |`,
);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const alg of ALGS) {
	const cases = await setup(alg);
	for (const op of OPS) {
		for (const inFlight of [1, IN_FLIGHT]) {
			const libs = /** @type {[string, () => Promise<unknown>][]} */ (
				Object.entries(cases[op]).filter(([, fn]) => fn !== undefined)
			);
			for (const [, fn] of libs) await measure(fn, inFlight, 60); // warm-up
			/** @type {Record<string, number[]>} */
			const samples = Object.fromEntries(
				libs.map(([name]) => [name, /** @type {number[]} */ ([])]),
			);
			for (let r = 0; r < ROUNDS; r++) {
				// rotate the order each round, so no library always runs right after another's garbage
				for (let i = 0; i < libs.length; i++) {
					const [name, fn] = /** @type {[string, () => Promise<unknown>]} */ (
						libs[(r + i) % libs.length]
					);
					samples[name]?.push(await measure(fn, inFlight, ROUND_MS));
				}
			}
			/** @type {Record<string, number>} */
			const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
			const ours = m[OURS] ?? Number.NaN;
			/** @param {string} name */
			const cell = (name) => (m[name] === undefined ? "n/a" : ops(m[name]));
			/** @param {string} name */
			const ratio = (name) =>
				m[name] === undefined ? "n/a" : `**${(ours / m[name]).toFixed(2)}**`;
			console.log(
				`| ${alg} ${op}, ${inFlight} in flight | ${COLUMNS.map(cell).join(" | ")} | ${ratio("fast-jwt")} | ${ratio("node:crypto")} | ${ratio("jose")} |`,
			);
		}
	}
}
