/**
 * The part of a request the bearer check reads, without a WHATWG `Request`: for adapters of
 * Node frameworks (Fastify, Express) whose parsed headers are already at hand.
 */

/**
 * What {@link Authenticator.authenticateHead} reads of a request: its URL (a path with its
 * query is enough: only the query is read, for `?access_token=`) and its headers by name. A
 * WHATWG `Request` is one; {@link nodeRequestHead} makes one from a Node framework's parsed
 * headers.
 */
export interface RequestHead {
	/** The URL, or the path and query as the request line had it. */
	readonly url: string;
	/** Header lookup, with the `Headers.get` contract: `null` when absent. */
	readonly headers: { get(name: string): string | null };
}

/** HTTP whitespace at either end of a header value (what `Headers` strips). */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** What `Headers` refuses in a value: NUL, CR, LF, or a character above U+00FF. */
const REFUSED = /[\0\n\r\u0100-\uffff]/;

/** Anything {@link normalize} has to act on: whitespace at an end, or a refused character. */
const UNUSUAL = /^[\t\n\r ]|[\t\n\r ]$|[\0\n\r\u0100-\uffff]/;

function normalize(value: unknown): string | undefined {
	const text = String(value);
	if (!UNUSUAL.test(text)) return text;
	const s = text.replace(EDGE_WHITESPACE, "");
	return REFUSED.test(s) ? undefined : s;
}

/**
 * A {@link RequestHead} over a Node framework's parsed headers (`IncomingMessage.headers`:
 * lower-case names, a string or a list of strings per name), answering `get` exactly as the
 * WHATWG `Headers` the adapters used to build would: values trimmed of HTTP whitespace, a
 * list joined with `", "` (`"; "` for `cookie`), and a header whose value `Headers` refuses (NUL, CR, LF, a
 * character above U+00FF, in any of its values) absent. Nothing is copied up front: each
 * `get` reads one header.
 *
 * @param url - the request's path and query (`request.url`).
 * @param headers - the parsed headers.
 * @returns the request head.
 * @example
 * ```ts
 * import { createAuthenticator, nodeRequestHead } from '@xshl/http'
 * const { authenticateHead } = createAuthenticator({ keys, issuer: ISSUER, audience: 'api' })
 * const { claims } = await authenticateHead(nodeRequestHead(req.url, req.headers), { remoteAddress: req.socket.remoteAddress })
 * ```
 */
export function nodeRequestHead(
	url: string,
	headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
): RequestHead {
	return {
		url,
		headers: {
			get(name: string): string | null {
				const key = name.toLowerCase();
				if (!Object.hasOwn(headers, key)) return null;
				const value = headers[key];
				if (value === undefined) return null;
				if (Array.isArray(value)) {
					const parts: string[] = [];
					for (const item of value as readonly unknown[]) {
						const v = normalize(item);
						if (v === undefined) return null;
						parts.push(v);
					}
					if (parts.length === 0) return null;
					// undici's Headers joins cookie values with "; " (as Node joins repeated Cookie
					// headers), every other name with ", "
					return parts.join(key === "cookie" ? "; " : ", ");
				}
				return normalize(value) ?? null;
			},
		},
	};
}
