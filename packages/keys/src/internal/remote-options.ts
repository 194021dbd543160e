// RemoteKeySet options: the zod schema with every default, and the checks across options.
import * as z from "zod";
import { MAX_PUBLISHED_KEYS } from "../limits";
import type { RemoteKeySetOptions } from "../remote-key-set-options";
import type { KeyUse } from "../types";
import { configIssue, zodConfigError } from "./config-error";
import type { FetchLike } from "./http";

const ms = z.number().int().nonnegative();
const Schema = z.object({
	name: z.string().min(1, "name must be a non-empty string"),
	url: z.union([z.string(), z.instanceof(URL)]).transform((u, ctx) => {
		try {
			const url = new URL(u);
			if (url.protocol === "https:" || url.protocol === "http:") return url;
		} catch {}
		ctx.addIssue({ code: "custom", message: "url must be an absolute http(s) URL" });
		return z.NEVER;
	}),
	ttlMs: ms.default(600_000),
	minTtlMs: ms.default(60_000),
	maxTtlMs: ms.default(86_400_000),
	maxStaleMs: z.union([ms, z.literal(Number.POSITIVE_INFINITY)]).default(43_200_000),
	cooldownMs: ms.default(30_000),
	timeoutMs: ms.min(1).default(5_000),
	foregroundBudgetMs: ms.min(1).default(10_000),
	retries: z.number().int().min(0).max(10).default(2),
	retryBaseDelayMs: ms.default(200),
	retryMaxDelayMs: ms.default(2_000),
	errorBackoffMs: ms.default(5_000),
	errorBackoffMaxMs: ms.default(300_000),
	maxResponseBytes: z.number().int().min(1).default(131_072),
	maxKeys: z.number().int().min(1).default(MAX_PUBLISHED_KEYS),
	maxUnknownKids: z.number().int().min(1).default(1024),
	use: z.enum(["sig", "enc"]).optional(),
	headers: z.record(z.string(), z.string()).default({}),
	allowRedirectOrigins: z
		.array(
			z.string().refine((o) => {
				try {
					return new URL(o).origin === o;
				} catch {
					return false;
				}
			}, "each entry must be an origin such as https://cdn.example"),
		)
		.default([]),
	fetch: z.custom<FetchLike>((f) => typeof f === "function", "fetch must be a function").optional(),
	dispatcher: z.custom<object>((d) => typeof d === "object" && d !== null).optional(),
	autoRefresh: z.boolean().default(false),
	allowInsecureHttp: z.boolean().default(false),
	shareInflight: z.boolean().optional(),
	now: z.custom<() => number>((f) => typeof f === "function", "now must be a function").optional(),
	random: z.custom<() => number>((f) => typeof f === "function").optional(),
});

/** {@link RemoteKeySetOptions} with every default filled in and the URL parsed. */
export interface ResolvedRemoteOptions {
	name: string;
	url: URL;
	ttlMs: number;
	minTtlMs: number;
	maxTtlMs: number;
	maxStaleMs: number;
	cooldownMs: number;
	timeoutMs: number;
	foregroundBudgetMs: number;
	retries: number;
	retryBaseDelayMs: number;
	retryMaxDelayMs: number;
	errorBackoffMs: number;
	errorBackoffMaxMs: number;
	maxResponseBytes: number;
	maxKeys: number;
	maxUnknownKids: number;
	use: KeyUse | undefined;
	headers: Record<string, string>;
	allowRedirectOrigins: string[];
	fetch: FetchLike;
	dispatcher: object | undefined;
	autoRefresh: boolean;
	allowInsecureHttp: boolean;
	shareInflight: boolean | undefined;
	now: () => number;
	random: () => number;
}

/** Whether a URL host is loopback: `localhost`, `127.0.0.0/8` or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
	return (
		hostname === "localhost" ||
		hostname === "[::1]" ||
		/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
	);
}

/**
 * Validate the options and fill in the defaults.
 *
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with every zod issue, when `minTtlMs`
 *   exceeds `maxTtlMs`, when no fetch exists, or for a plain `http:` URL that is not
 *   loopback without `allowInsecureHttp`.
 */
export function resolveRemoteOptions(options: RemoteKeySetOptions): ResolvedRemoteOptions {
	const parsed = Schema.safeParse(options);
	if (!parsed.success) throw zodConfigError("invalid key set options", parsed.error);
	const o = parsed.data;
	if (o.minTtlMs > o.maxTtlMs) throw configIssue("minTtlMs must not exceed maxTtlMs", "minTtlMs");
	return { ...o, use: o.use, shareInflight: o.shareInflight, ...fetchRules(o) };
}

/** The fetch rules every remote document shares (JWKS, revocation feed), once resolved. */
export interface FetchRules {
	dispatcher: object | undefined;
	fetch: FetchLike;
	now: () => number;
	random: () => number;
}

/**
 * The rules a `RemoteKeySet` and a revocation feed client share: `https:` unless the host is
 * loopback or `allowInsecureHttp` is set, a fetch implementation, and the clock and randomness.
 *
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` for a plain `http:` URL off loopback, or
 *   when no fetch exists.
 */
export function fetchRules(o: {
	url: URL;
	allowInsecureHttp: boolean;
	dispatcher?: object | undefined;
	fetch?: FetchLike | undefined;
	now?: (() => number) | undefined;
	random?: (() => number) | undefined;
}): FetchRules {
	if (o.url.protocol === "http:" && !o.allowInsecureHttp && !isLoopbackHost(o.url.hostname))
		throw configIssue(
			"url must be https: (plain http: is only accepted on a loopback host, or with allowInsecureHttp: anyone on the path could serve their own keys)",
			"url",
		);
	const custom = o.fetch;
	if (custom === undefined && typeof globalThis.fetch !== "function")
		throw configIssue("no fetch implementation: pass options.fetch", "fetch");
	return {
		dispatcher: o.dispatcher,
		fetch: custom ?? ((input, init) => globalThis.fetch(input, init)),
		now: o.now ?? Date.now,
		random: o.random ?? Math.random,
	};
}
