import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

// The keys test JWKS server, written once: a real node:http (or node:https) server on
// 127.0.0.1, counting every request, whose handler a test can swap at any time.

/** A real node:http server on 127.0.0.1, port 0, counting every request. */
export interface TestServer {
	readonly origin: string;
	readonly port: number;
	url(path?: string): string;
	requests: number;
	paths: string[];
	handler: Handler;
	close(): Promise<void>;
}

/**
 * Start a server. `port` (default 0: any free port) lets a test bring an endpoint back up
 * on the port a key set already points at.
 */
export async function startServer(
	handler: Handler,
	server: Server = createServer(),
	proto: "http" | "https" = "http",
	port = 0,
): Promise<TestServer> {
	const s: TestServer = {
		origin: "",
		port: 0,
		url: (path = "/jwks.json") => `${s.origin}${path}`,
		requests: 0,
		paths: [],
		handler,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
	server.on("request", (req, res) => {
		s.requests++;
		s.paths.push(req.url ?? "");
		s.handler(req, res);
	});
	await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
	const bound = (server.address() as AddressInfo).port;
	Object.assign(s, { port: bound, origin: `${proto}://127.0.0.1:${bound}` });
	return s;
}

/** A JWKS server: `{ keys }` as JSON. */
export function startJwksServer(
	keys: unknown[],
	headers: Record<string, string> = {},
): Promise<TestServer> {
	return startServer(json({ keys }, headers));
}

/** Respond with a JSON body. */
export function json(body: unknown, headers: Record<string, string> = {}, status = 200): Handler {
	const text = typeof body === "string" ? body : JSON.stringify(body);
	return (_req, res) => {
		res.writeHead(status, { "content-type": "application/json", ...headers });
		res.end(text);
	};
}

/** A port nothing listens on (a server that was started then closed). */
export async function deadUrl(): Promise<string> {
	const s = await startServer(() => {});
	await s.close();
	return s.url();
}
