// Per-operation counters and a ring of the last latencies, for RedisStore#stats().
import type { OperationStats, StoreOperation, StoreStats } from "../stats";

const WINDOW = 1024;
const OPERATIONS: readonly StoreOperation[] = [
	"login",
	"rotate",
	"logout",
	"revokeSession",
	"logoutAll",
	"listSessions",
	"isRevoked",
	"denyJti",
	"denySid",
	"pepper",
];

interface Entry {
	calls: number;
	errors: number;
	timeouts: number;
	/** the last WINDOW latencies, ms (a ring) */
	ring: Float64Array;
}

function percentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) return 0;
	const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
	return sorted[Math.max(0, i)] as number;
}

export class OpStats {
	readonly #timeoutMs: number;
	readonly #ops = new Map<StoreOperation, Entry>();

	constructor(timeoutMs: number) {
		this.#timeoutMs = timeoutMs;
		for (const op of OPERATIONS) {
			this.#ops.set(op, { calls: 0, errors: 0, timeouts: 0, ring: new Float64Array(WINDOW) });
		}
	}

	/** Records one call: its latency and whether it failed (a timeout when it took ≥ timeoutMs). */
	record(op: StoreOperation, ms: number, failed: boolean): void {
		const e = this.#ops.get(op) as Entry;
		e.ring[e.calls % WINDOW] = ms;
		e.calls += 1;
		if (failed) {
			e.errors += 1;
			// a timer may fire a fraction of a ms before performance.now() shows the full timeout
			if (ms >= this.#timeoutMs - 1) e.timeouts += 1;
		}
	}

	snapshot(): StoreStats {
		const out: Partial<Record<StoreOperation, OperationStats>> = {};
		for (const [op, e] of this.#ops) {
			const sorted = e.ring.slice(0, Math.min(e.calls, WINDOW)).sort();
			out[op] = {
				calls: e.calls,
				errors: e.errors,
				timeouts: e.timeouts,
				p50Ms: percentile(sorted, 50),
				p90Ms: percentile(sorted, 90),
				p99Ms: percentile(sorted, 99),
				maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
			};
		}
		return out as StoreStats;
	}
}
