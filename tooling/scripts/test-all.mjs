#!/usr/bin/env node
// The one test command (`pnpm test`, also run by .ci/run): runs every turbo task that checks
// the repo (lint, build, typecheck, unit + integration tests, package checks, size budgets,
// consumer tests), then prints per-suite counts and, alone on the last line, the total:
// `N passed, M failed`. Test suites count their test cases (from vitest's JSON report); every
// other task counts as one check. Skipped (and todo) tests are shown per suite and in total,
// on the line before the last. Exits non-zero when anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const tasks = ["lint", "build", "typecheck", "test", "check:package", "size", "test:consumers"];
const extra = process.argv.slice(2);

// Stale reports must never count: remove them before the run (turbo restores them on cache hits).
for (const group of ["packages", "apps", "tooling"]) {
	const dir = join(root, group);
	if (!existsSync(dir)) continue;
	for (const name of readdirSync(dir)) {
		rmSync(join(dir, name, ".reports"), { recursive: true, force: true });
	}
}

const started = Date.now();
const turbo = spawnSync(
	"pnpm",
	[
		"exec",
		"turbo",
		"run",
		...tasks,
		"--continue",
		"--summarize",
		"--output-logs=new-only",
		...extra,
	],
	{ cwd: root, stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } },
);

const runsDir = join(root, ".turbo", "runs");
const summaries = existsSync(runsDir)
	? readdirSync(runsDir)
			.filter((f) => f.endsWith(".json"))
			.map((f) => join(runsDir, f))
			.filter((f) => statSync(f).mtimeMs >= started - 1000)
			.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
	: [];

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
if (summaries.length === 0) {
	lines.push("no turbo run summary was written: counting the whole run as one failure");
	failed += 1;
} else {
	const summary = JSON.parse(readFileSync(summaries[0], "utf8"));
	const seen = new Set();
	for (const task of summary.tasks) {
		seen.add(task.task);
		const exit = task.execution?.exitCode;
		const ok = exit === 0;
		const dir = join(root, task.directory ?? ".");
		const report = join(dir, ".reports", "vitest.json");
		if ((task.task === "test" || task.task === "test:consumers") && existsSync(report)) {
			const r = JSON.parse(readFileSync(report, "utf8"));
			const p = r.numPassedTests ?? 0;
			let f = r.numFailedTests ?? 0;
			const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
			if (!ok && f === 0) f = 1; // the task failed outside any test case
			passed += p;
			failed += f;
			skipped += s;
			lines.push(`${task.taskId}: ${p} passed, ${f} failed${s > 0 ? `, ${s} skipped` : ""}`);
		} else if (exit === undefined || exit === null) {
			failed += 1;
			lines.push(`${task.taskId}: did not run (a dependency failed)`);
		} else {
			if (ok) passed += 1;
			else failed += 1;
			lines.push(`${task.taskId}: ${ok ? "passed" : `FAILED (exit ${exit})`}`);
		}
	}
	for (const t of tasks) {
		if (!seen.has(t) && !(t === "lint" && seen.has("//#lint"))) {
			lines.push(`${t}: no package defines it`);
		}
	}
}

console.log("\n── xshl test summary ──");
for (const line of lines) console.log(line);
if (turbo.status !== 0 && failed === 0) failed = 1;
// skipped and todo tests count neither way; said here so that none goes unnoticed
console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || turbo.status !== 0 ? 1 : 0);
