// SECURITY-CATALOG rows TRC-01 to TRC-06 (trace values and session ids), one describe per row id.
import { describe, expect, it } from "vitest";
import {
	NAMESPACE_OID,
	sessionId,
	Trace,
	TraceError,
	TraceJtiInvalidError,
	TraceNameEmptyError,
	TracePartUnsupportedError,
	uuidV5,
} from "../src/index";

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

describe("TRC-01", () => {
	it("matches RFC 9562 / Python known uuid5 values", () => {
		expect(uuidV5(DNS, "python.org")).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
		expect(uuidV5(DNS, "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
		expect(uuidV5(DNS, new TextEncoder().encode("python.org"))).toBe(
			"886313e1-3b8a-5372-9b90-0c9aee199e5d",
		);
	});
});

describe("TRC-02", () => {
	it("validate() accepts the issuing trace and rejects another client's", () => {
		const issued = new Trace("Mozilla/5.0", "salt", "203.0.113.7");
		const value = issued.get(JTI);
		expect(issued.validate({ jti: JTI }, value)).toBe(true);
		expect(new Trace("curl/8.0", "salt", "203.0.113.7").validate({ jti: JTI }, value)).toBe(false);
		expect(new Trace("Mozilla/5.0", "other", "203.0.113.7").validate({ jti: JTI }, value)).toBe(
			false,
		);
		expect(new Trace("Mozilla/5.0", "salt", "198.51.100.1").validate({ jti: JTI }, value)).toBe(
			false,
		);
	});
});

describe("TRC-03: parts whose text would differ between Python and JS", () => {
	const bad: [string, unknown][] = [
		["1.5", 1.5],
		["true", true],
		["false", false],
		["null", null],
		["undefined", undefined],
		["{}", {}],
		["[]", []],
		["NaN", Number.NaN],
		["Infinity", Number.POSITIVE_INFINITY],
		["2^53 as a number", 2 ** 53],
		["-(2^53) as a number", -(2 ** 53)],
		["a symbol", Symbol("x")],
		["a function", () => 1],
		["a Date", new Date(0)],
		["a lone high surrogate", "a\uD800b"],
		["a lone low surrogate", "\uDC00"],
	];
	it.each(bad)("refuses %s with its index", (_label, part) => {
		const e = thrown(() => new Trace("ok", 1, part as never));
		expect(e).toBeInstanceOf(TracePartUnsupportedError);
		expect(e).toBeInstanceOf(TraceError);
		expect((e as TracePartUnsupportedError).code).toBe("ERR_TRACE_PART_UNSUPPORTED");
		expect((e as TracePartUnsupportedError).index).toBe(2);
		expect((e as Error).name).toBe("TracePartUnsupportedError");
		expect((e as Error).message).toContain("trace part 2");
	});

	it("accepts the valid control parts next to them", () => {
		expect(String(new Trace("ok", 1, 2 ** 53 - 1, 2n ** 53n, "😀"))).toBe(
			"ok:1:9007199254740991:9007199254740992:😀",
		);
	});
});

describe("TRC-04", () => {
	it("':' inside parts is ambiguous, pinned for Python parity", () => {
		const left = new Trace("a:b", "c");
		const right = new Trace("a", "b:c");
		expect(String(left)).toBe(String(right));
		expect(left.get(JTI)).toBe(right.get(JTI));
		expect(left.get(JTI)).toBe(new Trace("a:b:c").get(JTI));
		// a user agent carrying `rv:109.0` shifts into the next part the same way
		const ua = "Mozilla/5.0 (X11; rv:109.0) Gecko/20100101";
		expect(new Trace(ua, "salt").get(JTI)).toBe(
			new Trace("Mozilla/5.0 (X11; rv", "109.0) Gecko/20100101", "salt").get(JTI),
		);
	});
});

describe("TRC-05: jti forms", () => {
	const canonical = new Trace("ua").get(JTI);
	it.each([
		["uppercase", JTI.toUpperCase()],
		["braces", `{${JTI}}`],
		["urn:uuid:", `urn:uuid:${JTI}`],
		["urn:uuid: with braces", `urn:uuid:{${JTI}}`],
		["no hyphens", JTI.replaceAll("-", "")],
	])("normalizes the %s form like Python uuid.UUID()", (_label, jti) => {
		expect(new Trace("ua").get(jti)).toBe(canonical);
	});

	it.each([
		["not a UUID", "not-a-uuid"],
		["empty", ""],
		["too short", JTI.slice(0, -1)],
		["too long", `${JTI}0`],
		["non-hex digit", `${JTI.slice(0, -1)}g`],
		["unbalanced brace", `{${JTI}`],
		["surrounding whitespace", ` ${JTI} `],
		["misplaced hyphens", "b5a1f6f43-c1e-4d7e-9a8c-2f6d1e0c9b7a"],
		["mixed hyphenation", "b5a1f6f4-3c1e4d7e-9a8c-2f6d1e0c9b7a"],
		["uppercase URN prefix", `URN:UUID:${JTI}`],
		["underscores", "b5a1f6f4_3c1e_4d7e_9a8c_2f6d1e0c9b7a"],
	])("refuses %s with ERR_TRACE_JTI_INVALID", (_label, jti) => {
		const e = thrown(() => new Trace("ua").get(jti));
		expect(e).toBeInstanceOf(TraceJtiInvalidError);
		expect((e as TraceJtiInvalidError).code).toBe("ERR_TRACE_JTI_INVALID");
	});

	it("refuses a non-string jti and never echoes the value", () => {
		const e = thrown(() => new Trace("ua").get({ secret: "s3cr3t" } as never));
		expect(e).toBeInstanceOf(TraceJtiInvalidError);
		expect((e as Error).message).not.toContain("s3cr3t");
		const e2 = thrown(() => new Trace("ua").get("s3cr3t-token"));
		expect((e2 as Error).message).not.toContain("s3cr3t");
	});
});

describe("TRC-06: sessionId", () => {
	it("is UUIDv5(UUIDv5(NAMESPACE_OID, name), String(trace))", () => {
		const trace = new Trace("Mozilla/5.0", "salt");
		expect(NAMESPACE_OID).toBe("6ba7b812-9dad-11d1-80b4-00c04fd430c8");
		const expected = uuidV5(uuidV5(NAMESPACE_OID, "session_name"), "Mozilla/5.0:salt");
		expect(sessionId("session_name", trace)).toBe(expected);
		expect(sessionId("session_name", "Mozilla/5.0:salt")).toBe(expected);
	});

	it("changes when the name or the trace changes", () => {
		const trace = new Trace("ua", "salt");
		const sid = sessionId("a", trace);
		expect(sessionId("b", trace)).not.toBe(sid);
		expect(sessionId("a", new Trace("ua", "salt2"))).not.toBe(sid);
		expect(sessionId("a", new Trace("ua", "salt"))).toBe(sid);
	});

	it.each([
		["empty", ""],
		["undefined", undefined],
		["a number", 5],
	])("refuses a %s name with ERR_TRACE_NAME_EMPTY", (_label, name) => {
		const e = thrown(() => sessionId(name as never, new Trace("ua")));
		expect(e).toBeInstanceOf(TraceNameEmptyError);
		expect((e as TraceNameEmptyError).code).toBe("ERR_TRACE_NAME_EMPTY");
	});

	it("refuses a trace text with a lone surrogate", () => {
		const e = thrown(() => sessionId("n", "\uD800"));
		expect((e as TraceError).code).toBe("ERR_TRACE_PART_UNSUPPORTED");
	});
});
