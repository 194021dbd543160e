import { describe, expect, it } from "vitest";
import { cacheDirectives, freshnessMs, refreshAt } from "./freshness";

const limits = { ttlMs: 600_000, minTtlMs: 60_000, maxTtlMs: 86_400_000 };
const NOW = Date.parse("2026-01-01T00:00:00Z");
const h = (init: Record<string, string>) => new Headers(init);

describe("cacheDirectives", () => {
	it("lower-cases names, trims, unquotes values, keeps valueless directives", () => {
		expect([...cacheDirectives('Public, MAX-AGE="300" , no-transform')]).toEqual([
			["public", ""],
			["max-age", "300"],
			["no-transform", ""],
		]);
		expect(cacheDirectives("").size).toBe(0);
	});
});

describe("freshnessMs", () => {
	it("max-age minus Age, in ms", () => {
		expect(freshnessMs(h({ "cache-control": "max-age=300" }), NOW, limits)).toBe(300_000);
		expect(freshnessMs(h({ "cache-control": "max-age=300", age: "100" }), NOW, limits)).toBe(
			200_000,
		);
		// a negative or junk Age counts as 0
		expect(freshnessMs(h({ "cache-control": "max-age=300", age: "-5" }), NOW, limits)).toBe(
			300_000,
		);
	});

	it("no-store and no-cache mean minTtlMs, whatever max-age says", () => {
		expect(freshnessMs(h({ "cache-control": "no-store, max-age=900" }), NOW, limits)).toBe(60_000);
		expect(freshnessMs(h({ "cache-control": "no-cache" }), NOW, limits)).toBe(60_000);
	});

	it("Expires minus Date (or now) when there is no usable max-age", () => {
		const expires = new Date(NOW + 7_200_000).toUTCString();
		expect(freshnessMs(h({ expires }), NOW, limits)).toBe(7_200_000);
		const date = new Date(NOW - 3_600_000).toUTCString();
		expect(freshnessMs(h({ expires, date }), NOW, limits)).toBe(10_800_000);
		expect(freshnessMs(h({ "cache-control": "max-age=abc", expires }), NOW, limits)).toBe(
			7_200_000,
		);
		// an unparseable Expires is already stale: the lower clamp applies
		expect(freshnessMs(h({ expires: "never" }), NOW, limits)).toBe(60_000);
	});

	it("falls back to ttlMs and clamps to [minTtlMs, maxTtlMs]", () => {
		expect(freshnessMs(h({}), NOW, limits)).toBe(600_000);
		expect(freshnessMs(h({ "cache-control": "max-age=1" }), NOW, limits)).toBe(60_000);
		expect(freshnessMs(h({ "cache-control": "max-age=999999999" }), NOW, limits)).toBe(86_400_000);
		expect(freshnessMs(h({}), NOW, { ...limits, ttlMs: 5 })).toBe(60_000);
	});
});

describe("refreshAt", () => {
	it("is 80 % of the freshness, jittered by ±10 % of it", () => {
		expect(refreshAt(1_000, 100_000, () => 0.5)).toBe(81_000);
		expect(refreshAt(1_000, 100_000, () => 0)).toBe(71_000);
		expect(refreshAt(1_000, 100_000, () => 0.999_999)).toBe(91_000);
	});
});
