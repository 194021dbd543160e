// RemoteKeySet options: the zod schema with every default, and the checks across options.
import * as z from "zod/v4/mini";
import { MAX_PUBLISHED_KEYS } from "../limits";
import type { RemoteKeySetOptions } from "../remote-key-set-options";
import type { KeyUse } from "../types";
import { configIssue, zodConfigError } from "./config-error";
import type { FetchLike } from "./http";
import { PARSE } from "./zod-parse";

const ms = () => z.int().check(z.nonnegative());
const positive = () => z.int().check(z.nonnegative(), z.minimum(1));
const Schema = z.object({
	name: z.string().check(z.minLength(1, "name must be a non-empty string")),
	url: z.pipe(
		z.union([z.string(), z.instanceof(URL)]),
		z.transform((u: string | URL, ctx) => {
			try {
				const url = new URL(u);
				if (url.protocol === "https:" || url.protocol === "http:") return url;
			} catch {}
			ctx.issues.push({
				code: "custom",
				message: "url must be an absolute http(s) URL",
				input: u,
			});
			return z.NEVER;
		}),
	),
	ttlMs: z._default(ms(), 600_000),
	minTtlMs: z._default(ms(), 60_000),
	maxTtlMs: z._default(ms(), 86_400_000),
	maxStaleMs: z._default(z.union([ms(), z.literal(Number.POSITIVE_INFINITY)]), 43_200_000),
	cooldownMs: z._default(ms(), 30_000),
	timeoutMs: z._default(positive(), 5_000),
	foregroundBudgetMs: z._default(positive(), 10_000),
	retries: z._default(z.int().check(z.minimum(0), z.maximum(10)), 2),
	retryBaseDelayMs: z._default(ms(), 200),
	retryMaxDelayMs: z._default(ms(), 2_000),
	errorBackoffMs: z._default(ms(), 5_000),
	errorBackoffMaxMs: z._default(ms(), 300_000),
	maxResponseBytes: z._default(z.int().check(z.minimum(1)), 131_072),
	maxKeys: z._default(z.int().check(z.minimum(1)), MAX_PUBLISHED_KEYS),
	maxUnknownKids: z._default(z.int().check(z.minimum(1)), 1024),
	use: z.optional(z.enum(["sig", "enc"])),
	headers: z._default(z.record(z.string(), z.string()), {}),
	allowRedirectOrigins: z._default(
		z.array(
			z.string().check(
				z.refine((o) => {
					try {
						return new URL(o).origin === o;
					} catch {
						return false;
					}
				}, "each entry must be an origin such as https://cdn.example"),
			),
		),
		[],
	),
	fetch: z.optional(
		z.custom<FetchLike>((f) => typeof f === "function", "fetch must be a function"),
	),
	dispatcher: z.optional(z.custom<object>((d) => typeof d === "object" && d !== null)),
	autoRefresh: z._default(z.boolean(), false),
	allowInsecureHttp: z._default(z.boolean(), false),
	shareInflight: z.optional(z.boolean()),
	now: z.optional(z.custom<() => number>((f) => typeof f === "function", "now must be a function")),
	random: z.optional(z.custom<() => number>((f) => typeof f === "function")),
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
	const parsed = Schema.safeParse(options, PARSE);
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
