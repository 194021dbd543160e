// The tracer and meter of one instrument() call, and the one way spans are made here: after
// the fact, from an event's start time and duration (the events carry them; nothing is
// timed by this package).
import {
	type Attributes,
	type Meter,
	type MetricOptions,
	SpanKind,
	SpanStatusCode,
	type Tracer,
} from "@opentelemetry/api";

/** The instrumentation scope name of every tracer and meter made here. */
export const SCOPE = "@xshl/otel";

/**
 * Bucket boundaries for durations in seconds: 50 µs (a cached verify) to 10 s (a JWKS
 * fetch with retries). The SDK's default boundaries (0, 5, 10, 25, …) suit milliseconds.
 */
export const SECONDS_BUCKETS: number[] = [
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
	5, 10,
];

/** Options of a duration histogram (seconds, per OTel semantic conventions). */
export function seconds(description: string): MetricOptions {
	return { description, unit: "s", advice: { explicitBucketBoundaries: SECONDS_BUCKETS } };
}

/**
 * The span of something that reported its duration after the fact: from its `startedAt` when
 * the source gives one, else ending now.
 */
export function spanWindow(startedAt: number | undefined, durationMs: number): [number, number] {
	if (typeof startedAt === "number" && Number.isFinite(startedAt))
		return [startedAt, startedAt + durationMs];
	const end = Date.now();
	return [end - durationMs, end];
}

/** `error.type` of a failure: its code, or `_OTHER` (semconv) when it has none. */
export function errorType(code: unknown): string {
	return typeof code === "string" && code !== "" ? code : "_OTHER";
}

export class Telemetry {
	readonly tracer: Tracer;
	readonly meter: Meter;

	constructor(tracer: Tracer, meter: Meter) {
		this.tracer = tracer;
		this.meter = meter;
	}

	/**
	 * One finished span. `startMs`/`endMs` are ms since the epoch; `error` (an `error.type`)
	 * marks it failed.
	 */
	span(name: string, startMs: number, endMs: number, attributes: Attributes, error?: string): void {
		const span = this.tracer.startSpan(name, {
			kind: SpanKind.INTERNAL,
			startTime: startMs,
			attributes,
		});
		if (error !== undefined) {
			span.setAttribute("error.type", error);
			span.setStatus({ code: SpanStatusCode.ERROR, message: error });
		}
		span.end(endMs);
	}
}
