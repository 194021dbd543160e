import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JWE_ERROR_CODES } from "../src/index";

function run(name: string): string {
	return execFileSync(
		process.execPath,
		[fileURLToPath(new URL(`../examples/${name}`, import.meta.url))],
		{
			encoding: "utf8",
		},
	);
}

describe("examples (run on the built package)", () => {
	it("quick-start.mjs prints what the README says", () => {
		expect(run("quick-start.mjs")).toBe(
			"parts: 5\njson: { hello: 'world' }\nRSA1_5: ERR_JWE_ALG_NOT_ALLOWED\n",
		);
	});

	it("nested.mjs prints what the README says", () => {
		expect(run("nested.mjs")).toBe("cty: JWT\nsub: user-123\n");
	});
});

describe("README", () => {
	const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

	it("quotes examples/quick-start.mjs verbatim (after its first comment line)", () => {
		const source = readFileSync(
			fileURLToPath(new URL("../examples/quick-start.mjs", import.meta.url)),
			"utf8",
		);
		expect(readme).toContain(source.split("\n").slice(1).join("\n").trim());
	});

	it("the error table between the markers is the registry, row for row", () => {
		const table = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(readme)?.[1];
		const rows = Object.entries(JWE_ERROR_CODES).map(
			([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`,
		);
		expect(table).toBe(["| Code | Status | Meaning |", "|---|---|---|", ...rows].join("\n"));
	});
});
