import { describe, expect, it, vi } from "vitest";

describe("examples/quick-start.ts (the README's quick start)", () => {
	it("logs in and calls the API", async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		await import("../examples/quick-start");
		expect(log).toHaveBeenCalledWith(200, 200, { orders: [], for: "ada" });
	});
});
