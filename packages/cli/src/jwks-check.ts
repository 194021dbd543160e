/**
 * `xshl jwks check`: fetch a JWKS URL with exactly the rules of `@xshl/keys`' `RemoteKeySet`
 * (timeouts over headers and body, size cap, same-origin redirects, TLS verification,
 * retries, key hygiene) and report what a verifier would keep.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */
import { type KeySetHealth, type RejectedKey, RemoteKeySet } from "@xshl/keys";
import { type ReportedError, reported } from "./internal/reported";

/** Options of {@link checkJwks}. */
export interface CheckJwksOptions {
	/** The JWKS URL (`https:`, or `http:` for local development). */
	url: string;
	/** The clock, in ms since the epoch. @default Date.now */
	now?: () => number;
	/** The `fetch` the key set uses (it adds its own timeout signal and redirect policy). @default globalThis.fetch */
	fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** One HTTP response the key set received (each redirect hop and retry). */
export interface JwksResponseSeen {
	/** The URL asked. */
	url: string;
	/** The status. */
	status: number;
	/** The caching and content headers, lower-case names, when present. */
	headers: Record<string, string>;
}

/** A key the key set kept. */
export interface KeptKey {
	/** Its `kid`. */
	kid: string | undefined;
	/** `RSA`, `EC` or `OKP`. */
	kty: string;
	/** Its `alg`, when the JWKS names one. */
	alg: string | undefined;
	/** `sig`, `enc`, or undefined (both). */
	use: string | undefined;
	/** The curve of EC and OKP keys. */
	crv: string | undefined;
	/** The modulus length of RSA keys, in bits. */
	bits: number | undefined;
}

/** What {@link checkJwks} found. */
export interface JwksCheckReport {
	/** The URL checked. */
	url: string;
	/** `true` when the set loaded and no key was rejected (exit status 0). */
	ok: boolean;
	/** Wall time of the load, retries included, in ms. */
	durationMs: number;
	/** Every HTTP response received, in order. */
	responses: JwksResponseSeen[];
	/** Keys a verifier would use. */
	kept: KeptKey[];
	/** Keys dropped, with the reason (private members, small RSA, unknown curve, …). */
	rejected: RejectedKey[];
	/** The freshness the response grants (after clamping to the key set's bounds), when loaded. */
	ttl?: {
		/** In ms. */
		freshMs: number;
		/** When the set stops being fresh, ISO 8601. */
		expiresAt: string;
		/** When a background refresh would start, ISO 8601. */
		refreshAt: string | undefined;
	};
	/** Failed attempts, in order (the key set retries network errors, timeouts, 408, 429, 5xx). */
	attempts: ReportedError[];
	/** Why the set could not be loaded (`ERR_KEYS_UNAVAILABLE` with the fetch error as `cause`). */
	error?: ReportedError & { cause?: ReportedError };
	/** Warnings of the key set (e.g. no content type). */
	warnings: string[];
	/** The key set's readiness after the load. */
	health: KeySetHealth;
}

const HEADERS = [
	"content-type",
	"content-length",
	"cache-control",
	"expires",
	"age",
	"etag",
	"last-modified",
	"location",
	"retry-after",
] as const;

function rsaBits(n: string | undefined): number | undefined {
	if (n === undefined) return undefined;
	const bytes = Buffer.from(n, "base64url");
	let bits = bytes.length * 8;
	for (const b of bytes) {
		if (b === 0) {
			bits -= 8;
			continue;
		}
		bits -= Math.clz32(b) - 24;
		break;
	}
	return bits;
}

/**
 * Loads `url` once with a fresh `RemoteKeySet` (its default options) and reports each HTTP
 * response, the keys kept and rejected (with the reason), the cache headers, the freshness
 * that would apply, failed attempts, and the time taken. Never throws for a bad endpoint: the
 * findings are in the report and `ok` is `false`.
 *
 * @param options - see {@link CheckJwksOptions}.
 * @returns the report.
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when `url` is not an absolute http(s) URL.
 * @example
 * ```ts
 * import { checkJwks } from '@xshl/cli'
 * const report = await checkJwks({ url: 'https://idp.example/.well-known/jwks.json' })
 * console.log(report.ok, report.kept.length, report.ttl?.freshMs)
 * ```
 */
export async function checkJwks(options: CheckJwksOptions): Promise<JwksCheckReport> {
	const now = options.now ?? Date.now;
	const baseFetch = options.fetch ?? globalThis.fetch;
	const responses: JwksResponseSeen[] = [];
	const keys = new RemoteKeySet({
		name: "xshl-cli",
		url: options.url,
		now,
		fetch: async (input, init) => {
			const res = await baseFetch(input, init);
			const headers: Record<string, string> = {};
			for (const name of HEADERS) {
				const value = res.headers.get(name);
				if (value !== null) headers[name] = value;
			}
			responses.push({ url: input, status: res.status, headers });
			return res;
		},
	});
	const rejected: RejectedKey[] = [];
	const attempts: ReportedError[] = [];
	const warnings: string[] = [];
	let freshMs: number | undefined;
	keys.on("keyRejected", (r) => rejected.push({ ...r }));
	keys.on("refreshError", (e) => attempts.push(reported(e.error)));
	keys.on("warning", (w) => warnings.push(w.message));
	keys.on("refresh", (r) => {
		freshMs = r.freshMs;
	});
	const started = performance.now();
	let error: JwksCheckReport["error"];
	try {
		await keys.load();
	} catch (e) {
		error = reported(e);
		const cause = (e as { cause?: unknown }).cause;
		if (cause !== undefined) error.cause = reported(cause);
	}
	const durationMs = Math.round(performance.now() - started);
	try {
		const stats = keys.stats();
		const kept: KeptKey[] = keys.jwks().keys.map((k) => ({
			kid: k.kid,
			kty: k.kty,
			alg: k.alg,
			use: k.use,
			crv: k.crv,
			bits: k.kty === "RSA" ? rsaBits(k.n) : undefined,
		}));
		const report: JwksCheckReport = {
			url: options.url,
			ok: error === undefined && rejected.length === 0,
			durationMs,
			responses,
			kept,
			rejected,
			attempts,
			warnings,
			health: keys.health(),
		};
		if (freshMs !== undefined && stats.expiresAt !== undefined)
			report.ttl = {
				freshMs,
				expiresAt: new Date(stats.expiresAt).toISOString(),
				refreshAt:
					stats.nextRefreshAt === undefined
						? undefined
						: new Date(stats.nextRefreshAt).toISOString(),
			};
		if (error !== undefined) report.error = error;
		return report;
	} finally {
		keys.close();
	}
}
