// A real local HTTP server on 127.0.0.1, port 0, for JWKS endpoints (good and hostile).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
	/** `http://127.0.0.1:<port>` */
	origin: string;
	/** Requests received, by path. */
	hits: string[];
	close(): Promise<void>;
}

/** Starts a server routing by exact path; unknown paths answer 404. */
export async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
	const hits: string[] = [];
	const server = createServer((req, res) => {
		const path = new URL(req.url ?? "/", "http://x").pathname;
		hits.push(path);
		const route = routes[path];
		if (route === undefined) {
			res.writeHead(404).end();
			return;
		}
		void Promise.resolve(route(req, res)).catch(() => res.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		hits,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** A handler answering JSON with the given headers. */
export function json(body: unknown, headers: Record<string, string> = {}): Handler {
	const text = typeof body === "string" ? body : JSON.stringify(body);
	return (_req, res) => {
		res.writeHead(200, { "content-type": "application/json", ...headers }).end(text);
	};
}
