// A KeyRing serving its JWKS on a local HTTP server (port 0), which can be switched to fail.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KeyRing } from "@xshl/keys/ring";

export interface JwksServer {
	ring: KeyRing;
	url: string;
	/** Answer 500 from now on (or serve again with `false`). */
	fail(on: boolean): void;
	/** Serve `{ feed }` (a signed revocation feed document) at `/.well-known/xshl-revocations`. */
	serveFeed(feed: string): void;
	close(): Promise<void>;
}

export async function jwksServer(): Promise<JwksServer> {
	const ring = await KeyRing.generate({ signing: "ES256" });
	let failing = false;
	let feed: string | undefined;
	const server: Server = createServer(async (req, res) => {
		if (failing) {
			res.writeHead(500).end();
			return;
		}
		if (feed !== undefined && req.url?.startsWith("/.well-known/xshl-revocations")) {
			res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ feed }));
			return;
		}
		const r = await ring.jwksResponse({ headers: req.headers });
		res.writeHead(r.status, r.headers).end(r.body);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		ring,
		url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
		fail: (on) => {
			failing = on;
		},
		serveFeed: (document) => {
			feed = document;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
