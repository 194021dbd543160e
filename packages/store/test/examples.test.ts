import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { shouldSkipRedis } from "./redis-helpers";

function run(name: string): string {
	return execFileSync(
		process.execPath,
		[fileURLToPath(new URL(`../examples/${name}`, import.meta.url))],
		{
			encoding: "utf8",
			env: { ...process.env },
		},
	);
}

const skipRedis = await shouldSkipRedis();

describe("examples (run on the built package)", () => {
	it("quick-start.mjs prints what the README says", () => {
		expect(run("quick-start.mjs")).toBe(
			[
				"login generation: 0",
				"rotated to generation: 1",
				"grace replay, same successor: true",
				"reuse: ERR_STORE_REFRESH_REUSED",
				"family: ERR_STORE_SESSION_REVOKED",
				"access token revoked: true sid",
				"events: login refresh refresh.reuse_detected revoke",
				"",
			].join("\n"),
		);
	});

	it.skipIf(skipRedis)("redis.mjs: two instances share one Redis (DB 3)", () => {
		expect(run("redis.mjs")).toBe(
			[
				"rotated on the other instance: 1",
				"sessions: 1 203.0.113.0/24",
				"logout everywhere revoked: 1",
				"old token: ERR_STORE_SESSION_REVOKED",
				"",
			].join("\n"),
		);
	});
});

describe("README", () => {
	it("quotes the tested quick start", async () => {
		const { readFileSync } = await import("node:fs");
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const example = readFileSync(new URL("../examples/quick-start.mjs", import.meta.url), "utf8");
		expect(readme.includes(example.split("\n").slice(1).join("\n").trim())).toBe(true);
	});

	it("has CONTRIBUTING's sections in CONTRIBUTING's order", async () => {
		const { readFileSync } = await import("node:fs");
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
		expect(sections).toEqual([
			"Install",
			"Quick start",
			"API",
			"Errors",
			"Security defaults and how to loosen each",
			"Differences from the Python original",
			"Runtimes",
			"Benchmarks",
			"Tests",
			"License",
		]);
	});

	it("has the error table of the registry between the markers, row for row", async () => {
		const { readFileSync } = await import("node:fs");
		const { STORE_ERROR_CODES } = await import("../src/errors");
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const table = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(readme)?.[1];
		const rows = Object.entries(STORE_ERROR_CODES).map(
			([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`,
		);
		expect(table).toBe(["| Code | Status | Meaning |", "|---|---|---|", ...rows].join("\n"));
	});
});
