// verifier.on("verify") → span `xshl.verify`, histogram `xshl.verify.duration` (s), counter
// `xshl.verify.outcomes`.
import type { Attributes } from "@opentelemetry/api";
import type { VerifierLike } from "../sources";
import { errorType, seconds, type Telemetry } from "./telemetry";

export function attachVerifier(verifier: VerifierLike, t: Telemetry): Array<() => void> {
	const duration = t.meter.createHistogram(
		"xshl.verify.duration",
		seconds("Duration of session token verifications."),
	);
	const outcomes = t.meter.createCounter("xshl.verify.outcomes", {
		description: "Session token verifications by outcome and error code.",
		unit: "{verification}",
	});
	return [
		verifier.on("verify", (e) => {
			const error = e.outcome === "error" ? errorType(e.code) : undefined;
			const attributes: Attributes = {
				"xshl.verify.outcome": e.outcome,
				"xshl.engine": e.engine,
				"xshl.cache_hit": e.cacheHit,
			};
			if (error !== undefined) attributes["error.type"] = error;
			duration.record(e.durationMs / 1000, attributes);
			outcomes.add(1, attributes);
			t.span(
				"xshl.verify",
				e.startedAt,
				e.startedAt + e.durationMs,
				{ "xshl.engine": e.engine, "xshl.cache_hit": e.cacheHit },
				error,
			);
		}),
	];
}
