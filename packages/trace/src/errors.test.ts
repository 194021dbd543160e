import { describe, expect, it } from "vitest";
import {
	TRACE_ERROR_CODES,
	TraceError,
	TraceJtiInvalidError,
	TraceNameEmptyError,
	TracePartUnsupportedError,
} from "./errors";

describe("errors", () => {
	it("one class per registry code; code, status and name come from the class and registry", () => {
		const cause = new Error("inner");
		const all: TraceError[] = [
			new TracePartUnsupportedError(3, "m"),
			new TraceJtiInvalidError("m", { cause }),
			new TraceNameEmptyError("m"),
		];
		expect(all.map((e) => [e.name, e.code, e.status])).toEqual([
			["TracePartUnsupportedError", "ERR_TRACE_PART_UNSUPPORTED", 500],
			["TraceJtiInvalidError", "ERR_TRACE_JTI_INVALID", 400],
			["TraceNameEmptyError", "ERR_TRACE_NAME_EMPTY", 500],
		]);
		expect(all.map((e) => e.code).sort()).toEqual(Object.keys(TRACE_ERROR_CODES).sort());
		for (const e of all) {
			expect(e).toBeInstanceOf(TraceError);
			expect(e.code).toBe((e.constructor as typeof TraceError).code);
			expect(e.message).toBe("m");
		}
		expect(all[1]?.cause).toBe(cause);
		expect("cause" in (all[0] as Error)).toBe(false);
		expect((all[0] as TracePartUnsupportedError).index).toBe(3);
	});

	it("every registry entry has an HTTP status and a one-sentence meaning", () => {
		for (const entry of Object.values(TRACE_ERROR_CODES)) {
			expect([400, 500]).toContain(entry.status);
			expect(entry.meaning).toMatch(/^[A-Z].{20,}\.$/);
		}
	});
});
