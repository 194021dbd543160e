import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI_ERROR_CODES } from "../src/errors";

describe("README", () => {
	it("the error table between the markers is the registry, row for row", () => {
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const table = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(readme)?.[1];
		const rows = Object.entries(CLI_ERROR_CODES).map(
			([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`,
		);
		expect(table).toBe(["| Code | Status | Meaning |", "|---|---|---|", ...rows].join("\n"));
	});

	it("quotes examples/programmatic.mjs verbatim", () => {
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const example = readFileSync(new URL("../examples/programmatic.mjs", import.meta.url), "utf8");
		expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
	});
});
