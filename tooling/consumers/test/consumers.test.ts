import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// One ESM (`<package>.mjs`) and one CommonJS (`<package>.cjs`) file per package in src/:
// each imports every public entry of that package from its built output and makes one real
// call, printing `ok` when every assertion held.
const dir = new URL("../src/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".mjs") || f.endsWith(".cjs"));

function run(file: string): string {
	return execFileSync(process.execPath, [fileURLToPath(new URL(file, dir))], {
		encoding: "utf8",
		// no custom conditions: Node resolves `import`/`require` to dist, as for a user
		env: { ...process.env, NODE_OPTIONS: "" },
		timeout: 60_000,
	});
}

describe("consumers", () => {
	it("covers every package as ESM and as CommonJS", () => {
		const stems = new Set(files.map((f) => f.replace(/\.(mjs|cjs)$/, "")));
		for (const stem of stems) {
			expect(files).toContain(`${stem}.mjs`);
			expect(files).toContain(`${stem}.cjs`);
		}
		expect(stems.has("trace")).toBe(true);
	});

	it.each(files)("%s imports every entry from dist and makes a real call", (file) => {
		expect(run(file).trim().split("\n").at(-1)).toBe("ok");
	});
});
