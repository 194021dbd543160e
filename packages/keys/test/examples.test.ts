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
			[
				"verified: user-123",
				"after rotate: user-123",
				"old token still valid during the grace: user-123",
				"unknown kid: ERR_KEYS_NO_MATCHING_KEY",
				"fetches: 1",
				"",
			].join("\n"),
		);
	});
});
