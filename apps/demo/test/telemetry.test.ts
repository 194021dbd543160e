// @xshl/otel in the demo: the wiring instruments the store, the ring (and each ring that replaces
// it) and the revocation feed; the real OpenTelemetry SDK, in memory (`@xshl/otel`'s test SDK),
// sees what a login, a refresh and a rotation do, and nothing after the app closed.
import { afterEach, describe, expect, it } from "vitest";
import { counts, sdk } from "../../../packages/otel/test/helpers/otel";
import { Client, makeApp, type TestApp } from "./helpers.js";

let t: TestApp | undefined;
afterEach(async () => {
	await t?.app.close();
	t = undefined;
});

describe("@xshl/otel in the demo (issuer mode)", () => {
	it("a login, a refresh and a rotation are spans and metrics; nothing after close", async () => {
		const otel = sdk();
		const { tracerProvider, meterProvider } = otel;
		t = await makeApp({ LOG_LEVEL: "silent" }, undefined, {
			telemetry: { tracerProvider, meterProvider },
		});
		const c = new Client(t.app);
		expect((await c.login()).statusCode).toBe(200);
		expect((await c.refresh()).statusCode).toBe(200);
		const ring = t.deps.ring?.();
		const clock = t.clock;
		clock.now += 3_600_001; // past the ring's minimum rotation interval
		await ring?.rotate();
		const names = otel.spans().map((s) => s.name);
		expect(names.filter((n) => n === "xshl.store.login")).toHaveLength(1);
		expect(names.filter((n) => n === "xshl.store.rotate")).toHaveLength(1);
		expect(names.filter((n) => n === "xshl.ring.rotate")).toHaveLength(1);
		expect(counts((await otel.points("xshl.refresh.outcomes")).points)).toEqual([
			[{ "xshl.refresh.outcome": "rotated" }, 1],
		]);
		await t.app.close();
		t = undefined;
		// detached on close: the ring rotating again reports nothing
		const before = otel.spans().length;
		clock.now += 3_600_001;
		await ring?.rotate();
		expect(otel.spans()).toHaveLength(before);
		await otel.shutdown();
	});
});
