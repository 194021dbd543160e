/**
 * The client's IP address behind trusted proxies, and the rate-limit key of an address.
 */
import { HttpConfigError, type HttpConfigIssue } from "./errors";
import { type Cidr, inCidr, ipPrefix, parseCidr, parseIp } from "./internal/ip";
import type { RequestHead } from "./request-head";

/**
 * Which proxies in front of the server are trusted to append to `X-Forwarded-For`. There is
 * no "trust everything": a client can write any `X-Forwarded-For` it likes.
 *
 * - `{ hops: n }`: exactly `n` proxies (a load balancer is 1); the client is the `n`-th
 *   address from the right of `X-Forwarded-For` + the peer address.
 * - `{ addresses: ["10.0.0.0/8", "192.0.2.7"] }`: the proxies' addresses or CIDR blocks;
 *   the client is the right-most address that is not one of them.
 */
export type TrustedProxies = { readonly hops: number } | { readonly addresses: readonly string[] };

/** What the runtime knows about the connection (Deno's `info.remoteAddr`, Node's socket). */
export interface RequestInfo {
	/** The peer's address (the socket's remote address). */
	readonly remoteAddress?: string | undefined;
}

/**
 * Resolves the client address of a request (its `X-Forwarded-For` is read only with trusted
 * proxies): the address as sent (not normalised), or `""` when unknown.
 */
export type ClientIpResolver = (request: RequestHead, info?: RequestInfo) => string;

const MAX_HOPS = 10;
const MAX_XFF_ENTRIES = 32;

/**
 * Validate trusted-proxy options and build the resolver.
 *
 * @param trusted - the trusted proxies; omit to use the peer address only.
 * @param path - option path for issues.
 * @returns the resolver.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for a hop count outside 0–10, a
 *   malformed address, or a block that covers every address (`0.0.0.0/0`, `::/0`).
 * @example
 * ```ts
 * const ipOf = createClientIpResolver({ hops: 1 })
 * ipOf(new Request('http://x/', { headers: { 'x-forwarded-for': '203.0.113.9' } }), { remoteAddress: '10.0.0.2' }) // '203.0.113.9'
 * ```
 */
export function createClientIpResolver(
	trusted?: TrustedProxies,
	path = "trustedProxies",
): ClientIpResolver {
	const peer = (info?: RequestInfo) => info?.remoteAddress ?? "";
	if (trusted === undefined) return (_request, info) => peer(info);
	const issues: HttpConfigIssue[] = [];
	if ("hops" in trusted) {
		const hops = trusted.hops;
		if (!Number.isInteger(hops) || hops < 0 || hops > MAX_HOPS) {
			issues.push({ path: `${path}.hops`, message: `must be an integer from 0 to ${MAX_HOPS}` });
			throw new HttpConfigError(`${path}.hops: must be an integer from 0 to ${MAX_HOPS}`, issues);
		}
		if (hops === 0) return (_request, info) => peer(info);
		return (request, info) => {
			const chain = [...forwarded(request), peer(info)];
			return chain[Math.max(0, chain.length - 1 - hops)] ?? "";
		};
	}
	const blocks: Cidr[] = [];
	if (!Array.isArray(trusted.addresses)) {
		issues.push({ path: `${path}.addresses`, message: "must be an array of addresses or CIDRs" });
	} else {
		trusted.addresses.forEach((a, i) => {
			const c = typeof a === "string" ? parseCidr(a) : undefined;
			if (!c) issues.push({ path: `${path}.addresses.${i}`, message: "must be an IP or CIDR" });
			else if (c.bits === 0)
				issues.push({
					path: `${path}.addresses.${i}`,
					message: "must not cover every address (no trust-everything)",
				});
			else blocks.push(c);
		});
	}
	if (issues.length > 0)
		throw new HttpConfigError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
	const isTrusted = (a: string) => {
		const ip = parseIp(a);
		return ip !== undefined && blocks.some((b) => inCidr(ip, b));
	};
	return (request, info) => {
		const p = peer(info);
		if (!isTrusted(p)) return p;
		const chain = forwarded(request);
		for (let i = chain.length - 1; i >= 0; i--) {
			const a = chain[i]!;
			if (!isTrusted(a)) return a;
		}
		return chain[0] ?? p;
	};
}

/** The `X-Forwarded-For` entries, left to right, at most the last 32. */
function forwarded(request: RequestHead): string[] {
	const h = request.headers.get("x-forwarded-for");
	if (!h || h.length > 4096) return [];
	return h
		.split(",")
		.map((s) => s.trim())
		.filter((s) => s.length > 0)
		.slice(-MAX_XFF_ENTRIES);
}

/**
 * The rate-limit key of an address: IPv4 as is, IPv6 by its /64 (one customer network),
 * anything unparseable as `unknown`.
 *
 * @param address - the client address.
 * @returns e.g. `ip:203.0.113.9/32` or `ip:2001:db8:0:1:0:0:0:0/64`.
 * @example
 * ```ts
 * ipRateLimitKey('2001:db8::1') === ipRateLimitKey('2001:db8::2') // true
 * ```
 */
export function ipRateLimitKey(address: string): string {
	const ip = parseIp(address);
	return ip ? `ip:${ipPrefix(ip, 32, 64)}` : "ip:unknown";
}
