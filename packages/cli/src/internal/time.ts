// Human times: an ISO instant and a relative phrase ("in 2 minutes", "3 hours ago").

/** A NumericDate claim described for people. */
export interface TimeDescription {
	/** The ISO 8601 instant, second precision, UTC. */
	iso: string;
	/** `now`, `in 2 minutes`, `3 hours ago`. */
	relative: string;
}

const UNITS: readonly [string, number][] = [
	["day", 86_400_000],
	["hour", 3_600_000],
	["minute", 60_000],
	["second", 1000],
];

/** `deltaMs` (target minus now) as `in N units` / `N units ago` / `now`. */
export function relative(deltaMs: number): string {
	const abs = Math.abs(deltaMs);
	if (abs < 1000) return "now";
	let phrase = "";
	for (const [unit, size] of UNITS) {
		// the largest unit that gives at least 2 (or exactly 1 for seconds)
		if (abs >= size * 2 || unit === "second") {
			const n = Math.round(abs / size);
			phrase = `${n} ${unit}${n === 1 ? "" : "s"}`;
			break;
		}
	}
	return deltaMs > 0 ? `in ${phrase}` : `${phrase} ago`;
}

/** A NumericDate (seconds) described against `nowMs`. */
export function describeTime(seconds: number, nowMs: number): TimeDescription {
	const ms = seconds * 1000;
	return {
		iso: new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"),
		relative: relative(ms - nowMs),
	};
}
