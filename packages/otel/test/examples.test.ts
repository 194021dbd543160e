// The README's quick start is examples/quick-start.mjs, verbatim, and it runs on the built
// package with the output the README shows.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const example = fileURLToPath(new URL("../examples/quick-start.mjs", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const OUTPUT = [
	"spans: xshl.store.pepper xshl.store.login xshl.store.rotate xshl.store.rotate",
	"xshl.refresh.outcomes rotated 1",
	"xshl.refresh.outcomes grace_replay 1",
	"store call histograms: 3 unit: s",
	"",
].join("\n");

describe("examples", () => {
	it("quick-start.mjs runs on the built package and prints what the README says", () => {
		const out = execFileSync(process.execPath, [example], {
			encoding: "utf8",
			env: { ...process.env, NODE_OPTIONS: "" },
		});
		expect(out).toBe(OUTPUT);
		expect(readme).toContain(`\`\`\`\n${OUTPUT}\`\`\``);
	});

	it("the README quotes quick-start.mjs verbatim", () => {
		expect(readme).toContain(`\`\`\`js\n${readFileSync(example, "utf8")}\`\`\``);
	});
});
