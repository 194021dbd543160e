import { execFileSync } from "node:child_process";
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	realpathSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markEsmTypeImports } from "../../../tsup.preset.ts";

// Issue 12 §6: every entry of every @xshl package, installed from its packed tarball into a
// fresh project, type-checks for a CommonJS (`.cts`) and an ES module (`.mts`) TypeScript
// consumer under `moduleResolution: node16` and `bundler`, with `skipLibCheck: false`.
// Offline: `pnpm pack` writes the tarballs, they are unpacked into node_modules as npm would,
// and third-party dependencies (jose, zod, uuid, ioredis) are linked from the workspace.

const consumers = fileURLToPath(new URL("..", import.meta.url));
const root = join(consumers, "..", "..");
const manifest = JSON.parse(readFileSync(join(consumers, "package.json"), "utf8"));
const names: string[] = Object.keys(manifest.dependencies ?? {}).filter((n) =>
	n.startsWith("@xshl/"),
);

type Format = "cjs" | "esm";
type Resolution = "node16" | "bundler";
interface Installed {
	readonly name: string;
	readonly short: string;
	readonly entries: readonly string[];
}

let project = "";
/** entry → number of value exports its built JavaScript has (each checked against the types) */
const exportCounts = new Map<string, number>();
const installed: Installed[] = [];
/** diagnostics by resolution, then by bucket (`<short> <format>`, `third-party`) */
const found = new Map<Resolution, Map<string, string[]>>();

function link(target: string, path: string): void {
	if (existsSync(path)) return;
	mkdirSync(dirname(path), { recursive: true });
	symlinkSync(realpathSync(target), path, "dir");
}

/** Packs one workspace package and unpacks the tarball into the project's node_modules. */
function install(name: string): Installed {
	const dir = realpathSync(join(consumers, "node_modules", name));
	const out = join(project, "tarballs", name.replace("/", "-"));
	mkdirSync(out, { recursive: true });
	execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: dir, stdio: "pipe" });
	const [tarball] = readdirSync(out).filter((f) => f.endsWith(".tgz"));
	if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${name}`);
	const into = join(project, "node_modules", name);
	mkdirSync(into, { recursive: true });
	execFileSync("tar", ["-xzf", join(out, tarball), "-C", into, "--strip-components=1"]);
	const packed = JSON.parse(readFileSync(join(into, "package.json"), "utf8"));
	const deps = {
		...packed.dependencies,
		...packed.peerDependencies,
		...packed.optionalDependencies,
	};
	for (const dep of Object.keys(deps)) {
		if (dep.startsWith("@xshl/")) continue;
		const source = join(dir, "node_modules", dep);
		if (existsSync(source)) link(source, join(project, "node_modules", dep));
	}
	const entries = Object.keys(packed.exports ?? { ".": "" })
		.filter((key) => key !== "./package.json" && !key.includes("*"))
		.map((key) => (key === "." ? name : `${name}/${key.slice(2)}`));
	return { name, short: name.slice("@xshl/".length), entries };
}

/** The value exports the built entry has at run time (required from the fresh project). */
function runtimeExports(entry: string): string[] {
	const mod = createRequire(join(project, "package.json"))(entry) as Record<string, unknown>;
	return Object.keys(mod).filter((name) => name !== "default" && name !== "__esModule");
}

/**
 * One consumer file: imports every entry; a module typed `any` or with no exports fails, and
 * so does a value export of the built JavaScript that its declarations lack or type as a type.
 */
function consumer(pkg: Installed): string {
	const imports = pkg.entries.map((entry, i) => `import * as e${i} from "${entry}";`);
	const types = pkg.entries.map((_, i) => `Entry<typeof e${i}>`).join(", ");
	const values = pkg.entries.map((_, i) => `e${i}`).join(", ");
	const exported = pkg.entries.flatMap((entry, i) => {
		const names = runtimeExports(entry);
		exportCounts.set(entry, names.length);
		return names.map((name) => `\te${i}[${JSON.stringify(name)}],`);
	});
	return [
		...imports,
		"type IsAny<T> = 0 extends 1 & T ? true : false;",
		"type Entry<T> = IsAny<T> extends true ? never : [keyof T] extends [never] ? never : T;",
		`export const entries: [${types}] = [${values}];`,
		"export const values: unknown[] = [",
		...exported,
		"];",
		"",
	].join("\n");
}

function compilerOptions(resolution: Resolution): ts.CompilerOptions {
	return {
		...(resolution === "node16"
			? { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }
			: { module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler }),
		target: ts.ScriptTarget.ES2022,
		strict: true,
		skipLibCheck: false,
		// TypeScript's own lib.*.d.ts are not under test; every package and dependency .d.ts is
		skipDefaultLibCheck: true,
		noEmit: true,
		types: ["node"],
		typeRoots: [join(project, "node_modules", "@types")],
	};
}

function format(d: ts.Diagnostic): string {
	const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
	if (!d.file || d.start === undefined) return `TS${d.code}: ${message}`;
	const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
	return `${relative(project, d.file.fileName)}(${line + 1},${character + 1}): TS${d.code}: ${message}`;
}

/** Which cell a diagnostic belongs to: the package whose consumer or declaration file it is in. */
function bucket(file: string | undefined): string {
	if (!file) return "third-party";
	const rel = relative(project, file);
	const ext: Format = /\.(d\.)?cts$/.test(rel) ? "cjs" : "esm";
	const src = /^src\/(.+)\.(cts|mts)$/.exec(rel);
	if (src) return `${src[1]} ${ext}`;
	const pkg = installed.find((p) => rel.startsWith(`node_modules/${p.name}/`));
	return pkg ? `${pkg.short} ${ext}` : "third-party";
}

/** One parse of each file for all programs (lib.dom.d.ts alone is 2 MB). */
const parsed = new Map<string, ts.SourceFile | undefined>();
function createProgram(files: string[], options: ts.CompilerOptions): ts.Program {
	const host = ts.createCompilerHost(options);
	const getSourceFile = host.getSourceFile.bind(host);
	host.getSourceFile = (fileName, languageVersionOrOptions, ...rest) => {
		const format =
			typeof languageVersionOrOptions === "object"
				? languageVersionOrOptions.impliedNodeFormat
				: undefined;
		const key = `${fileName}\0${format}`;
		if (!parsed.has(key))
			parsed.set(key, getSourceFile(fileName, languageVersionOrOptions, ...rest));
		return parsed.get(key);
	};
	return ts.createProgram(files, options, host);
}

function check(resolution: Resolution, files: string[]): Map<string, string[]> {
	const program = createProgram(files, compilerOptions(resolution));
	const out = new Map<string, string[]>();
	for (const d of ts.getPreEmitDiagnostics(program)) {
		const key = bucket(d.file?.fileName);
		out.set(key, [...(out.get(key) ?? []), format(d)]);
	}
	return out;
}

beforeAll(() => {
	project = mkdtempSync(join(tmpdir(), "xshl-consumer-types-"));
	writeFileSync(join(project, "package.json"), '{ "name": "consumer", "private": true }\n');
	for (const name of names) installed.push(install(name));
	link(
		join(root, "node_modules", "@types", "node"),
		join(project, "node_modules", "@types", "node"),
	);
	mkdirSync(join(project, "src"));
	const files: string[] = [];
	for (const pkg of installed) {
		for (const ext of ["cts", "mts"]) {
			const file = join(project, "src", `${pkg.short}.${ext}`);
			writeFileSync(file, consumer(pkg));
			files.push(file);
		}
	}
	for (const resolution of ["node16", "bundler"] as const)
		found.set(resolution, check(resolution, files));
}, 240_000);

afterAll(() => {
	if (project) rmSync(project, { recursive: true, force: true });
});

const cells = names.flatMap((name) =>
	(["node16", "bundler"] as const).flatMap((resolution) =>
		(["cjs", "esm"] as const).map((fmt) => [name, fmt, resolution] as const),
	),
);

describe("types from packed tarballs, skipLibCheck: false", () => {
	it("installs every package with at least its main entry", () => {
		expect(installed.map((p) => p.name)).toEqual(names);
		for (const pkg of installed) {
			expect(pkg.entries[0]).toBe(pkg.name);
			// every entry has value exports, each one checked against the declarations
			expect(pkg.entries.filter((entry) => !((exportCounts.get(entry) ?? 0) > 0))).toEqual([]);
		}
	});

	it.each(cells)(
		"%s type-checks for a %s consumer with moduleResolution %s",
		(name, fmt, resolution) => {
			const short = name.slice("@xshl/".length);
			expect(found.get(resolution)?.get(`${short} ${fmt}`) ?? []).toEqual([]);
		},
	);

	it.each(["node16", "bundler"] as const)(
		"third-party declarations the entries pull in type-check (%s)",
		(resolution) => {
			expect(found.get(resolution)?.get("third-party") ?? []).toEqual([]);
		},
	);

	// Control: the build's rewrite is what removes TS1479. The same CommonJS declaration file,
	// as tsup writes it and as the preset rewrites it, compiled by a node16 CommonJS consumer.
	it("control: a .d.cts importing jose fails with TS1479 until the preset marks the import", () => {
		const write = (pkg: string): string => {
			const dir = join(project, "node_modules", "@control", pkg);
			mkdirSync(dir, { recursive: true });
			writeFileSync(
				join(dir, "package.json"),
				JSON.stringify({ name: `@control/${pkg}`, exports: { ".": { require: "./index.d.cts" } } }),
			);
			writeFileSync(
				join(dir, "index.d.cts"),
				"import { JWK } from 'jose';\nexport { JWTPayload } from 'jose';\n\ndeclare const key: JWK;\n\nexport { key };\n",
			);
			return join(dir, "index.d.cts");
		};
		write("before");
		const after = write("after");
		expect(markEsmTypeImports(after)).toBe(true);
		expect(readFileSync(after, "utf8").split("\n").slice(0, 2)).toEqual([
			"import type { JWK } from 'jose' with { 'resolution-mode': 'import' };",
			"export type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };",
		]);
		expect(markEsmTypeImports(after)).toBe(false);
		const file = join(project, "control.cts");
		writeFileSync(
			file,
			'import { key as a } from "@control/before";\nimport { key as b } from "@control/after";\nexport const keys = [a.kty, b.kty];\n',
		);
		const program = createProgram([file], compilerOptions("node16"));
		const codes = ts
			.getPreEmitDiagnostics(program)
			.map((d) => [relative(project, d.file?.fileName ?? ""), d.code]);
		expect(codes).toEqual([
			["node_modules/@control/before/index.d.cts", 1479],
			["node_modules/@control/before/index.d.cts", 1479],
		]);
	}, 60_000);
});
