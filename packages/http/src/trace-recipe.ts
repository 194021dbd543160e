/**
 * The trace recipe: which parts of a request a token is bound to, as one named, versioned
 * object the issuer and every verifier import, so they cannot drift.
 */
import { Trace } from "@xshl/trace";
import { HttpConfigError, type HttpConfigIssue, type TracePartName } from "./errors";
import { ipPrefix, parseIp } from "./internal/ip";

/**
 * A trace recipe. Parts, in this order: the per-login fingerprint salt (a cookie), the client
 * IP prefix (only when `ip` is set), the user agent (last, it may contain `:`).
 */
export interface TraceRecipe {
	/** Recipe name, e.g. `xshl-web`. */
	readonly name: string;
	/** Recipe version; bump it whenever the parts or their form change. */
	readonly version: number;
	/** `name@version`, written into tokens (`trp.r`) and compared by verifiers. */
	readonly id: string;
	/** Bind the client IP: the prefix lengths kept, or `false` (not bound). @default false */
	readonly ip: false | { readonly v4PrefixBits: number; readonly v6PrefixBits: number };
	/** Bytes of the user agent kept (longer ones are cut). @default 512 */
	readonly maxUserAgentBytes: number;
}

/** Options of {@link defineTraceRecipe}. */
export interface TraceRecipeInput {
	/** Recipe name: 1 to 64 of `A-Z a-z 0-9 . _ -`. */
	name: string;
	/** Positive integer. */
	version: number;
	/** Bind the client IP prefix. @default false */
	ip?: false | { v4PrefixBits: number; v6PrefixBits: number };
	/** Bytes of the user agent kept. @default 512 */
	maxUserAgentBytes?: number;
}

/**
 * Define a recipe (frozen).
 *
 * @param input - name, version and parts.
 * @returns the recipe.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for a bad name, version or prefix length.
 * @example
 * ```ts
 * export const RECIPE = defineTraceRecipe({ name: 'shop-web', version: 2, ip: { v4PrefixBits: 24, v6PrefixBits: 48 } })
 * ```
 */
export function defineTraceRecipe(input: TraceRecipeInput): TraceRecipe {
	const issues: HttpConfigIssue[] = [];
	if (typeof input?.name !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(input.name))
		issues.push({ path: "name", message: "must be 1 to 64 of A-Z a-z 0-9 . _ -" });
	if (!Number.isSafeInteger(input?.version) || input.version < 1)
		issues.push({ path: "version", message: "must be a positive integer" });
	const ip = input?.ip ?? false;
	if (ip !== false) {
		if (!Number.isInteger(ip.v4PrefixBits) || ip.v4PrefixBits < 8 || ip.v4PrefixBits > 32)
			issues.push({ path: "ip.v4PrefixBits", message: "must be an integer from 8 to 32" });
		if (!Number.isInteger(ip.v6PrefixBits) || ip.v6PrefixBits < 16 || ip.v6PrefixBits > 128)
			issues.push({ path: "ip.v6PrefixBits", message: "must be an integer from 16 to 128" });
	}
	const maxUa = input?.maxUserAgentBytes ?? 512;
	if (!Number.isInteger(maxUa) || maxUa < 0 || maxUa > 4096)
		issues.push({ path: "maxUserAgentBytes", message: "must be an integer from 0 to 4096" });
	if (issues.length > 0)
		throw new HttpConfigError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
	return Object.freeze({
		name: input.name,
		version: input.version,
		id: `${input.name}@${input.version}`,
		ip: ip === false ? false : Object.freeze({ ...ip }),
		maxUserAgentBytes: maxUa,
	});
}

/**
 * The default recipe, `xshl-web@1`: fingerprint salt and user agent, no IP (mobile clients
 * change networks). Import it on the issuer and on every verifier.
 *
 * @example
 * ```ts
 * import { WEB_TRACE_RECIPE } from '@xshl/http'
 * createAuthenticator({ keys, issuer, audience, trace: WEB_TRACE_RECIPE })
 * ```
 */
export const WEB_TRACE_RECIPE: TraceRecipe = defineTraceRecipe({ name: "xshl-web", version: 1 });

/** The trace parts of one request, before hashing. */
export interface TraceParts {
	/** The per-login salt from the fingerprint cookie; `""` when absent or malformed. */
	readonly salt: string;
	/** The IP prefix text, only when the recipe binds the IP. */
	readonly ip: string | undefined;
	/** The user agent, cut to the recipe's limit; `""` when absent. */
	readonly ua: string;
}

const SALT = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * The parts of a request under a recipe.
 *
 * @param recipe - the recipe.
 * @param input - the fingerprint cookie value, the client address and the user agent.
 * @returns the parts (malformed salt → `""`).
 */
export function traceParts(
	recipe: TraceRecipe,
	input: { fingerprint: string | undefined; ip: string; userAgent: string | null },
): TraceParts {
	const salt =
		input.fingerprint !== undefined && SALT.test(input.fingerprint) ? input.fingerprint : "";
	let ip: string | undefined;
	if (recipe.ip !== false) {
		const parsed = parseIp(input.ip);
		ip = parsed ? ipPrefix(parsed, recipe.ip.v4PrefixBits, recipe.ip.v6PrefixBits) : "unknown";
	}
	return { salt, ip, ua: cut(input.userAgent ?? "", recipe.maxUserAgentBytes) };
}

/** Cut a string to at most `max` UTF-8 bytes without splitting a character. */
function cut(s: string, max: number): string {
	if (s.length * 3 <= max) return s;
	const bytes = new TextEncoder().encode(s);
	if (bytes.length <= max) return s;
	return new TextDecoder().decode(bytes.subarray(0, max)).replace(/\uFFFD+$/, "");
}

/**
 * The `Trace` of some parts: salt, IP (when bound), user agent.
 *
 * @param parts - the parts.
 * @returns the trace.
 */
export function traceOf(parts: TraceParts): Trace {
	return parts.ip === undefined
		? new Trace(parts.salt, parts.ua)
		: new Trace(parts.salt, parts.ip, parts.ua);
}

/**
 * A string that identifies parts exactly (a cache key).
 *
 * @param parts - the parts.
 * @returns the key.
 */
export function tracePartsKey(parts: TraceParts): string {
	return parts.ip === undefined
		? `u|${parts.salt}|${parts.ua}`
		: `i|${parts.salt}|${parts.ip.length}|${parts.ip}|${parts.ua}`;
}

/**
 * The `trp` claim: the recipe id and, per part, 8 base64url characters of an HMAC keyed by
 * the secret salt, so a token holder cannot recover the IP or user agent from it, and a
 * verifier can say which part differed.
 */
export interface TracePartDigests {
	/** Recipe id. */
	readonly r: string;
	/** Digest of the fingerprint salt. */
	readonly fp: string;
	/** Digest of the user agent. */
	readonly ua: string;
	/** Digest of the IP prefix, when bound. */
	readonly ip?: string;
}

const enc = new TextEncoder();

async function digest(salt: string, message: string): Promise<string> {
	const key = await crypto.subtle.importKey(
		"raw",
		enc.encode(`xshl-trace-part:${salt}`),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
	let bin = "";
	for (const b of mac.subarray(0, 6)) bin += String.fromCharCode(b);
	return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * The part digests of a request (written into the token at issue).
 *
 * @param recipe - the recipe.
 * @param parts - the parts.
 * @returns the `trp` claim value.
 */
export async function tracePartDigests(
	recipe: TraceRecipe,
	parts: TraceParts,
): Promise<TracePartDigests> {
	const [fp, ua, ip] = await Promise.all([
		digest(parts.salt, `${recipe.id}|fingerprint`),
		digest(parts.salt, `${recipe.id}|userAgent|${parts.ua}`),
		parts.ip === undefined ? undefined : digest(parts.salt, `${recipe.id}|ip|${parts.ip}`),
	]);
	return ip === undefined ? { r: recipe.id, fp, ua } : { r: recipe.id, fp, ua, ip };
}

/**
 * Which part differs between a token's `trp` claim and a request, or `"recipe"` when the
 * token names another recipe.
 *
 * @param recipe - the verifier's recipe.
 * @param claim - the token's `trp` claim (anything).
 * @param parts - the request's parts.
 * @returns the differing part (`"unknown"` when the claim is absent or nothing differs).
 */
export async function diagnoseTrace(
	recipe: TraceRecipe,
	claim: unknown,
	parts: TraceParts,
): Promise<TracePartName | { recipe: string }> {
	if (claim === null || typeof claim !== "object") return "unknown";
	const c = claim as Record<string, unknown>;
	if (typeof c.r !== "string") return "unknown";
	if (c.r !== recipe.id) return { recipe: c.r.slice(0, 80) };
	const mine = await tracePartDigests(recipe, parts);
	if (c.fp !== mine.fp) return "fingerprint";
	if (mine.ip !== undefined && c.ip !== mine.ip) return "ip";
	if (c.ua !== mine.ua) return "userAgent";
	return "unknown";
}
