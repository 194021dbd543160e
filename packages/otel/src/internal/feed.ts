// RevocationFeedClient events → span `xshl.feed.refresh`, histogram `xshl.feed.refresh.duration`
// (s), counters of refreshes by outcome, stale and expired states.
import type { FeedLike } from "../sources";
import { errorType, seconds, spanWindow, type Telemetry } from "./telemetry";

/** A duration a feed client reported, or undefined (clients before durations). */
function msOf(e: { durationMs?: unknown }): number | undefined {
	return typeof e.durationMs === "number" && e.durationMs >= 0 ? e.durationMs : undefined;
}

export function attachFeed(feed: FeedLike, t: Telemetry): Array<() => void> {
	const m = t.meter;
	const refreshes = m.createCounter("xshl.feed.refreshes", {
		description: "Revocation feed refreshes by outcome: updated, not_modified or error.",
		unit: "{refresh}",
	});
	const duration = m.createHistogram(
		"xshl.feed.refresh.duration",
		seconds(
			"Duration of revocation feed refreshes: a poll from request to state applied (retries included), a pushed event its verify and apply.",
		),
	);
	const stale = m.createCounter("xshl.feed.stale", {
		description:
			"First failed feed refreshes after a success: the revocation state is getting old.",
		unit: "{event}",
	});
	const expired = m.createCounter("xshl.feed.expired", {
		description: "Times the feed state passed maxStaleMs and its policy applied.",
		unit: "{event}",
	});
	return [
		feed.on("refresh", (e) => {
			const outcome = e.notModified ? "not_modified" : "updated";
			refreshes.add(1, { "xshl.feed.outcome": outcome });
			const ms = msOf(e);
			if (ms === undefined) return;
			const attributes = { "xshl.feed.outcome": outcome, "xshl.feed.via": e.via ?? "poll" };
			duration.record(ms / 1000, attributes);
			const [start, end] = spanWindow(undefined, ms);
			t.span("xshl.feed.refresh", start, end, {
				...attributes,
				"xshl.feed.delta": e.delta,
				"xshl.feed.entries": e.entries,
			});
		}),
		feed.on("refreshError", (e) => {
			const type = errorType(e.error?.code);
			refreshes.add(1, { "xshl.feed.outcome": "error", "error.type": type });
			const ms = msOf(e);
			if (ms === undefined) return;
			const attributes = { "xshl.feed.outcome": "error", "xshl.feed.via": "poll" };
			duration.record(ms / 1000, { ...attributes, "error.type": type });
			const [start, end] = spanWindow(undefined, ms);
			t.span("xshl.feed.refresh", start, end, attributes, type);
		}),
		feed.on("stale", () => stale.add(1)),
		feed.on("expired", (e) => expired.add(1, { "xshl.feed.policy": e.policy })),
	];
}
