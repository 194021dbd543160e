// vitest bench: issue, verify and cached verify for ES256, EdDSA and RS256, @xshl/session-core
// (node:crypto engine, and forced onto jose) next to a raw node:crypto verify, jose, fast-jwt
// and jsonwebtoken (cached: fast-jwt `cache: true`), 1 call in flight and 32 in flight. The ratio table in the
// README comes from bench/ratios.mjs (interleaved rounds, medians), which `pnpm bench` runs
// after this file.
import { bench, describe } from "vitest";
import { ALGS, IN_FLIGHT, OPS, setup } from "./setup.mjs";

const options = { time: 400, warmupTime: 100 };

for (const alg of ALGS) {
	const ops = await setup(alg);
	for (const op of OPS) {
		describe(`${alg} ${op}, 1 in flight`, () => {
			for (const [name, fn] of Object.entries(ops[op])) {
				if (fn !== undefined) bench(name, async () => void (await fn()), options);
			}
		});
		describe(`${alg} ${op}, ${IN_FLIGHT} in flight`, () => {
			for (const [name, fn] of Object.entries(ops[op])) {
				if (fn === undefined) continue;
				bench(
					name,
					async () => {
						const all: Promise<unknown>[] = new Array(IN_FLIGHT);
						for (let i = 0; i < IN_FLIGHT; i++) all[i] = fn();
						await Promise.all(all);
					},
					options,
				);
			}
		});
	}
}
