import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

function run(file: string): string {
	return execFileSync(
		process.execPath,
		[fileURLToPath(new URL(`../src/${file}`, import.meta.url))],
		{
			encoding: "utf8",
			// no custom conditions: Node resolves `import`/`require` to dist, as for a user
			env: { ...process.env, NODE_OPTIONS: "" },
		},
	);
}

describe("consumers", () => {
	it("imports every entry as ESM from dist", () => {
		expect(run("esm.mjs")).toBe("esm ok\n");
	});

	it("requires every entry as CommonJS from dist (require(esm) for ESM-only deps)", () => {
		expect(run("cjs.cjs")).toBe("cjs ok\n");
	});
});
