import { describe, expect, it } from "vitest";
import { mark, style } from "./style";

describe("styles", () => {
	it("no escape codes when colour is off", () => {
		const s = style(false);
		expect(s.red("x") + s.bold("y") + mark(s, true, "ok") + mark(s, false, "bad")).toBe(
			"xy✓ ok✗ bad",
		);
	});

	it("ANSI codes when colour is on", () => {
		const s = style(true);
		expect(mark(s, true, "ok")).toBe("\u001b[32m✓ ok\u001b[39m");
		expect(mark(s, false, "bad")).toBe("\u001b[31m✗ bad\u001b[39m");
		expect(s.bold("b")).toBe("\u001b[1mb\u001b[22m");
	});
});
