// Store events → span `xshl.store.<op>`, histogram `xshl.store.call.duration` (s), counter
// `xshl.refresh.outcomes` (rotated, grace_replay, reuse), revocations, evictions, errors.
import type { Attributes } from "@opentelemetry/api";
import type { StoreLike } from "../sources";
import { errorType, seconds, type Telemetry } from "./telemetry";

export function attachStore(store: StoreLike, t: Telemetry): Array<() => void> {
	const m = t.meter;
	const duration = m.createHistogram(
		"xshl.store.call.duration",
		seconds("Duration of session store calls by operation and outcome."),
	);
	const refresh = m.createCounter("xshl.refresh.outcomes", {
		description: "Refresh token rotations by outcome: rotated, grace_replay or reuse.",
		unit: "{refresh}",
	});
	const revocations = m.createCounter("xshl.store.revocations", {
		description: "Session families revoked, by reason.",
		unit: "{family}",
	});
	const evictions = m.createCounter("xshl.store.evictions", {
		description: "Session families evicted by the per-user cap.",
		unit: "{family}",
	});
	const errors = m.createCounter("xshl.store.errors", {
		description: "Store errors by source: client, node (cluster) or call.",
		unit: "{error}",
	});
	return [
		store.on("call", (e) => {
			const error = e.outcome === "error" ? errorType(e.code) : undefined;
			const attributes: Attributes = {
				"xshl.store.operation": e.op,
				"xshl.store.outcome": e.outcome,
			};
			if (error !== undefined) attributes["error.type"] = error;
			duration.record(e.durationMs / 1000, attributes);
			t.span(
				`xshl.store.${e.op}`,
				e.startedAt,
				e.startedAt + e.durationMs,
				{ "xshl.store.operation": e.op },
				error,
			);
		}),
		store.on("refresh", () => refresh.add(1, { "xshl.refresh.outcome": "rotated" })),
		store.on("refresh.replay", () => refresh.add(1, { "xshl.refresh.outcome": "grace_replay" })),
		store.on("refresh.reuse_detected", (e) =>
			refresh.add(1, { "xshl.refresh.outcome": "reuse", "xshl.refresh.reason": e.reason }),
		),
		store.on("revoke", (e) => revocations.add(1, { "xshl.revoke.reason": e.reason })),
		store.on("evict", () => evictions.add(1)),
		store.on("error", (e) => errors.add(1, { "xshl.store.error_source": e.source })),
	];
}
