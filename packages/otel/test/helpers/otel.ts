// The real OpenTelemetry SDK, in memory: spans through SimpleSpanProcessor into an
// InMemorySpanExporter, metrics through a PeriodicExportingMetricReader (flushed by hand)
// into an InMemoryMetricExporter.
import type { Attributes, HrTime } from "@opentelemetry/api";
import {
	AggregationTemporality,
	type DataPoint,
	type Histogram,
	InMemoryMetricExporter,
	MeterProvider,
	PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
	BasicTracerProvider,
	InMemorySpanExporter,
	type ReadableSpan,
	SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

export interface Sdk {
	tracerProvider: BasicTracerProvider;
	meterProvider: MeterProvider;
	/** Finished spans so far. */
	spans(): ReadableSpan[];
	/** Every data point of one metric (after a flush), with its unit. */
	points(name: string): Promise<{ unit: string; points: DataPoint<number | Histogram>[] }>;
	/** Every metric name exported. */
	names(): Promise<string[]>;
	shutdown(): Promise<void>;
}

export function sdk(): Sdk {
	const spanExporter = new InMemorySpanExporter();
	const tracerProvider = new BasicTracerProvider({
		spanProcessors: [new SimpleSpanProcessor(spanExporter)],
	});
	const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
	const reader = new PeriodicExportingMetricReader({
		exporter: metricExporter,
		exportIntervalMillis: 3_600_000,
	});
	const meterProvider = new MeterProvider({ readers: [reader] });
	async function latest() {
		metricExporter.reset();
		await reader.forceFlush();
		const all = metricExporter.getMetrics();
		return all.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
	}
	return {
		tracerProvider,
		meterProvider,
		spans: () => spanExporter.getFinishedSpans(),
		async points(name) {
			const metric = (await latest()).find((m) => m.descriptor.name === name);
			if (metric === undefined) return { unit: "", points: [] };
			return {
				unit: metric.descriptor.unit,
				points: metric.dataPoints as DataPoint<number | Histogram>[],
			};
		},
		async names() {
			return (await latest()).map((m) => m.descriptor.name).sort();
		},
		async shutdown() {
			await tracerProvider.shutdown();
			await meterProvider.shutdown();
		},
	};
}

/** An HrTime in ms since the epoch. */
export function ms(t: HrTime): number {
	return t[0] * 1000 + t[1] / 1e6;
}

/** Counter points as `[attributes, value]`, sorted by their JSON, for exact comparisons. */
export function counts(points: DataPoint<number | Histogram>[]): Array<[Attributes, number]> {
	return points
		.map((p) => [p.attributes, p.value as number] as [Attributes, number])
		.sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}
