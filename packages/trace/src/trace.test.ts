import { describe, expect, it } from "vitest";
import { Trace, type TraceError, TraceJtiInvalidError, uuidV5 } from "./index";

const JTI = "b5a1f6f4-3c1e-4d7e-9a8c-2f6d1e0c9b7a";
const DNS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (e) {
		return e;
	}
	throw new Error("expected the call to throw");
}

describe("Trace", () => {
	it("joins parts with ':' like Python str()", () => {
		expect(String(new Trace("ua", 42, 2n ** 64n, -7, ""))).toBe("ua:42:18446744073709551616:-7:");
		expect(String(new Trace())).toBe("");
	});

	it("keeps the parts frozen as given", () => {
		const trace = new Trace("a", 1);
		expect(trace.parts).toEqual(["a", 1]);
		expect(Object.isFrozen(trace.parts)).toBe(true);
	});

	it("returns the UTF-8 bytes of its text as a copy", () => {
		const trace = new Trace("Ж");
		const bytes = trace.bytes();
		expect([...bytes]).toEqual([0xd0, 0x96]);
		bytes[0] = 0;
		expect(trace.bytes()[0]).toBe(0xd0);
	});

	it("get() is deterministic and differs per jti and per trace", () => {
		const a = new Trace("ua", "salt");
		expect(a.get(JTI)).toBe(a.get(JTI));
		expect(a.get(JTI)).not.toBe(a.get("123e4567-e89b-12d3-a456-426614174000"));
		expect(a.get(JTI)).not.toBe(new Trace("ua", "salt2").get(JTI));
		expect(a.get(JTI)).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
		);
	});

	it("validate() is false, never a throw, for hostile claims and values", () => {
		const trace = new Trace("ua");
		const value = trace.get(JTI);
		expect(trace.validate({}, value)).toBe(false);
		expect(trace.validate({ jti: "nope" }, value)).toBe(false);
		expect(trace.validate({ jti: 5 }, value)).toBe(false);
		expect(trace.validate({ jti: JTI }, undefined)).toBe(false);
		expect(trace.validate({ jti: JTI }, value.toUpperCase())).toBe(false);
		expect(trace.validate({ jti: JTI }, `${value} `)).toBe(false);
		expect(trace.validate(null as never, value)).toBe(false);
	});

	it("the last-answer memo never answers for a missing, empty or different jti", () => {
		const fresh = new Trace("ua");
		expect(fresh.validate({}, "")).toBe(false);
		expect(fresh.validate({ jti: undefined }, "")).toBe(false);
		expect(fresh.validate({ jti: "" }, "")).toBe(false);
		const value = fresh.get(JTI);
		expect(fresh.get(JTI)).toBe(value);
		expect(fresh.validate({ jti: JTI }, value)).toBe(true);
		expect(() => fresh.get("")).toThrow(TraceJtiInvalidError);
		expect(fresh.validate({}, value)).toBe(false);
		expect(fresh.get(JTI.toUpperCase())).toBe(value);
		expect(fresh.get("123e4567-e89b-12d3-a456-426614174000")).not.toBe(value);
		expect(fresh.get(JTI)).toBe(value);
	});

	it("uuidV5 refuses a bad namespace and a bad name", () => {
		expect(thrown(() => uuidV5("nope", "x"))).toBeInstanceOf(TraceJtiInvalidError);
		const e = thrown(() => uuidV5(DNS, "\uD800"));
		expect((e as TraceError).code).toBe("ERR_TRACE_PART_UNSUPPORTED");
	});
});
