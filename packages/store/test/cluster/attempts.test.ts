// The attempt wrapper on a real Redis (REDIS_URL, DB 1, own keys deleted): a second run of the
// same attempt returns the first reply and changes nothing; a run after its deadline changes
// nothing and answers XSHLLATE with Redis' clock.
import { afterAll, describe, expect, it } from "vitest";
import { attemptKey, deadlined, idempotent, LATE_REPLY } from "../../src/internal/attempts";
import { connect, deletePrefix, randomPrefix, shouldSkipRedis } from "../redis-helpers";

const skip = await shouldSkipRedis();
const BODY = `
local n = redis.call('INCR', KEYS[1])
if ARGV[1] == 'early' then return { 'early', n } end
return { 'counted', n, ARGV[1] }
`;

describe.skipIf(skip)("attempt-idempotent scripts (real Redis)", () => {
	const client = connect(1);
	const prefix = randomPrefix("attempt");
	const counter = `${prefix}:{u:t}:n`;
	afterAll(async () => {
		await deletePrefix(client, prefix);
		client.disconnect();
	});

	it("the attempt key sits in the first key's hash tag; none without a tag", () => {
		expect(attemptKey(`${prefix}:{u:abc}:f:fid`, "id1")).toBe(`${prefix}:{u:abc}:a:id1`);
		expect(attemptKey(`${prefix}:pepper`, "id1")).toBeUndefined();
	});

	it("a repeated attempt returns the first reply and writes nothing; a new attempt runs", async () => {
		const lua = idempotent(BODY);
		const a1 = attemptKey(counter, "one") as string;
		expect(await client.eval(lua, 2, counter, a1, "x", 0, 5000)).toEqual(["counted", 1, "x"]);
		expect(await client.eval(lua, 2, counter, a1, "x", 0, 5000)).toEqual(["counted", 1, "x"]);
		expect(await client.eval(lua, 2, counter, a1, "early", 0, 5000)).toEqual(["counted", 1, "x"]);
		expect(await client.get(counter)).toBe("1");
		const ttl = await client.pttl(a1);
		expect(ttl).toBeGreaterThan(4000);
		expect(ttl).toBeLessThanOrEqual(5000);
		const a2 = attemptKey(counter, "two") as string;
		expect(await client.eval(lua, 2, counter, a2, "early", 0, 5000)).toEqual(["early", 2]);
		expect(await client.get(counter)).toBe("2");
	});

	it("a deadline-only script (revocations) runs every time before its deadline, never after, and keeps no record", async () => {
		const lua = deadlined(BODY);
		const key = `${prefix}:{u:d}:n`;
		expect(await client.eval(lua, 1, key, "x", 0)).toEqual(["counted", 1, "x"]);
		expect(await client.eval(lua, 1, key, "x", 0)).toEqual(["counted", 2, "x"]);
		const [s = 0, us = 0] = (await client.time()).map(Number);
		const redisNow = s * 1000 + Math.floor(us / 1000);
		expect(await client.eval(lua, 1, key, "x", redisNow + 60_000)).toEqual(["counted", 3, "x"]);
		const late = await client
			.eval(lua, 1, key, "x", redisNow - 1)
			.catch((e: unknown) => e as Error);
		expect((late as Error).message.startsWith(`${LATE_REPLY} `)).toBe(true);
		expect(await client.get(key)).toBe("3");
		expect((await client.keys(`${prefix}:{u:d}:*`)).sort()).toEqual([key]);
	});

	it("an attempt after its deadline (Redis TIME) changes nothing and says when it arrived", async () => {
		const lua = idempotent(BODY);
		const [s = 0, us = 0] = (await client.time()).map(Number);
		const redisNow = s * 1000 + Math.floor(us / 1000);
		const late = attemptKey(counter, "late") as string;
		const error = await client
			.eval(lua, 2, counter, late, "x", redisNow - 1, 5000)
			.catch((e: unknown) => e as Error);
		expect(error).toBeInstanceOf(Error);
		const parts = (error as Error).message.split(" ");
		expect(parts[0]).toBe(LATE_REPLY);
		expect(Number(parts[1])).toBeGreaterThanOrEqual(redisNow);
		expect(Number(parts[1])).toBeLessThan(redisNow + 5000);
		expect(await client.get(counter)).toBe("2");
		expect(await client.exists(late)).toBe(0);
		// the same attempt with a deadline still ahead runs once
		const ok = attemptKey(counter, "ok") as string;
		expect(await client.eval(lua, 2, counter, ok, "y", redisNow + 60_000, 5000)).toEqual([
			"counted",
			3,
			"y",
		]);
	});
});
