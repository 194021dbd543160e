#!/usr/bin/env node
// Writes each package's README error table from its built registry: the rows between
// `<!-- errors:start -->` and `<!-- errors:end -->` become `| Code | Status | Meaning |`, one
// per entry of the `…_ERROR_CODES` export of the package's `./errors` entry (values
// `{ status, meaning }`), in registry order.
//
//   node tooling/scripts/errors-table.mjs            write every table
//   node tooling/scripts/errors-table.mjs --check    exit 1 when a README differs from its registry
//   options: --json (one JSON report on stdout), --root <dir> (a tree with packages/*), package
//   directory names (`keys store`) to limit the run
//
// A package without an `./errors` entry gets a table without rows. A package without the
// markers, whose `./errors` entry is not built, or whose registry is not `{ status, meaning }`
// yet is skipped with a printed note, never failed.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const START = "<!-- errors:start -->";
const END = "<!-- errors:end -->";
const MARKED = /<!-- errors:start -->\n?[\s\S]*?<!-- errors:end -->/;

/**
 * The Markdown table for one registry.
 * @param {Record<string, { status: number, meaning: string }>} registry
 * @returns {string}
 */
export function renderTable(registry) {
	const rows = Object.entries(registry).map(
		([code, { status, meaning }]) =>
			`| \`${code}\` | ${status} | ${meaning.replaceAll("|", "\\|")} |`,
	);
	return ["| Code | Status | Meaning |", "|---|---|---|", ...rows].join("\n");
}

/** Whether every entry is `{ status: number, meaning: string }`. */
function converted(registry) {
	const values = Object.values(registry);
	return (
		values.length > 0 &&
		values.every(
			(v) =>
				v !== null &&
				typeof v === "object" &&
				Number.isInteger(v.status) &&
				typeof v.meaning === "string" &&
				v.meaning.length > 0,
		)
	);
}

/** The built file of the `./errors` entry's ESM `import` condition, if the manifest has one. */
function errorsEntry(manifest) {
	let target = manifest.exports?.["./errors"];
	for (const key of ["import", "default"]) {
		if (target && typeof target === "object" && key in target) target = target[key];
	}
	if (target && typeof target === "object") target = target.default;
	return typeof target === "string" ? target : undefined;
}

/**
 * Checks or writes one package's table.
 * @returns {Promise<{ package: string, dir: string, status: "ok" | "written" | "differs" | "skipped", reason?: string }>}
 */
async function one(dir, check) {
	const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
	const result = (status, reason) => ({
		package: manifest.name,
		dir,
		status,
		...(reason ? { reason } : {}),
	});
	const readmeFile = join(dir, "README.md");
	const readme = existsSync(readmeFile) ? readFileSync(readmeFile, "utf8") : "";
	if (!readme.includes(START) || !readme.includes(END))
		return result("skipped", `README has no ${START} … ${END} markers`);
	const entry = errorsEntry(manifest);
	// a package with no ./errors entry throws no errors of its own: its table has no rows
	let registry = {};
	let source = "no ./errors entry (no rows)";
	if (entry) {
		const file = join(dir, entry);
		if (!existsSync(file))
			return result("skipped", `${entry} is not built (run the package's build)`);
		const mod = await import(pathToFileURL(file).href);
		const names = Object.keys(mod).filter((name) => name.endsWith("_ERROR_CODES"));
		if (names.length !== 1)
			return result(
				"skipped",
				`./errors exports ${names.length} …_ERROR_CODES registries, expected 1`,
			);
		registry = mod[names[0]];
		source = names[0];
		if (!converted(registry))
			return result("skipped", `${names[0]} is not a { status, meaning } registry yet`);
	}
	const next = readme.replace(MARKED, `${START}\n${renderTable(registry)}\n${END}`);
	if (next === readme) return result("ok");
	if (check)
		return result(
			"differs",
			`README table differs from ${source}: run node tooling/scripts/errors-table.mjs`,
		);
	writeFileSync(readmeFile, next);
	return result("written");
}

/**
 * Runs over `<root>/packages/*` (or the named package directories).
 * @param {{ root: string, check: boolean, only?: string[] }} options
 */
export async function errorTables({ root, check, only = [] }) {
	const base = join(root, "packages");
	const dirs = readdirSync(base, { withFileTypes: true })
		.filter((d) => d.isDirectory() && existsSync(join(base, d.name, "package.json")))
		.map((d) => d.name)
		.filter((name) => only.length === 0 || only.includes(name))
		.sort();
	const results = [];
	for (const name of dirs) results.push(await one(join(base, name), check));
	return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
	const args = process.argv.slice(2);
	const check = args.includes("--check");
	const json = args.includes("--json");
	const rootAt = args.indexOf("--root");
	const root = rootAt >= 0 ? resolve(args[rootAt + 1]) : resolve(import.meta.dirname, "../..");
	const only = args.filter((a, i) => !a.startsWith("--") && (rootAt < 0 || i !== rootAt + 1));
	const results = await errorTables({ root, check, only });
	if (json) console.log(JSON.stringify(results));
	else {
		for (const r of results) {
			const note = r.reason ? `: ${r.reason}` : "";
			console.log(`${r.status.padEnd(7)} ${r.package}${note}`);
		}
	}
	if (results.some((r) => r.status === "differs")) process.exitCode = 1;
}
