/**
 * Cookie reading and `Set-Cookie` writing for the two session cookies.
 */
import { HttpHeaderTooLargeError } from "../errors";

/** Names of the two cookies, with the prefix the browser enforces when `secure`. */
export function cookieNames(secure: boolean): { refresh: string; fingerprint: string } {
	return secure
		? { refresh: "__Secure-xshl-rt", fingerprint: "__Host-xshl-fp" }
		: { refresh: "xshl-rt", fingerprint: "xshl-fp" };
}

/**
 * One cookie's value, found wherever it sits in the header (the first pair with that name
 * wins; surrounding quotes removed). A header over `maxHeaderBytes` is refused, not cut: a
 * cut header would silently drop the session cookie behind decoys.
 *
 * @param header - the `Cookie` header.
 * @param name - the cookie name.
 * @param maxHeaderBytes - the size limit.
 * @returns the value, or `undefined`.
 * @throws {HttpHeaderTooLargeError} `ERR_HTTP_HEADER_TOO_LARGE` over the limit.
 */
export function readCookie(
	header: string | null,
	name: string,
	maxHeaderBytes: number,
): string | undefined {
	if (!header) return undefined;
	if (header.length > maxHeaderBytes)
		throw new HttpHeaderTooLargeError(`The Cookie header is larger than ${maxHeaderBytes} bytes`);
	if (!header.includes(name)) return undefined;
	let start = 0;
	while (start <= header.length) {
		let end = header.indexOf(";", start);
		if (end === -1) end = header.length;
		const at = header.indexOf("=", start);
		if (at > start && at < end && header.slice(start, at).trim() === name) {
			let value = header.slice(at + 1, end).trim();
			if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
				value = value.slice(1, -1);
			return value;
		}
		start = end + 1;
	}
	return undefined;
}

/** Attributes of a session cookie. */
export interface CookieAttributes {
	readonly path: string;
	/** Seconds; 0 clears the cookie. */
	readonly maxAgeSeconds: number;
	readonly secure: boolean;
}

const VALUE = /^[A-Za-z0-9._~-]*$/;

/**
 * A `Set-Cookie` value: `HttpOnly; SameSite=Strict`, `Secure` when asked, never `Domain`.
 *
 * @throws {Error} when the value has characters outside base64url and `.`/`~`.
 */
export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
	if (!VALUE.test(value)) throw new Error("cookie value has unsupported characters");
	const parts = [
		`${name}=${value}`,
		`Path=${a.path}`,
		`Max-Age=${Math.max(0, Math.floor(a.maxAgeSeconds))}`,
		"HttpOnly",
	];
	if (a.secure) parts.push("Secure");
	parts.push("SameSite=Strict");
	return parts.join("; ");
}
