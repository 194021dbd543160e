// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import * as trace from "@xshl/trace";
import * as traceErrors from "@xshl/trace/errors";
import tracePkg from "@xshl/trace/package.json" with { type: "json" };

const jti = "b5a1f6f4-3c1e-4d7e-9a8c-2f6d1e0c9b7a";
const t = new trace.Trace("ua", "salt");
assert.equal(t.validate({ jti }, t.get(jti)), true);
assert.equal(
	trace.uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
	"886313e1-3b8a-5372-9b90-0c9aee199e5d",
);
assert.equal(trace.TraceError, traceErrors.TraceError);
assert.throws(() => new trace.Trace(1.5), { code: "ERR_TRACE_PART_UNSUPPORTED" });
assert.equal(tracePkg.name, "@xshl/trace");

console.log("ok");
