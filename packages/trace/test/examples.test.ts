import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sessionId, Trace } from "../src/index";

describe("examples", () => {
	it("quick-start.mjs runs on the built package and prints what the README says", () => {
		const out = execFileSync(
			process.execPath,
			[fileURLToPath(new URL("../examples/quick-start.mjs", import.meta.url))],
			{ encoding: "utf8" },
		);
		const sid = sessionId(
			"session_name",
			new Trace("Mozilla/5.0 (X11; Linux x86_64)", "per-login-salt"),
		);
		expect(out).toBe(`same client: true\nother client: false\nsid: ${sid}\n`);
	});
});
