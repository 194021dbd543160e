// RevocationFeedClient options: the zod schema with every default.
import * as z from "zod";
import type { RevocationFeedClientOptions } from "../revocations";
import type { KeySet } from "../types";
import { zodConfigError } from "./config-error";
import type { FetchLike } from "./http";
import { fetchRules } from "./remote-options";

const ms = z.number().int().nonnegative();
const Schema = z.object({
	url: z.union([z.string(), z.instanceof(URL)]).transform((u, ctx) => {
		try {
			const url = new URL(u);
			if (url.protocol === "https:" || url.protocol === "http:") return url;
		} catch {}
		ctx.addIssue({ code: "custom", message: "url must be an absolute http(s) URL" });
		return z.NEVER;
	}),
	keys: z.custom<KeySet>(
		(v) =>
			v !== null &&
			typeof v === "object" &&
			typeof (v as KeySet).resolver === "function" &&
			typeof (v as KeySet).algorithms === "function" &&
			typeof (v as KeySet).load === "function",
		"keys must be a key set (RemoteKeySet or LocalKeySet)",
	),
	pollMs: ms.min(100).default(2_000),
	maxStaleMs: ms.min(1).default(60_000),
	policy: z.enum(["fail-closed", "fail-open"]).default("fail-closed"),
	timeoutMs: ms.min(1).default(5_000),
	foregroundBudgetMs: ms.min(1).default(10_000),
	retries: z.number().int().min(0).max(10).default(1),
	retryBaseDelayMs: ms.default(200),
	retryMaxDelayMs: ms.default(2_000),
	errorBackoffMs: ms.default(1_000),
	errorBackoffMaxMs: ms.default(30_000),
	maxResponseBytes: z.number().int().min(1).default(4_194_304),
	headers: z.record(z.string(), z.string()).default({}),
	allowRedirectOrigins: z.array(z.string()).default([]),
	fetch: z.custom<FetchLike>((f) => typeof f === "function", "fetch must be a function").optional(),
	dispatcher: z.custom<object>((d) => typeof d === "object" && d !== null).optional(),
	autoRefresh: z.boolean().default(false),
	push: z.boolean().default(false),
	pushIdleMs: ms.min(1).default(45_000),
	allowInsecureHttp: z.boolean().default(false),
	now: z.custom<() => number>((f) => typeof f === "function", "now must be a function").optional(),
	random: z.custom<() => number>((f) => typeof f === "function").optional(),
});

/** The options with every default filled in. */
export interface ResolvedFeedOptions {
	url: URL;
	keys: KeySet;
	pollMs: number;
	maxStaleMs: number;
	policy: "fail-closed" | "fail-open";
	timeoutMs: number;
	foregroundBudgetMs: number;
	retries: number;
	retryBaseDelayMs: number;
	retryMaxDelayMs: number;
	errorBackoffMs: number;
	errorBackoffMaxMs: number;
	maxResponseBytes: number;
	headers: Record<string, string>;
	allowRedirectOrigins: string[];
	fetch: FetchLike;
	dispatcher: object | undefined;
	autoRefresh: boolean;
	push: boolean;
	pushIdleMs: number;
	allowInsecureHttp: boolean;
	now: () => number;
	random: () => number;
}

/**
 * Validate the options and fill in the defaults.
 *
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with every zod issue, or for a plain
 *   `http:` URL that is not loopback without `allowInsecureHttp`.
 */
export function resolveFeedOptions(options: RevocationFeedClientOptions): ResolvedFeedOptions {
	const parsed = Schema.safeParse(options);
	if (!parsed.success) throw zodConfigError("invalid revocation feed options", parsed.error);
	const o = parsed.data;
	return { ...o, ...fetchRules(o) };
}
