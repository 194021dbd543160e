/**
 * Store options (validated by zod when a store is built), timeout presets and defaults.
 *
 * Import from `@xshl/session-store`.
 *
 * @module
 */
import * as z from "zod";
import { StoreConfigError } from "./errors";
import { toIssues } from "./internal/issues";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Timeout presets: idle (sliding) and absolute (from `auth_time`) lifetimes in milliseconds.
 * `device` requires trace binding (`traceMismatch` other than `allow`).
 *
 * @example
 * ```ts
 * import { SESSION_PRESETS } from '@xshl/session-store'
 * SESSION_PRESETS.sensitive // { idleTimeoutMs: 3_600_000, absoluteTimeoutMs: 86_400_000 }
 * ```
 */
export const SESSION_PRESETS: {
	readonly standard: { readonly idleTimeoutMs: number; readonly absoluteTimeoutMs: number };
	readonly sensitive: { readonly idleTimeoutMs: number; readonly absoluteTimeoutMs: number };
	readonly device: { readonly idleTimeoutMs: number; readonly absoluteTimeoutMs: number };
} = {
	standard: { idleTimeoutMs: 24 * HOUR, absoluteTimeoutMs: 7 * DAY },
	sensitive: { idleTimeoutMs: HOUR, absoluteTimeoutMs: DAY },
	device: { idleTimeoutMs: 30 * DAY, absoluteTimeoutMs: 90 * DAY },
};

/** Name of a {@link SESSION_PRESETS} entry. */
export type SessionPreset = keyof typeof SESSION_PRESETS;

/** What happens when a refresh comes with another trace than the login's. */
export type TraceMismatchPolicy = "reject" | "revoke-family" | "allow";

/** Options common to every store. Durations are milliseconds (whole numbers). */
export interface StoreOptions {
	/**
	 * Timeout preset.
	 * @default "standard" (24 h idle, 7 d absolute)
	 */
	preset?: SessionPreset;
	/**
	 * Sliding idle timeout in ms (1 000 ms – 90 d); overrides the preset.
	 * @default 86_400_000 (24 h, preset `standard`)
	 */
	idleTimeoutMs?: number;
	/**
	 * Absolute timeout from `auth_time` in ms (1 000 ms – 400 d); never extended by rotation.
	 * @default 604_800_000 (7 d, preset `standard`)
	 */
	absoluteTimeoutMs?: number;
	/**
	 * Grace window for racing tabs, in ms (0–60 000; 0 disables it).
	 * @default 10_000
	 */
	graceMs?: number;
	/**
	 * Grace replays per rotation (0–3); one more presentation is treated as reuse.
	 * @default 3
	 */
	maxGraceReplays?: number;
	/**
	 * Live families per user (1–1000); the least recently used beyond it are evicted.
	 * @default 50
	 */
	maxSessionsPerUser?: number;
	/**
	 * Access-token lifetime in ms (1 000 – 900 000): a revoked family's `sid` stays denylisted
	 * this long plus leeway, and no denylist entry lives longer than that.
	 * @default 120_000
	 */
	accessTokenTtlMs?: number;
	/**
	 * Clock leeway in ms (0–60 000) added to every denylist entry.
	 * @default 5_000
	 */
	leewayMs?: number;
	/**
	 * Trace-binding policy for the current token (grace replays always need the login trace
	 * unless `allow`).
	 * @default "reject"
	 */
	traceMismatch?: TraceMismatchPolicy;
	/**
	 * Server pepper (≥ 32 bytes, or a string of ≥ 32 characters) keying the tag that proves a
	 * token was minted here, so forged ids never reach the store nor revoke anything. Keep it
	 * out of the store. Default: random per MemoryStore; for RedisStore, one shared random
	 * pepper created in Redis on first use (weaker: a reader of Redis could then forge ancestor
	 * tokens and revoke families, never gain access).
	 */
	pepper?: string | Uint8Array;
}

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

const commonShape = {
	preset: z.enum(["standard", "sensitive", "device"]).default("standard"),
	idleTimeoutMs: ms(1000, 90 * DAY).optional(),
	absoluteTimeoutMs: ms(1000, 400 * DAY).optional(),
	graceMs: ms(0, 60_000).default(10_000),
	maxGraceReplays: z.number().int().min(0).max(3).default(3),
	maxSessionsPerUser: z.number().int().min(1).max(1000).default(50),
	accessTokenTtlMs: ms(1000, 900_000).default(120_000),
	leewayMs: ms(0, 60_000).default(5_000),
	traceMismatch: z.enum(["reject", "revoke-family", "allow"]).default("reject"),
	pepper: z
		.union([
			z.string().min(32, "a pepper string needs at least 32 characters"),
			z.instanceof(Uint8Array).refine((b) => b.length >= 32, "a pepper needs at least 32 bytes"),
		])
		.optional(),
};

/** @internal resolved, validated settings in milliseconds. */
export interface Settings {
	idleMs: number;
	absMs: number;
	graceMs: number;
	maxReplays: number;
	maxSessions: number;
	denySidMs: number;
	leewayMs: number;
	traceMode: TraceMismatchPolicy;
	pepper: Uint8Array<ArrayBuffer> | undefined;
}

/**
 * @internal validates the common options plus an adapter's `extra` shape (strict: unknown
 * keys are refused) and returns the settings and the adapter's own values.
 */
export function parseStoreOptions<T extends z.ZodRawShape>(
	extra: T,
	input: unknown,
	what: string,
): { settings: Settings; extra: z.infer<z.ZodObject<T>> } {
	const result = z.strictObject({ ...commonShape, ...extra }).safeParse(input ?? {});
	if (!result.success) {
		const issues = toIssues(result.error);
		throw new StoreConfigError(
			`invalid ${what} options: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
			issues,
			{ cause: result.error },
		);
	}
	const data = result.data as Record<string, unknown>;
	const own: Record<string, unknown> = {};
	for (const k of Object.keys(extra)) own[k] = data[k];
	return {
		settings: toSettings(data as Parameters<typeof toSettings>[0]),
		extra: own as z.infer<z.ZodObject<T>>,
	};
}

function toSettings(o: {
	preset: SessionPreset;
	idleTimeoutMs?: number | undefined;
	absoluteTimeoutMs?: number | undefined;
	graceMs: number;
	maxGraceReplays: number;
	maxSessionsPerUser: number;
	accessTokenTtlMs: number;
	leewayMs: number;
	traceMismatch: TraceMismatchPolicy;
	pepper?: string | Uint8Array | undefined;
}): Settings {
	if (o.preset === "device" && o.traceMismatch === "allow") {
		throw new StoreConfigError(
			'invalid store options: preset "device" requires trace binding (traceMismatch "reject" or "revoke-family")',
			[{ path: "traceMismatch", message: 'must not be "allow" with preset "device"' }],
		);
	}
	const preset = SESSION_PRESETS[o.preset];
	const pepper =
		o.pepper === undefined
			? undefined
			: typeof o.pepper === "string"
				? new TextEncoder().encode(o.pepper)
				: new Uint8Array(o.pepper);
	return {
		idleMs: o.idleTimeoutMs ?? preset.idleTimeoutMs,
		absMs: o.absoluteTimeoutMs ?? preset.absoluteTimeoutMs,
		graceMs: o.graceMs,
		maxReplays: o.maxGraceReplays,
		maxSessions: o.maxSessionsPerUser,
		denySidMs: o.accessTokenTtlMs + o.leewayMs,
		leewayMs: o.leewayMs,
		traceMode: o.traceMismatch,
		pepper,
	};
}
