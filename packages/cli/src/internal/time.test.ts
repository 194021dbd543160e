import { describe, expect, it } from "vitest";
import { describeTime, relative } from "./time";

describe("relative times", () => {
	it.each([
		[0, "now"],
		[999, "now"],
		[-999, "now"],
		[1000, "in 1 second"],
		[-1000, "1 second ago"],
		[90_000, "in 90 seconds"],
		[120_000, "in 2 minutes"],
		[-30 * 60_000, "30 minutes ago"],
		[2 * 3_600_000, "in 2 hours"],
		[86_399_000, "in 24 hours"],
		[-3 * 86_400_000, "3 days ago"],
	])("%d ms → %s", (delta, phrase) => {
		expect(relative(delta)).toBe(phrase);
	});

	it("a NumericDate as an ISO instant (second precision) and a phrase", () => {
		expect(describeTime(1_800_000_000, 1_800_000_000_000 - 60_000)).toEqual({
			iso: "2027-01-15T08:00:00Z",
			relative: "in 60 seconds",
		});
	});
});
