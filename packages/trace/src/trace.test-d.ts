import { expectTypeOf, test } from "vitest";
import { sessionId, Trace, type TraceErrorCode, type TraceErrors, type TracePart } from "./index";

test("Trace accepts only strings, numbers and bigints", () => {
	expectTypeOf(Trace).constructorParameters.toEqualTypeOf<TracePart[]>();
	// @ts-expect-error booleans are refused at compile time too
	new Trace(true);
	// @ts-expect-error objects are refused at compile time too
	new Trace({});
});

test("get, validate and sessionId return what they say", () => {
	const t = new Trace("a", 1, 2n);
	expectTypeOf(t.get("x")).toEqualTypeOf<string>();
	expectTypeOf(t.validate({ jti: "x" }, "v")).toEqualTypeOf<boolean>();
	expectTypeOf(sessionId("n", t)).toEqualTypeOf<string>();
	expectTypeOf(t.parts).toEqualTypeOf<readonly TracePart[]>();
});

test("the error union narrows on code", () => {
	expectTypeOf<TraceErrors["code"]>().toEqualTypeOf<TraceErrorCode>();
	expectTypeOf<TraceErrorCode>().toEqualTypeOf<
		"ERR_TRACE_PART_UNSUPPORTED" | "ERR_TRACE_JTI_INVALID" | "ERR_TRACE_NAME_EMPTY"
	>();
});

test("each subclass carries its literal code", () => {
	const e = {} as TraceErrors;
	if (e.code === "ERR_TRACE_PART_UNSUPPORTED") expectTypeOf(e.index).toEqualTypeOf<number>();
});
