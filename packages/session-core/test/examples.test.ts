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
