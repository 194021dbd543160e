/**
 * Store options (validated by zod when a store is built), timeout presets and defaults.
 *
 * Import from `@xshl/session-store`.
 *
 * @module
 */
import * as z from "zod";
import type { StoreEvent } from "./contract";
import { StoreConfigError } from "./errors";

/**
 * Timeout presets: idle (sliding) and absolute (from `auth_time`) lifetimes in seconds.
 * `device` requires trace binding (`traceMismatch` other than `allow`).
 *
 * @example
 * ```ts
 * import { SESSION_PRESETS } from '@xshl/session-store'
 * SESSION_PRESETS.sensitive // { idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 86400 }
 * ```
 */
export const SESSION_PRESETS: {
	readonly standard: {
		readonly idleTimeoutSeconds: number;
		readonly absoluteTimeoutSeconds: number;
	};
	readonly sensitive: {
		readonly idleTimeoutSeconds: number;
		readonly absoluteTimeoutSeconds: number;
	};
	readonly device: { readonly idleTimeoutSeconds: number; readonly absoluteTimeoutSeconds: number };
} = {
	standard: { idleTimeoutSeconds: 24 * 3600, absoluteTimeoutSeconds: 7 * 86400 },
	sensitive: { idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 86400 },
	device: { idleTimeoutSeconds: 30 * 86400, absoluteTimeoutSeconds: 90 * 86400 },
};

/** Name of a {@link SESSION_PRESETS} entry. */
export type SessionPreset = keyof typeof SESSION_PRESETS;

/** What happens when a refresh comes with another trace than the login's. */
export type TraceMismatchPolicy = "reject" | "revoke-family" | "allow";

/** Options common to every store. */
export interface StoreOptions {
	/**
	 * Timeout preset.
	 * @default "standard" (24 h idle, 7 d absolute)
	 */
	preset?: SessionPreset;
	/**
	 * Sliding idle timeout in seconds (1 s – 90 d); overrides the preset.
	 * @default 86400 (24 h, preset `standard`)
	 */
	idleTimeoutSeconds?: number;
	/**
	 * Absolute timeout from `auth_time` in seconds (1 s – 400 d); never extended by rotation.
	 * @default 604800 (7 d, preset `standard`)
	 */
	absoluteTimeoutSeconds?: number;
	/**
	 * Grace window for racing tabs, seconds (0–60; 0 disables it).
	 * @default 10
	 */
	graceSeconds?: number;
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
	 * Access-token lifetime in seconds (1–900): a revoked family's `sid` stays denylisted this
	 * long plus leeway.
	 * @default 120
	 */
	accessTokenTtlSeconds?: number;
	/**
	 * Clock leeway in seconds (0–60) added to every denylist entry.
	 * @default 5
	 */
	leewaySeconds?: number;
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
	/** Audit hook, called synchronously after each state change; exceptions are swallowed. */
	onEvent?: (event: StoreEvent) => void;
}

const eventHook = z.custom<(event: StoreEvent) => void>((v) => typeof v === "function", {
	message: "expected a function",
});

const commonShape = {
	preset: z.enum(["standard", "sensitive", "device"]).default("standard"),
	idleTimeoutSeconds: z
		.number()
		.int()
		.min(1)
		.max(90 * 86400)
		.optional(),
	absoluteTimeoutSeconds: z
		.number()
		.int()
		.min(1)
		.max(400 * 86400)
		.optional(),
	graceSeconds: z.number().min(0).max(60).default(10),
	maxGraceReplays: z.number().int().min(0).max(3).default(3),
	maxSessionsPerUser: z.number().int().min(1).max(1000).default(50),
	accessTokenTtlSeconds: z.number().int().min(1).max(900).default(120),
	leewaySeconds: z.number().int().min(0).max(60).default(5),
	traceMismatch: z.enum(["reject", "revoke-family", "allow"]).default("reject"),
	pepper: z
		.union([
			z.string().min(32, "a pepper string needs at least 32 characters"),
			z.instanceof(Uint8Array).refine((b) => b.length >= 32, "a pepper needs at least 32 bytes"),
		])
		.optional(),
	onEvent: eventHook.optional(),
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
	onEvent: ((event: StoreEvent) => void) | undefined;
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
		const issues = result.error.issues.map((i) => ({
			path: i.path.map(String).join("."),
			message: i.message,
		}));
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
	idleTimeoutSeconds?: number | undefined;
	absoluteTimeoutSeconds?: number | undefined;
	graceSeconds: number;
	maxGraceReplays: number;
	maxSessionsPerUser: number;
	accessTokenTtlSeconds: number;
	leewaySeconds: number;
	traceMismatch: TraceMismatchPolicy;
	pepper?: string | Uint8Array | undefined;
	onEvent?: ((event: StoreEvent) => void) | undefined;
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
		idleMs: (o.idleTimeoutSeconds ?? preset.idleTimeoutSeconds) * 1000,
		absMs: (o.absoluteTimeoutSeconds ?? preset.absoluteTimeoutSeconds) * 1000,
		graceMs: Math.round(o.graceSeconds * 1000),
		maxReplays: o.maxGraceReplays,
		maxSessions: o.maxSessionsPerUser,
		denySidMs: (o.accessTokenTtlSeconds + o.leewaySeconds) * 1000,
		leewayMs: o.leewaySeconds * 1000,
		traceMode: o.traceMismatch,
		pepper,
		onEvent: o.onEvent,
	};
}
