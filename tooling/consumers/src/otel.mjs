// Every public entry of @xshl/otel, imported as ESM from the built output, with one real call:
// a MemoryStore instrumented through minimal hand-written providers.
import assert from "node:assert/strict";
import * as otel from "@xshl/otel";
import * as otelErrors from "@xshl/otel/errors";
import otelPkg from "@xshl/otel/package.json" with { type: "json" };
import { MemoryStore } from "@xshl/session-store";

/** @type {string[]} */
const spans = [];
/** @type {string[]} */
const added = [];
const span = { setAttribute() {}, setStatus() {}, end() {} };
const tracerProvider = {
	getTracer: () => ({
		startSpan: (/** @type {string} */ name) => {
			spans.push(name);
			return span;
		},
	}),
};
const meterProvider = {
	getMeter: () => ({
		createHistogram: () => ({ record() {} }),
		createCounter: (/** @type {string} */ name) => ({
			add: (/** @type {number} */ _v, /** @type {Record<string, unknown>} */ a) =>
				added.push(`${name}:${String(a?.["xshl.refresh.outcome"])}`),
		}),
	}),
};
const store = new MemoryStore();
const detach = otel.instrument({ store }, /** @type {never} */ ({ tracerProvider, meterProvider }));
const login = await store.login({ sub: "u1", trace: "t" });
await store.rotate(login.refreshToken, { trace: "t" });
detach();
await store.rotate(login.refreshToken, { trace: "t" });
assert.deepEqual(spans, ["xshl.store.pepper", "xshl.store.login", "xshl.store.rotate"]);
assert.deepEqual(added, ["xshl.refresh.outcomes:rotated"]);
assert.throws(() => otel.instrument(/** @type {never} */ ({ store: {} })), {
	code: "ERR_OTEL_CONFIG_INVALID",
});
assert.equal(otel.OtelError, otelErrors.OtelError);
assert.equal(otelErrors.OTEL_ERROR_CODES.ERR_OTEL_CONFIG_INVALID.status, 500);
assert.equal(otelPkg.name, "@xshl/otel");

console.log("ok");
