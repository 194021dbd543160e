// Each examples/*.mjs runs on the built package, as a user would run it.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("examples", () => {
	it("programmatic.mjs: jwks check and token inspect as functions", () => {
		const out = execFileSync(
			process.execPath,
			[fileURLToPath(new URL("../examples/programmatic.mjs", import.meta.url))],
			{ encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 60_000 },
		);
		expect(out).toBe(
			[
				"jwks ok: true kept: 2 ttl s: 600",
				"signed by the active key: true ok: true",
				"other client: sid false trace false ok: false",
				"",
			].join("\n"),
		);
	});
});
