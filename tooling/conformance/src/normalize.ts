/** An answer as the table compares it: per-login values replaced, attributes kept. */
import { HEADERS } from "./table";

/** The compared parts of an answer. */
export interface Normalized {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Partial<Record<(typeof HEADERS)[number], string>>;
	readonly cookies: readonly string[];
}

const TOKEN_FIELDS: Readonly<Record<string, string>> = {
	access_token: "<token>",
	sid: "<sid>",
	kid: "<kid>",
};

/**
 * `expires_in` is `exp` minus the issuer's clock when it answered, so a second boundary passing
 * between signing and answering (a busy machine) makes it one less than the lifetime: such an
 * answer is read as the lifetime (`exp - iat`); any other value is kept, and the row fails.
 */
function lifetime(token: unknown, expiresIn: unknown): unknown {
	if (typeof token !== "string" || typeof expiresIn !== "number") return expiresIn;
	const payload = token.split(".")[1];
	if (payload === undefined) return expiresIn;
	const { exp, iat } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
		exp?: number;
		iat?: number;
	};
	if (typeof exp !== "number" || typeof iat !== "number") return expiresIn;
	return expiresIn === exp - iat - 1 ? exp - iat : expiresIn;
}

/**
 * Read an answer for comparison.
 *
 * @param res - the answer.
 * @returns status, JSON body (token, sid and kid replaced), the `HEADERS` present (an ETag as
 * `<etag>`), and `Set-Cookie` lines with non-empty values as `<v>`.
 */
export async function normalize(res: Response): Promise<Normalized> {
	const text = await res.text();
	let body: unknown = null;
	if (text !== "") {
		try {
			body = JSON.parse(text) as unknown;
		} catch {
			body = text;
		}
		if (body !== null && typeof body === "object" && !Array.isArray(body)) {
			const o: Record<string, unknown> = { ...(body as Record<string, unknown>) };
			if ("expires_in" in o) o.expires_in = lifetime(o.access_token, o.expires_in);
			for (const [k, v] of Object.entries(TOKEN_FIELDS))
				if (typeof o[k] === "string" && o[k] !== "") o[k] = v;
			body = o;
		}
	}
	const headers: Record<string, string> = {};
	for (const h of HEADERS) {
		const v = res.headers.get(h);
		if (v !== null) headers[h] = h === "etag" && /^(W\/)?"[^"]+"$/.test(v) ? "<etag>" : v;
	}
	const cookies = res.headers.getSetCookie().map((c) => c.replace(/^([^=]+)=[^;]+;/, "$1=<v>;"));
	return { status: res.status, body, headers, cookies };
}
