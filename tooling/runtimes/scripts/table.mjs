#!/usr/bin/env node
// Prints the runtime table (Markdown) from the matrix's last test report
// (`.reports/vitest.json`, written by `pnpm --filter @xshl/runtimes test`); with `--write` it
// also replaces the table between `<!-- runtimes:start -->` and `<!-- runtimes:end -->` in
// this package's README and the root README. Exits 1 when the report is missing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dir = resolve(import.meta.dirname, "..");
const root = resolve(dir, "../..");
const reportFile = join(dir, ".reports", "vitest.json");
if (!existsSync(reportFile)) {
	console.error(`no report at ${reportFile}: run \`pnpm --filter @xshl/runtimes test\` first`);
	process.exit(1);
}
const report = JSON.parse(readFileSync(reportFile, "utf8"));
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const dev = manifest.devDependencies;
const vectors = JSON.parse(
	readFileSync(join(root, "packages", "trace", "test", "vectors", "python-uuid5.json"), "utf8"),
);

// the versions that ran (written by the test), else the pinned ones
const versionsFile = join(dir, ".reports", "runtimes.json");
const ran = existsSync(versionsFile) ? JSON.parse(readFileSync(versionsFile, "utf8")) : {};
const runtimes = [
	["Node", `Node ${ran.Node ?? process.versions.node}`],
	["Bun", `Bun ${ran.Bun ?? dev.bun}`],
	["Deno", `Deno ${ran.Deno ?? dev.deno}`],
	["workerd", `workerd ${ran.workerd ?? dev.workerd}`],
	["edge-runtime", `edge-runtime ${ran["edge-runtime"] ?? dev["edge-runtime"]}`],
];
const packages = [
	[
		"trace",
		"`@xshl/trace`",
		`uuid5, trace and sid equal Python's ${vectors.uuid5.length + vectors.trace.length + vectors.sid.length} vectors`,
	],
	[
		"keys",
		"`@xshl/keys`",
		"`KeyRing` issues and verifies; `RemoteKeySet` fetches a JWKS over HTTP, three concurrent cold requests",
	],
	["session-core", "`@xshl/session-core`", "issue, verify, merge; a replayed token refused"],
	["jwe", "`@xshl/jwe`", "seal and open (ECDH-ES+A256KW, A256GCM); a tampered token refused"],
	[
		"store",
		"`@xshl/session-store`",
		"`MemoryStore` login, rotation, grace replay, reuse detection",
	],
];

/** runtime → package → "pass" | "fail" | "known: <bug>" */
const cells = new Map();
// the matrix's cells only (test/matrix.test.ts); the package's other tests are not cells
for (const file of (report.testResults ?? []).filter((f) => f.name.endsWith("matrix.test.ts"))) {
	for (const t of file.assertionResults ?? []) {
		const [runtime] = t.ancestorTitles ?? [];
		if (!runtime) continue;
		const known = /^(\S+) \(known bug: (.*)\)$/.exec(t.title);
		const pkg = known ? known[1] : t.title;
		const state = t.status !== "passed" ? "fail" : known ? `known: ${known[2]}` : "pass";
		if (!cells.has(runtime)) cells.set(runtime, new Map());
		cells.get(runtime).set(pkg, state);
	}
}

function mark(state) {
	if (state === undefined) return "–";
	if (state === "pass") return "✅";
	if (state === "fail") return "❌";
	return `⚠️ ${state.slice("known: ".length)}`;
}

const lines = [
	`| Package | Round trip | ${runtimes.map(([, label]) => label).join(" | ")} |`,
	`|---|---|${runtimes.map(() => "---").join("|")}|`,
	...packages.map(
		([pkg, label, what]) =>
			`| ${label} | ${what} | ${runtimes.map(([r]) => mark(cells.get(r)?.get(pkg))).join(" | ")} |`,
	),
];
const passed = [...cells.values()]
	.flatMap((m) => [...m.values()])
	.filter((s) => s === "pass").length;
const total = [...cells.values()].reduce((n, m) => n + m.size, 0);
const table = [
	...lines,
	"",
	`✅ passes, ❌ fails, ⚠️ fails for a known package bug (named), – not run. ${passed} of ${total} cells pass (from the last \`pnpm test\` report of \`tooling/runtimes\`).`,
].join("\n");

console.log(table);

if (process.argv.includes("--write")) {
	for (const readme of [join(dir, "README.md"), join(root, "README.md")]) {
		const text = readFileSync(readme, "utf8");
		const next = text.replace(
			/<!-- runtimes:start -->[\s\S]*?<!-- runtimes:end -->/,
			`<!-- runtimes:start -->\n${table}\n<!-- runtimes:end -->`,
		);
		if (next === text && !text.includes("<!-- runtimes:start -->")) {
			console.error(`${readme}: no <!-- runtimes:start --> marker`);
			process.exitCode = 1;
		} else if (next !== text) {
			writeFileSync(readme, next);
			console.error(`wrote ${readme}`);
		}
	}
}
