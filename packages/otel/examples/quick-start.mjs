// Quick start for @xshl/otel: run with `node examples/quick-start.mjs` after `pnpm build`.
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
import { instrument } from "@xshl/otel";
import { MemoryStore } from "@xshl/session-store";

// The OTel SDK: in production, your exporters (OTLP, Prometheus) instead of in-memory ones.
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
	spanProcessors: [new SimpleSpanProcessor(spans)],
});
const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: exported });
const meterProvider = new MeterProvider({ readers: [reader] });

// Your xshl objects (verifier, keySet, ring, store, feed: each optional), then one call.
const store = new MemoryStore();
const detach = instrument({ store }, { tracerProvider, meterProvider });

const login = await store.login({ sub: "alice", trace: "trace-of-this-browser" });
await store.rotate(login.refreshToken, { trace: "trace-of-this-browser" });
await store.rotate(login.refreshToken, { trace: "trace-of-this-browser" }); // a racing tab

console.log(
	"spans:",
	spans
		.getFinishedSpans()
		.map((s) => s.name)
		.join(" "),
);
await reader.forceFlush();
const metrics = exported.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
const outcomes = metrics.find((m) => m.descriptor.name === "xshl.refresh.outcomes");
for (const p of outcomes?.dataPoints ?? []) {
	console.log("xshl.refresh.outcomes", p.attributes["xshl.refresh.outcome"], p.value);
}
const calls = metrics.find((m) => m.descriptor.name === "xshl.store.call.duration");
console.log("store call histograms:", calls?.dataPoints.length, "unit:", calls?.descriptor.unit);

detach();
await tracerProvider.shutdown();
await meterProvider.shutdown();
