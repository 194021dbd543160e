// The README's benchmark table: ops/s per library and the ratio to raw jose, for ES256,
// EdDSA and RS256, issue and verify, with 1 and with 32 calls in flight. Libraries are
// measured in interleaved rounds (A B C D, B C D A, ...) and the median round is reported,
// so a burst of load on the machine does not favour one library. Runs on the built package
// (`pnpm bench` builds first).
import { ALGS, IN_FLIGHT, measure, setup } from "./setup.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

console.log(`| Case | @xshl/session-core | jose | fast-jwt | jsonwebtoken | ours × jose |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const alg of ALGS) {
	const ops = await setup(alg);
	for (const op of /** @type {const} */ (["issue", "verify"])) {
		for (const inFlight of [1, IN_FLIGHT]) {
			const libs = /** @type {[string, () => Promise<unknown>][]} */ (
				Object.entries(ops[op]).filter(([, fn]) => fn !== undefined)
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
			const jose = m.jose ?? Number.NaN;
			/** @param {string} name */
			const cell = (name) =>
				m[name] === undefined
					? "n/a"
					: `${Math.round(m[name]).toLocaleString("en-US")} (${(m[name] / jose).toFixed(2)})`;
			console.log(
				`| ${alg} ${op}, ${inFlight} in flight | ${cell("@xshl/session-core")} | ${Math.round(jose).toLocaleString("en-US")} | ${cell("fast-jwt")} | ${cell("jsonwebtoken")} | **${((m["@xshl/session-core"] ?? 0) / jose).toFixed(2)}** |`,
			);
		}
	}
}
