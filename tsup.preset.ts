import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build, type Options } from "tsup";
import ts from "typescript";

/** The options tsup normalized for this package's JavaScript build. */
let built: Record<string, unknown> | undefined;

/** Remembers the options tsup normalized (entry, outDir, tsconfig) for the declaration build. */
const rememberOptions: NonNullable<Options["plugins"]>[number] = {
	name: "xshl:remember-options",
	buildStart() {
		built = this.options as unknown as Record<string, unknown>;
	},
};

/** The nearest `package.json`'s `type`, from a resolved declaration file upwards. */
function packageType(file: string): string | undefined {
	for (let dir = dirname(file); ; dir = dirname(dir)) {
		const manifest = join(dir, "package.json");
		if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, "utf8")).type;
		if (dirname(dir) === dir) return undefined;
	}
}

/**
 * Whether TypeScript (`module: node16`) reads `specifier`, required from `from`, as an ES module:
 * then a CommonJS declaration file may import it for types only, with `resolution-mode: import`.
 */
function isEsmOnly(specifier: string, from: string): boolean {
	const options = {
		module: ts.ModuleKind.Node16,
		moduleResolution: ts.ModuleResolutionKind.Node16,
	};
	const { resolvedModule } = ts.resolveModuleName(
		specifier,
		from,
		options,
		ts.sys,
		undefined,
		undefined,
		ts.ModuleKind.CommonJS,
	);
	if (!resolvedModule) return false;
	const file = resolvedModule.resolvedFileName;
	if (file.endsWith(".d.mts") || file.endsWith(".mjs") || file.endsWith(".mts")) return true;
	if (file.endsWith(".d.cts") || file.endsWith(".cjs") || file.endsWith(".cts")) return false;
	return packageType(file) === "module";
}

const externalStatement = /^(import|export)(?! type )\s+(.+?)\s+from\s+'([^'.][^']*)';$/gm;

/**
 * Rewrites one `.d.cts` file: each import or re-export from an ESM-only package (jose) becomes
 * type-only with `with { 'resolution-mode': 'import' }`. Without it a CommonJS TypeScript
 * consumer with `moduleResolution: node16` and `skipLibCheck: false` fails with TS1479.
 *
 * @param file - absolute path of a `.d.cts` file
 * @returns whether the file changed
 */
export function markEsmTypeImports(file: string): boolean {
	const text = readFileSync(file, "utf8");
	const next = text.replace(
		externalStatement,
		(statement, verb: string, clause: string, specifier: string) =>
			isEsmOnly(specifier, file)
				? `${verb} type ${clause} from '${specifier}' with { 'resolution-mode': 'import' };`
				: statement,
	);
	if (next === text) return false;
	writeFileSync(file, next);
	return true;
}

/**
 * Shared tsup options for every `@xshl/*` package. Each package's `tsup.config.ts`
 * adds only `entry`. Kept to options tsdown also accepts, so a later switch is small.
 *
 * Declarations are built after the JavaScript (tsup runs its own `dts` beside the JS build, with
 * no hook after it), then each `.d.cts` marks its type imports from ESM-only packages with
 * `resolution-mode: import`, so CommonJS consumers type-check with `skipLibCheck: false`
 * (issue 12 §6; `tooling/consumers/test/types.test.ts`). A package config must therefore not
 * set `dts`, `onSuccess` or `plugins` itself.
 */
export const preset: Options = {
	format: ["esm", "cjs"],
	dts: false,
	clean: true,
	sourcemap: true,
	// one copy of each module in CJS too, so `@xshl/x` and `@xshl/x/errors` share error classes
	splitting: true,
	// keep `node:` specifiers as written: Deno and Bun resolve them, bare `crypto` fails on Deno
	removeNodeProtocol: false,
	target: "es2022",
	tsconfig: "tsconfig.build.json",
	plugins: [rememberOptions],
	async onSuccess() {
		if (!built) throw new Error("tsup.preset: the JavaScript build did not start");
		const { entry, outDir, tsconfig, format, silent } = built as {
			entry: Options["entry"];
			outDir: string;
			tsconfig: string;
			format: Options["format"];
			silent?: boolean;
		};
		await build({
			config: false,
			entry,
			outDir,
			tsconfig,
			format,
			silent: silent ?? false,
			dts: { only: true },
			clean: false,
		});
		const dir = resolve(outDir);
		for (const name of readdirSync(dir)) {
			if (name.endsWith(".d.cts")) markEsmTypeImports(join(dir, name));
		}
	},
};
