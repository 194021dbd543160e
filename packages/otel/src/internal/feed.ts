// RevocationFeedClient events → counters of refreshes by outcome, stale and expired states.
import type { FeedLike } from "../sources";
import { errorType, type Telemetry } from "./telemetry";

export function attachFeed(feed: FeedLike, t: Telemetry): Array<() => void> {
	const m = t.meter;
	const refreshes = m.createCounter("xshl.feed.refreshes", {
		description: "Revocation feed refreshes by outcome: updated, not_modified or error.",
		unit: "{refresh}",
	});
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
		feed.on("refresh", (e) =>
			refreshes.add(1, { "xshl.feed.outcome": e.notModified ? "not_modified" : "updated" }),
		),
		feed.on("refreshError", (e) =>
			refreshes.add(1, { "xshl.feed.outcome": "error", "error.type": errorType(e.error?.code) }),
		),
		feed.on("stale", () => stale.add(1)),
		feed.on("expired", (e) => expired.add(1, { "xshl.feed.policy": e.policy })),
	];
}
