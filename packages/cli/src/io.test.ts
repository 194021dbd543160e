import { afterEach, describe, expect, it, vi } from "vitest";
import { nodeIO } from "./io";

const wasTTY = process.stdout.isTTY;
afterEach(() => {
	vi.unstubAllEnvs();
	Object.defineProperty(process.stdout, "isTTY", { value: wasTTY, configurable: true });
});

describe("nodeIO colour", () => {
	it("on for a terminal without NO_COLOR (or with an empty one)", () => {
		Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
		vi.stubEnv("NO_COLOR", undefined);
		expect(nodeIO().color).toBe(true);
		vi.stubEnv("NO_COLOR", "");
		expect(nodeIO().color).toBe(true);
	});

	it("off with NO_COLOR set, and off when stdout is not a terminal", () => {
		Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
		vi.stubEnv("NO_COLOR", "1");
		expect(nodeIO().color).toBe(false);
		vi.stubEnv("NO_COLOR", undefined);
		Object.defineProperty(process.stdout, "isTTY", { value: undefined, configurable: true });
		expect(nodeIO().color).toBe(false);
	});
});
