import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("examples", () => {
	it("quick-start.mjs runs on the built package and prints what the README says", () => {
		const out = execFileSync(
			process.execPath,
			[fileURLToPath(new URL("../examples/quick-start.mjs", import.meta.url))],
			{ encoding: "utf8" },
		);
		expect(out).toBe(
			"verified sub: user-123 scope: read,write\nmerged scope: admin,read,write\nreplayed by another client: ERR_SESSION_SID_MISMATCH\n",
		);
	});
});

describe("README", () => {
	it("quotes the quick-start example verbatim; the error table is the registry, row for row", async () => {
		const { readFileSync } = await import("node:fs");
		const { SESSION_ERROR_CODES } = await import("../src/index");
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const example = readFileSync(new URL("../examples/quick-start.mjs", import.meta.url), "utf8");
		expect(readme).toContain(example);
		const table = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(readme)?.[1];
		const rows = Object.entries(SESSION_ERROR_CODES).map(
			([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`,
		);
		expect(table).toBe(["| Code | Status | Meaning |", "|---|---|---|", ...rows].join("\n"));
	});
});
