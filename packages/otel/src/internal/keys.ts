// RemoteKeySet events → span `xshl.keys.fetch`, histogram `xshl.keys.fetch.duration` (s),
// counters of failed attempts, stale serving, expiry, unknown kids and rejected keys.
import type { KeySetLike } from "../sources";
import { errorType, seconds, spanWindow, type Telemetry } from "./telemetry";

export function attachKeySet(keySet: KeySetLike, t: Telemetry): Array<() => void> {
	const m = t.meter;
	const duration = m.createHistogram(
		"xshl.keys.fetch.duration",
		seconds("Duration of successful JWKS refreshes, retries included."),
	);
	const errors = m.createCounter("xshl.keys.fetch.errors", {
		description:
			"Failed JWKS fetch attempts by error code (`xshl.keys.final`: the refresh gave up).",
		unit: "{attempt}",
	});
	const stale = m.createCounter("xshl.keys.stale", {
		description:
			"Times the key set served keys past their freshness (reported at most once a minute).",
		unit: "{event}",
	});
	const expired = m.createCounter("xshl.keys.expired", {
		description: "Times the key set passed maxStaleMs: lookups failed until the next refresh.",
		unit: "{event}",
	});
	const unknownKid = m.createCounter("xshl.keys.unknown_kid", {
		description:
			"Lookups of a kid the key set did not have (`xshl.keys.fetched`: it caused or joined a fetch).",
		unit: "{lookup}",
	});
	const rejected = m.createCounter("xshl.keys.rejected", {
		description: "Keys of fetched JWKS dropped by the key hygiene rules.",
		unit: "{key}",
	});
	return [
		keySet.on("refresh", (e) => {
			const [start, end] = spanWindow(e.startedAt, e.durationMs);
			duration.record(e.durationMs / 1000, { "http.response.status_code": e.status });
			t.span("xshl.keys.fetch", start, end, {
				"http.response.status_code": e.status,
				"xshl.keys.not_modified": e.notModified,
				"xshl.keys.count": e.keys,
			});
		}),
		keySet.on("refreshError", (e) => {
			const type = errorType(e.error?.code);
			errors.add(1, { "error.type": type, "xshl.keys.final": e.final });
			if (e.final) {
				// a failed refresh spans its attempts (`durationMs`; older key sets: a point in time)
				const ms = typeof e.durationMs === "number" && e.durationMs >= 0 ? e.durationMs : 0;
				const [start, end] = spanWindow(e.startedAt, ms);
				duration.record(ms / 1000, { "error.type": type });
				t.span("xshl.keys.fetch", start, end, { "xshl.keys.attempts": e.attempt }, type);
			}
		}),
		keySet.on("stale", () => stale.add(1)),
		keySet.on("expired", () => expired.add(1)),
		keySet.on("unknownKid", (e) => unknownKid.add(1, { "xshl.keys.fetched": e.fetched })),
		keySet.on("keyRejected", () => rejected.add(1)),
	];
}
