import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue 11 item 1: each README's error table is the built registry, row for row
// (tooling/scripts/errors-table.mjs --check), for every package of this workspace package's
// dependencies (built before this suite runs) whose README has the markers.

const consumers = fileURLToPath(new URL("..", import.meta.url));
const root = join(consumers, "..", "..");
const script = join(root, "tooling", "scripts", "errors-table.mjs");
const manifest = JSON.parse(readFileSync(join(consumers, "package.json"), "utf8"));
const packages = Object.keys(manifest.dependencies ?? {})
	.filter((name) => name.startsWith("@xshl/"))
	.map((name) => ({ name, dir: basename(realpathSync(join(consumers, "node_modules", name))) }))
	.filter(({ dir }) =>
		readFileSync(join(root, "packages", dir, "README.md"), "utf8").includes(
			"<!-- errors:start -->",
		),
	);

interface Result {
	package: string;
	status: "ok" | "written" | "differs" | "skipped";
	reason?: string;
}

function run(args: string[]): { status: number | null; results: Result[] } {
	const r = spawnSync(process.execPath, [script, "--json", ...args], { encoding: "utf8" });
	if (r.stderr) throw new Error(r.stderr);
	return { status: r.status, results: JSON.parse(r.stdout) };
}

describe("README error tables (errors-table.mjs --check)", () => {
	let results: Result[] = [];
	beforeAll(() => {
		results = run(["--check", ...packages.map((p) => p.dir)]).results;
	}, 60_000);

	it("covers at least the five packages", () => {
		expect(packages.length).toBeGreaterThanOrEqual(5);
	});

	it.for(packages)("$name: the README table is the built registry", ({ name }, ctx) => {
		const r = results.find((x) => x.package === name);
		// a registry not converted to { status, meaning } yet is skipped, and shown as skipped
		if (r?.status === "skipped" && r.reason?.includes("not a { status, meaning } registry"))
			ctx.skip();
		expect(r).toEqual({ package: name, dir: expect.any(String), status: "ok" });
	});
});

describe("errors-table.mjs on a scratch tree", () => {
	let tree = "";
	const readme = (name: string) => join(tree, "packages", name, "README.md");
	const pkg = (name: string, registry: string | undefined, text: string) => {
		const dir = join(tree, "packages", name);
		mkdirSync(join(dir, "dist"), { recursive: true });
		writeFileSync(
			join(dir, "package.json"),
			JSON.stringify({
				name: `@scratch/${name}`,
				type: "module",
				exports: registry
					? { "./errors": { import: { types: "./dist/errors.d.ts", default: "./dist/errors.js" } } }
					: { ".": "./dist/index.js" },
			}),
		);
		if (registry) writeFileSync(join(dir, "dist", "errors.js"), registry);
		writeFileSync(join(dir, "README.md"), text);
	};
	const wrong =
		"# x\n\n## Errors\n\n<!-- errors:start -->\n| Code | Status | Meaning |\n|---|---|---|\n| `ERR_X_OLD` | 500 | Gone. |\n<!-- errors:end -->\n\n## Security\n";

	beforeAll(() => {
		tree = mkdtempSync(join(tmpdir(), "xshl-errors-table-"));
		pkg(
			"converted",
			'export const X_ERROR_CODES = { ERR_X_ONE: { status: 401, meaning: "One | two." }, ERR_X_TWO: { status: 503, meaning: "Down." } };\n',
			wrong,
		);
		pkg("legacy", 'export const Y_ERROR_CODES = { ERR_Y_ONE: "One." };\n', wrong);
		// no ./errors entry: a package with no errors of its own, so a table without rows
		pkg("noerrors", undefined, wrong);
		pkg(
			"unmarked",
			'export const Z_ERROR_CODES = { ERR_Z: { status: 400, meaning: "Z." } };\n',
			"# z\n",
		);
	});
	afterAll(() => {
		if (tree) rmSync(tree, { recursive: true, force: true });
	});

	it("--check fails on a table that differs and writes nothing; skips the others with a reason", () => {
		const { status, results } = run(["--check", "--root", tree]);
		expect(status).toBe(1);
		expect(results.map((r) => [r.package, r.status, r.reason])).toEqual([
			[
				"@scratch/converted",
				"differs",
				"README table differs from X_ERROR_CODES: run node tooling/scripts/errors-table.mjs",
			],
			["@scratch/legacy", "skipped", "Y_ERROR_CODES is not a { status, meaning } registry yet"],
			[
				"@scratch/noerrors",
				"differs",
				"README table differs from no ./errors entry (no rows): run node tooling/scripts/errors-table.mjs",
			],
			[
				"@scratch/unmarked",
				"skipped",
				"README has no <!-- errors:start --> … <!-- errors:end --> markers",
			],
		]);
		expect(readFileSync(readme("converted"), "utf8")).toBe(wrong);
	});

	it("writes the rows in registry order between the markers, then --check passes", () => {
		expect(run(["--root", tree, "converted"]).results[0]?.status).toBe("written");
		expect(readFileSync(readme("converted"), "utf8")).toBe(
			"# x\n\n## Errors\n\n<!-- errors:start -->\n| Code | Status | Meaning |\n|---|---|---|\n| `ERR_X_ONE` | 401 | One \\| two. |\n| `ERR_X_TWO` | 503 | Down. |\n<!-- errors:end -->\n\n## Security\n",
		);
		const again = run(["--check", "--root", tree, "converted"]);
		expect([again.status, again.results[0]?.status]).toEqual([0, "ok"]);
		expect(readFileSync(readme("legacy"), "utf8")).toBe(wrong);
	});

	it("writes a table without rows for a package without an ./errors entry", () => {
		expect(run(["--root", tree, "noerrors"]).results[0]?.status).toBe("written");
		expect(readFileSync(readme("noerrors"), "utf8")).toBe(
			"# x\n\n## Errors\n\n<!-- errors:start -->\n| Code | Status | Meaning |\n|---|---|---|\n<!-- errors:end -->\n\n## Security\n",
		);
	});
});
