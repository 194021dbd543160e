// The `durability` option of RedisStore: which writes wait for a replica (`WAIT`) before they
// are acknowledged, and how long. A write that no replica acknowledged in time fails closed
// with ERR_STORE_UNAVAILABLE (it may still hold on the primary; retrying it is safe).
import * as z from "zod";

/** Which writes wait for replicas: revocations only, or every write (logins and rotations too). */
export type DurableWrites = "revocations" | "all";

/** Resolved durability settings (`timeoutMs` in ms), or `false` (no write waits). */
export type DurabilitySettings =
	| false
	| { readonly replicas: number; readonly timeoutMs: number; readonly writes: DurableWrites };

/**
 * Default `WAIT` timeout, ms. Measured on the test cluster (loopback, 2 shared cores, load
 * average 13): a durable revocation took p50 0.74 ms, p99 12 ms, max 64 ms (0.53 / 5 / 28 ms
 * without WAIT). 100 ms covers that maximum with room and stays well inside the 250 ms call
 * timeout. On a healthy cluster 100, 500 and 1,000 ms cost the same; with a replica paused a
 * durable call fails after 2–3 × the timeout and other calls on that connection queue behind
 * it, so keep the store's `timeoutMs` at least 3 × this (see the README, "Choosing the `WAIT`
 * timeout").
 *
 * @example
 * ```ts
 * new RedisStore({ client, durability: { timeoutMs: DEFAULT_WAIT_MS * 2 } })
 * ```
 */
export const DEFAULT_WAIT_MS = 100;

/**
 * What a user passes as `durability` (every field has a default).
 *
 * @example
 * ```ts
 * const durability: DurabilityInput = { replicas: 1, timeoutMs: 100, writes: 'all' }
 * ```
 */
export interface DurabilityInput {
	/** Replicas that must acknowledge (1–16). @default 1 */
	replicas?: number;
	/** `WAIT` timeout in ms (1–60 000, below the call timeout). @default 100 */
	timeoutMs?: number;
	/** Which writes wait. @default "revocations" */
	writes?: DurableWrites;
}

type Parsed = false | { replicas: number; timeoutMs: number; writes: DurableWrites } | undefined;

/**
 * zod schema of the option: `false`, or an object whose fields all have defaults.
 *
 * @example
 * ```ts
 * durabilityShape.parse({}) // { replicas: 1, timeoutMs: 100, writes: 'revocations' }
 * ```
 */
export const durabilityShape: z.ZodType<Parsed, false | DurabilityInput | undefined> = z
	.union([
		z.literal(false),
		z.strictObject({
			replicas: z.number().int().min(1).max(16).default(1),
			timeoutMs: z.number().int().min(1).max(60_000).default(DEFAULT_WAIT_MS),
			writes: z.enum(["revocations", "all"]).default("revocations"),
		}),
	])
	.optional();

/**
 * The settings in force: the option when given; otherwise revocations wait for one replica
 * on an ioredis `Cluster` (a cluster without replicas cannot fail over anyway) and nothing
 * waits on a plain client (one node has no replica to wait for).
 *
 * @param option - the parsed option.
 * @param cluster - whether the client is an ioredis `Cluster`.
 * @returns the settings in force.
 * @example
 * ```ts
 * resolveDurability(undefined, true) // { replicas: 1, timeoutMs: 100, writes: 'revocations' }
 * ```
 */
export function resolveDurability(option: Parsed, cluster: boolean): DurabilitySettings {
	if (option === false) return false;
	if (option === undefined) {
		return cluster ? { replicas: 1, timeoutMs: DEFAULT_WAIT_MS, writes: "revocations" } : false;
	}
	return { replicas: option.replicas, timeoutMs: option.timeoutMs, writes: option.writes };
}
