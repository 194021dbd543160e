import { describe, expect, it } from "vitest";
import { UnknownKidMemo } from "./kid-memo";

describe("UnknownKidMemo", () => {
	it("holds a kid until its cooldown ends, then forgets it", () => {
		const m = new UnknownKidMemo(10);
		m.remember("a", 1_000);
		expect(m.until("a", 999)).toBe(1_000);
		expect(m.size).toBe(1);
		expect(m.until("a", 1_000)).toBeUndefined();
		expect(m.size).toBe(0);
		expect(m.until("never-seen", 0)).toBeUndefined();
	});

	it("evicts the least recently used kid beyond its size; a hit refreshes a kid", () => {
		const m = new UnknownKidMemo(2);
		m.remember("a", 100);
		m.remember("b", 100);
		expect(m.until("a", 0)).toBe(100); // a is now the most recent
		m.remember("c", 100);
		expect(m.size).toBe(2);
		expect(m.until("b", 0)).toBeUndefined();
		expect(m.until("a", 0)).toBe(100);
		expect(m.until("c", 0)).toBe(100);
	});

	it("remembering a kid again replaces its time and does not grow the memo", () => {
		const m = new UnknownKidMemo(2);
		m.remember("a", 100);
		m.remember("a", 500);
		expect(m.size).toBe(1);
		expect(m.until("a", 200)).toBe(500);
	});

	it("a kid named __proto__ is just a string", () => {
		const m = new UnknownKidMemo(2);
		m.remember("__proto__", 100);
		expect(m.until("__proto__", 0)).toBe(100);
	});
});
