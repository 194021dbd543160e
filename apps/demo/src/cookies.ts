/**
 * Cookie parsing and `Set-Cookie` serialisation, by hand (two cookies, fixed attributes).
 */

/** Cookie attributes the demo uses. */
export interface CookieOptions {
	path: string;
	/** Seconds; 0 clears the cookie. */
	maxAge: number;
	secure: boolean;
	httpOnly?: boolean;
}

/** Names of the two cookies, with the prefix the browser enforces when `secure`. */
export function cookieNames(secure: boolean): { refresh: string; fingerprint: string } {
	return secure
		? { refresh: "__Secure-xshl-rt", fingerprint: "__Host-xshl-fp" }
		: { refresh: "xshl-rt", fingerprint: "xshl-fp" };
}

const VALUE = /^[A-Za-z0-9._~-]*$/;

/**
 * `Set-Cookie` value: `HttpOnly; SameSite=Strict`, `Secure` when asked, never `Domain`.
 *
 * @throws {Error} when the value has characters outside base64url and `.`/`~`.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
	if (!VALUE.test(value)) throw new Error("cookie value has unsupported characters");
	const parts = [
		`${name}=${value}`,
		`Path=${options.path}`,
		`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`,
	];
	if (options.httpOnly !== false) parts.push("HttpOnly");
	if (options.secure) parts.push("Secure");
	parts.push("SameSite=Strict");
	return parts.join("; ");
}

/**
 * Parse a `Cookie` header. Duplicate names keep the first value (RFC 6265 §5.4 orders
 * longer paths first); values are not URL-decoded (ours are base64url).
 *
 * @returns name -> value; malformed pairs are skipped; at most 50 pairs read.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
	const out = new Map<string, string>();
	if (!header || header.length > 8192) return out;
	let n = 0;
	for (const pair of header.split(";")) {
		if (++n > 50) break;
		const at = pair.indexOf("=");
		if (at <= 0) continue;
		const name = pair.slice(0, at).trim();
		let value = pair.slice(at + 1).trim();
		if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
			value = value.slice(1, -1);
		if (!out.has(name)) out.set(name, value);
	}
	return out;
}

/**
 * One cookie's value, exactly as `parseCookies(header).get(name)` returns it (first pair
 * wins, at most 50 pairs read, headers over 8192 characters ignored, surrounding quotes
 * removed), without building the map: the per-request path reads only the fingerprint.
 *
 * @returns the value, or `undefined`.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
	if (!header || header.length > 8192 || !header.includes(name)) return undefined;
	let start = 0;
	for (let n = 1; n <= 50 && start <= header.length; n++) {
		let end = header.indexOf(";", start);
		if (end === -1) end = header.length;
		const at = header.indexOf("=", start);
		if (at > start && at < end && header.slice(start, at).trim() === name) {
			let value = header.slice(at + 1, end).trim();
			if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
				value = value.slice(1, -1);
			return value;
		}
		start = end + 1;
	}
	return undefined;
}
