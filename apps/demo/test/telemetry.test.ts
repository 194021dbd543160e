// @xshl/otel in the demo: the wiring instruments the store, the ring (and each ring that replaces
// it) and the revocation feed; the real OpenTelemetry SDK, in memory, sees what a login, a
// refresh and a rotation do, and nothing after the app closed.
import {
	AggregationTemporality,
	InMemoryMetricExporter,
	MeterProvider,
	PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
	BasicTracerProvider,
	InMemorySpanExporter,
	SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { Client, makeApp, type TestApp } from "./helpers.js";

function memorySdk() {
	const spans = new InMemorySpanExporter();
	const tracerProvider = new BasicTracerProvider({
		spanProcessors: [new SimpleSpanProcessor(spans)],
	});
	const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
	const reader = new PeriodicExportingMetricReader({
		exporter: metrics,
		exportIntervalMillis: 3_600_000,
	});
	const meterProvider = new MeterProvider({ readers: [reader] });
	return {
		telemetry: { tracerProvider, meterProvider },
		names: () => spans.getFinishedSpans().map((s) => s.name),
		async counter(name: string): Promise<Array<[Record<string, unknown>, number]>> {
			metrics.reset();
			await reader.forceFlush();
			const metric = metrics
				.getMetrics()
				.flatMap((r) => r.scopeMetrics.flatMap((m) => m.metrics))
				.find((m) => m.descriptor.name === name);
			return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value as number]);
		},
	};
}

let t: TestApp | undefined;
afterEach(async () => {
	await t?.app.close();
	t = undefined;
});

describe("@xshl/otel in the demo (issuer mode)", () => {
	it("a login, a refresh and a rotation are spans and metrics; nothing after close", async () => {
		const sdk = memorySdk();
		t = await makeApp({ LOG_LEVEL: "silent" }, undefined, { telemetry: sdk.telemetry });
		const c = new Client(t.app);
		expect((await c.login()).statusCode).toBe(200);
		expect((await c.refresh()).statusCode).toBe(200);
		const ring = t.deps.ring?.();
		const clock = t.clock;
		clock.now += 3_600_001; // past the ring's minimum rotation interval
		await ring?.rotate();
		const names = sdk.names();
		expect(names.filter((n) => n === "xshl.store.login")).toHaveLength(1);
		expect(names.filter((n) => n === "xshl.store.rotate")).toHaveLength(1);
		expect(names.filter((n) => n === "xshl.ring.rotate")).toHaveLength(1);
		expect(await sdk.counter("xshl.refresh.outcomes")).toEqual([
			[{ "xshl.refresh.outcome": "rotated" }, 1],
		]);
		await t.app.close();
		t = undefined;
		// detached on close: the ring rotating again reports nothing
		const before = sdk.names().length;
		clock.now += 3_600_001;
		await ring?.rotate();
		expect(sdk.names()).toHaveLength(before);
	});
});
