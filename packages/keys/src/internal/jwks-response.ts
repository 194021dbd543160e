// The framework-neutral HTTP answer of a JWKS endpoint: content type, cache headers that
// follow the next scheduled switch, a strong ETag, and 304 on If-None-Match.
import { base64url } from "jose";
import type { JwksRequestLike, JwksResponse } from "../ring-types";

/**
 * @param body - the JWKS JSON text.
 * @param maxAgeMs - how long verifiers may cache it, in ms (sent in whole seconds).
 * @param untilSwitchMs - time left before the next scheduled switch, in ms (`Infinity`: none).
 * @param request - the request; only `If-None-Match` is read.
 */
export async function jwksResponse(
	body: string,
	maxAgeMs: number,
	untilSwitchMs: number,
	request: JwksRequestLike | undefined,
): Promise<JwksResponse> {
	const untilSwitch = Math.floor(untilSwitchMs / 1000);
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
	const etag = `"${base64url.encode(new Uint8Array(digest))}"`;
	const maxAge = Math.min(Math.floor(maxAgeMs / 1000), untilSwitch);
	const headers: Record<string, string> = {
		"content-type": "application/jwk-set+json",
		"cache-control":
			untilSwitch <= 60
				? "no-cache"
				: `public, max-age=${maxAge}, stale-while-revalidate=60, stale-if-error=86400`,
		etag,
	};
	const h = request?.headers;
	let inm: string | string[] | null | undefined;
	if (h !== undefined)
		inm =
			h instanceof Headers ? h.get("if-none-match") : (h["if-none-match"] ?? h["If-None-Match"]);
	const tags = (Array.isArray(inm) ? inm.join(",") : (inm ?? ""))
		.split(",")
		.map((t) => t.trim().replace(/^W\//, ""));
	if (tags.includes(etag) || tags.includes("*")) return { status: 304, headers, body: "" };
	return { status: 200, headers, body };
}
