/**
 * `/healthz`: each dependency's state and whether the service can do its main job.
 *
 * - keys: issuer mode `fresh` while the ring has an active signing key; resource mode the
 *   `RemoteKeySet`'s freshness (`fresh`, `stale` while serving past its freshness,
 *   `unavailable` when empty or past `maxStaleMs`; an empty or expired set is loaded once,
 *   bounded by the probe timeout, so the first probe after start tells the truth);
 * - store: `up`/`down` from a cheap real check (Redis `PING` with a short timeout; an
 *   in-process store is always up);
 * - feed: the revocation feed's state, when the app has one.
 *
 * 503 when the main job cannot be done: issuer mode with the store down or no signing key;
 * resource mode with the keys unavailable or a fail-closed feed refusing every token.
 */
import type { KeyRing } from "@xshl/keys/ring";

/** A dependency's key-set state. */
export type KeysState = "fresh" | "stale" | "unavailable";

/** The `/healthz` body. */
export interface HealthReport {
	/** `ok`: everything fine; `degraded`: serving with a problem; `unavailable`: answering 503. */
	status: "ok" | "degraded" | "unavailable";
	mode: "issuer" | "resource";
	keys: { state: KeysState; lastError?: string };
	/** `null` when the instance has no store (resource mode without `REDIS_URL`). */
	store: { kind: "memory" | "redis"; state: "up" | "down" } | null;
	/** `null` when the instance has no revocation feed. */
	feed: { state: string; refusingAll: boolean; lastError?: string } | null;
}

/** The structural parts of `RemoteKeySet` the probe reads. */
interface RemoteKeysLike {
	health(): { state: "empty" | "fresh" | "stale" | "expired" };
	load(): Promise<void>;
	stats?(): { lastErrorCode?: string | undefined };
}

/** The structural parts of the feed contract (`AppDeps.revocations`) the probe reads. */
interface FeedLike {
	status(): { health?: { state?: unknown; refusingAll?: unknown; lastError?: unknown } };
}

/** What {@link checkHealth} reads from the app's dependencies. */
export interface HealthInputs {
	mode: "issuer" | "resource";
	/** Issuer mode: the current ring. */
	ring?: (() => KeyRing) | undefined;
	/** Resource mode: the key set (a `RemoteKeySet`). */
	keys?: unknown;
	store?: { kind: "memory" | "redis" } | undefined;
	/** A cheap real check of the store; absent for an in-process store. */
	pingStore?: ((timeoutMs: number) => Promise<void>) | undefined;
	revocations?: FeedLike | undefined;
	/** Bound of each check, ms. */
	timeoutMs: number;
}

function isRemoteKeys(keys: unknown): keys is RemoteKeysLike {
	const k = keys as Partial<RemoteKeysLike> | undefined;
	return typeof k?.health === "function" && typeof k.load === "function";
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
	});
	return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function keysHealth(input: HealthInputs): Promise<HealthReport["keys"]> {
	if (input.ring) {
		try {
			input.ring().signingKey();
			return { state: "fresh" };
		} catch (err) {
			return { state: "unavailable", lastError: String((err as { code?: unknown }).code) };
		}
	}
	const keys = input.keys;
	if (!isRemoteKeys(keys)) return { state: "fresh" };
	let state = keys.health().state;
	if (state === "empty" || state === "expired") {
		await within(keys.load(), input.timeoutMs, "JWKS").catch(() => {});
		state = keys.health().state;
	}
	const lastError = keys.stats?.().lastErrorCode;
	const mapped: KeysState =
		state === "fresh" ? "fresh" : state === "stale" ? "stale" : "unavailable";
	return mapped === "fresh" || lastError === undefined
		? { state: mapped }
		: { state: mapped, lastError };
}

async function storeHealth(input: HealthInputs): Promise<HealthReport["store"]> {
	if (!input.store) return null;
	const kind = input.store.kind;
	if (!input.pingStore) return { kind, state: "up" };
	try {
		await within(input.pingStore(input.timeoutMs), input.timeoutMs, "store");
		return { kind, state: "up" };
	} catch {
		return { kind, state: "down" };
	}
}

function feedHealth(input: HealthInputs): HealthReport["feed"] {
	if (!input.revocations) return null;
	const h = input.revocations.status().health ?? {};
	return {
		state: typeof h.state === "string" ? h.state : "unknown",
		refusingAll: h.refusingAll === true,
		...(typeof h.lastError === "string" ? { lastError: h.lastError } : {}),
	};
}

/**
 * Check every dependency (in parallel, each bounded by `timeoutMs`).
 *
 * @param input - the app's dependencies.
 * @returns the HTTP status (200 or 503) and the body.
 */
export async function checkHealth(
	input: HealthInputs,
): Promise<{ statusCode: 200 | 503; body: HealthReport }> {
	const [keys, store] = await Promise.all([keysHealth(input), storeHealth(input)]);
	const feed = feedHealth(input);
	const down =
		input.mode === "issuer"
			? keys.state === "unavailable" || store?.state === "down"
			: keys.state === "unavailable" || feed?.refusingAll === true;
	const degraded =
		keys.state === "stale" ||
		store?.state === "down" ||
		(feed !== null && ["empty", "stale", "expired"].includes(feed.state));
	const status = down ? "unavailable" : degraded ? "degraded" : "ok";
	return {
		statusCode: down ? 503 : 200,
		body: { status, mode: input.mode, keys, store, feed },
	};
}
