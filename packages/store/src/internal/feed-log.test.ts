import { describe, expect, it } from "vitest";
import { MemoryFeedLog } from "./feed-log";

describe("MemoryFeedLog", () => {
	it("seq starts at the creation time, increases by at least one per write and never goes back", () => {
		const log = new MemoryFeedLog(1_000);
		expect([log.baseSeq, log.seq]).toEqual([1_000, 1_000]);
		log.addSid("a", 100, 900); // clock behind: +1
		expect(log.seq).toBe(1_001);
		log.addJti("j", 100, 5_000); // clock ahead: jumps to it
		expect(log.seq).toBe(5_000);
	});

	it("a delta holds only the entries written after the cursor; expired entries are dropped", () => {
		const log = new MemoryFeedLog(1_000);
		log.addSid("a", 100, 1_000);
		const cursor = log.seq;
		log.addSid("b", 200, 1_000);
		log.addUser("tag", 42_000, 150, "kept", 1_000);
		log.addUser("tag2", 43_000, 150, undefined, 1_000);
		expect(log.body(50, cursor)).toEqual({
			sids: { b: 200 },
			jtis: {},
			users: { tag: [42_000, 150, "kept"], tag2: [43_000, 150] },
		});
		expect(log.body(50)).toEqual({
			sids: { a: 100, b: 200 },
			jtis: {},
			users: { tag: [42_000, 150, "kept"], tag2: [43_000, 150] },
		});
		expect(log.size).toBe(4);
		expect(log.body(150)).toEqual({ sids: { b: 200 }, jtis: {}, users: {} });
		expect(log.size).toBe(1);
	});
});
