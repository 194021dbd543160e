import type { Options } from "tsup";

/**
 * Shared tsup options for every `@xshl/*` package. Each package's `tsup.config.ts`
 * adds only `entry`. Kept to options tsdown also accepts, so a later switch is small.
 */
export const preset: Options = {
	format: ["esm", "cjs"],
	dts: true,
	clean: true,
	sourcemap: true,
	// one copy of each module in CJS too, so `@xshl/x` and `@xshl/x/errors` share error classes
	splitting: true,
	// keep `node:` specifiers as written: Deno and Bun resolve them, bare `crypto` fails on Deno
	removeNodeProtocol: false,
	target: "es2022",
	tsconfig: "tsconfig.build.json",
};
