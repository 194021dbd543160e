// Request-driven refresh of a revocation feed client, for isolates that may start timers only
// inside a request (Cloudflare Workers): the `revocationsRefreshMs` option.
import { HttpConfigError } from "@xshl/http";
import type { Context } from "hono";

/** The part of `RevocationFeedClient` the lazy refresh drives. */
interface LazySource {
	load(): Promise<void>;
	health(): { state: string; ageMs: number | undefined };
}

const MAX_BACKOFF_MS = 60_000;

function isLazySource(v: unknown): v is LazySource {
	return (
		typeof v === "object" &&
		v !== null &&
		typeof (v as LazySource).load === "function" &&
		typeof (v as LazySource).health === "function"
	);
}

/** Keep `p` running after the answer where the runtime can (Workers' `waitUntil`). */
function keepAlive(c: Context, p: Promise<unknown>): void {
	let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
	try {
		ctx = c.executionCtx; // Hono's getter throws when the runtime gave none (Node, Bun, Deno)
	} catch {
		return;
	}
	ctx.waitUntil(p);
}

/**
 * The per-request step of `revocationsRefreshMs`, or `undefined` when the option is not set.
 *
 * @param source - the `revocations` option.
 * @param everyMs - the `revocationsRefreshMs` option.
 * @returns a function to await before authenticating a request.
 * @throws {HttpConfigError} when `everyMs` is not a positive number or `source` has no
 * `load()` and `health()`.
 */
export function lazyRevocations(
	source: unknown,
	everyMs: number | undefined,
): ((c: Context) => Promise<void>) | undefined {
	if (everyMs === undefined) return undefined;
	const issues = [];
	if (typeof everyMs !== "number" || !Number.isFinite(everyMs) || everyMs <= 0)
		issues.push({ path: "revocationsRefreshMs", message: "must be a positive number of ms" });
	if (!isLazySource(source))
		issues.push({
			path: "revocations",
			message:
				"revocationsRefreshMs needs a revocations source with load() and health() (RevocationFeedClient)",
		});
	if (issues.length > 0)
		throw new HttpConfigError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
	const feed = source as LazySource;
	let inflight: Promise<void> | undefined;
	let failures = 0;
	let retryAt = 0;
	const start = (): Promise<void> => {
		if (inflight !== undefined) return inflight;
		const p = feed
			.load()
			.then(
				() => {
					failures = 0;
					retryAt = 0;
				},
				() => {
					// the client reports the error itself (its refreshError event)
					failures++;
					retryAt = Date.now() + Math.min(everyMs * 2 ** failures, MAX_BACKOFF_MS);
				},
			)
			.finally(() => {
				inflight = undefined;
			});
		inflight = p;
		return p;
	};
	return async (c) => {
		if (inflight === undefined && Date.now() < retryAt) return; // backing off: the policy answers
		const { state, ageMs } = feed.health();
		const cold = state === "empty" || state === "expired";
		if (!cold && ageMs !== undefined && ageMs < everyMs) return;
		const p = start();
		keepAlive(c, p);
		if (cold) await p;
	};
}
