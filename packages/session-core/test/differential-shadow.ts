// `pnpm fuzz`, part 1 (issue 13 §2: "every test token in the repo"): loaded as a setup file
// when XSHL_SHADOW=1, it shadows every node:crypto engine the test suite builds with a jose
// engine on the same compiled options and the same resolved key, runs both on every token the
// tests verify, and fails the test file on any difference in verdict, error code, claim or
// result. The tests themselves still see the node engine's results.
import { afterAll, expect, vi } from "vitest";
import type { SessionKeySet } from "../src/config";
import type { VerifiedJws, VerifyEngine } from "../src/internal/engine-jose";
import type { CompiledVerifyOptions } from "../src/internal/verify-options";

const state = { tokens: 0, pending: new Set<Promise<void>>(), disagreements: [] as string[] };

function outcome(p: Promise<VerifiedJws>): Promise<string> {
	return p.then(
		(r) => {
			try {
				return `ok ${JSON.stringify(r.payload)} ${JSON.stringify(r.protectedHeader)}`;
			} catch {
				// a payload nested too deep to print (catalog FMT-06): compare its top-level members
				return `ok (deep) ${Object.keys(r.payload).join(",")} ${JSON.stringify(r.protectedHeader)}`;
			}
		},
		(e: { name?: string; code?: string; claim?: string }) =>
			`${e?.name} ${e?.code} ${e?.claim ?? ""}`,
	);
}

vi.mock("../src/internal/engine-node", async (importOriginal) => {
	const real = await importOriginal<typeof import("../src/internal/engine-node")>();
	const { joseEngine } = await import("../src/internal/engine-jose");
	const nodeEngine: typeof real.nodeEngine = (o, crypto, fallback, bind) => {
		let last: Promise<CryptoKey> | undefined;
		const keys = o.keys;
		const recording: SessionKeySet = {
			name: keys.name,
			algorithms: (use) => keys.algorithms(use),
			getKey: (q) => keys.getKey(q),
			resolver: (h, t) => {
				last = keys.resolver(h, t);
				return last;
			},
			// the synchronous lookup too (the node engine asks it first): a key it answers is
			// what jose is then given
			...(keys.resolveSync === undefined
				? {}
				: {
						resolveSync: (h: { kid?: string; alg?: string }) => {
							const key = keys.resolveSync?.(h);
							if (key !== undefined) last = Promise.resolve(key);
							return key;
						},
					}),
		};
		const replay: SessionKeySet = {
			...recording,
			resolver: () => {
				const p = last;
				last = undefined;
				return p ?? Promise.reject(new Error("shadow: the node engine resolved no key"));
			},
		};
		const node = real.nodeEngine(
			{ ...o, keys: recording } as CompiledVerifyOptions,
			crypto,
			fallback,
			bind,
		);
		const shadowed: VerifyEngine = {
			name: node.name,
			algorithms: () => node.algorithms(),
			verify(token: string): Promise<VerifiedJws> {
				last = undefined;
				const a = node.verify(token);
				// a test that replaced WebCrypto's verify (to prove the node engine avoids it) is not shadowed
				if (vi.isMockFunction(globalThis.crypto.subtle.verify)) {
					return a;
				}
				// jose finishes later (its WebCrypto job): it gets the clock as it was at the call
				const at = o.clockMs();
				const jose = joseEngine({
					...o,
					keys: replay,
					clock: () => at,
					clockMs: () => at,
				} as CompiledVerifyOptions);
				const b = jose.verify(token);
				state.tokens++;
				const done = Promise.all([outcome(a), outcome(b)]).then(([x, y]) => {
					if (x !== y) state.disagreements.push(`${token}\n  node: ${x}\n  jose: ${y}`);
				});
				state.pending.add(done);
				void done.finally(() => state.pending.delete(done));
				return a;
			},
		};
		return shadowed;
	};
	return { ...real, nodeEngine };
});

afterAll(async () => {
	await Promise.all(state.pending);
	console.info(`differential shadow: ${state.tokens} tokens verified by both engines`);
	expect(state.disagreements).toEqual([]);
});
