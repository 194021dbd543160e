/**
 * A feed proxy for the revocation-feed tests: an HTTP server on 127.0.0.1:0 in front of the
 * issuer's `/.well-known/xshl-revocations` that passes requests through, or answers with an
 * older signed document (rollback), a tampered one, or 503 (the feed down).
 */
import { createServer, type Server } from "node:http";

/** What the proxy does with the next requests. */
export type ProxyMode =
	| { kind: "pass" }
	| { kind: "down" }
	| { kind: "serve"; body: string; etag: string };

/** A running feed proxy. */
export interface FeedProxy {
	/** The URL to give resource servers as `ISSUER_REVOCATIONS_URL`. */
	url: string;
	/** Switch what the next requests get. */
	mode: ProxyMode;
	/** Requests answered so far (by mode kind). */
	counts: Record<ProxyMode["kind"], number>;
	close(): Promise<void>;
}

/**
 * Start a proxy in front of `upstream` (the issuer's feed URL).
 *
 * @param upstream - e.g. `http://127.0.0.1:1234/.well-known/xshl-revocations`.
 * @returns the proxy, passing requests through until `mode` changes.
 */
export async function startFeedProxy(upstream: string): Promise<FeedProxy> {
	const proxy: FeedProxy = {
		url: "",
		mode: { kind: "pass" },
		counts: { pass: 0, down: 0, serve: 0 },
		close: async () => {},
	};
	const server: Server = createServer((req, res) => {
		const mode = proxy.mode;
		proxy.counts[mode.kind]++;
		if (mode.kind === "down") {
			res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("down");
			return;
		}
		if (mode.kind === "serve") {
			res
				.writeHead(200, {
					"content-type": "application/json",
					etag: mode.etag,
					"cache-control": "public, max-age=2",
				})
				.end(mode.body);
			return;
		}
		const target = new URL(upstream);
		target.search = new URL(req.url ?? "/", "http://x").search;
		const headers: Record<string, string> = { accept: "application/json" };
		const inm = req.headers["if-none-match"];
		if (typeof inm === "string") headers["if-none-match"] = inm;
		fetch(target, { headers })
			.then(async (up) => {
				const out: Record<string, string> = {};
				for (const name of ["content-type", "etag", "cache-control"]) {
					const v = up.headers.get(name);
					if (v !== null) out[name] = v;
				}
				res.writeHead(up.status, out).end(Buffer.from(await up.arrayBuffer()));
			})
			.catch(() => res.writeHead(502).end());
	});
	await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
	const { port } = server.address() as { port: number };
	proxy.url = `http://127.0.0.1:${port}/.well-known/xshl-revocations`;
	proxy.close = () =>
		new Promise<void>((done) => {
			server.closeAllConnections();
			server.close(() => done());
		});
	return proxy;
}

/**
 * A copy of a signed feed document with its payload changed and the signature kept.
 *
 * @param jws - the compact JWS.
 * @param change - edits the decoded payload.
 * @returns the tampered compact JWS (its signature no longer matches).
 */
export function tamper(jws: string, change: (payload: Record<string, unknown>) => void): string {
	const [header, payload, signature] = jws.split(".");
	const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<
		string,
		unknown
	>;
	change(decoded);
	return `${header}.${Buffer.from(JSON.stringify(decoded)).toString("base64url")}.${signature}`;
}
