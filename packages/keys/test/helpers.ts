import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

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

export async function startServer(
	handler: Handler,
	server: Server = createServer(),
	proto: "http" | "https" = "http",
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
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as AddressInfo).port;
	Object.assign(s, { port, origin: `${proto}://127.0.0.1:${port}` });
	return s;
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

export interface TestKey {
	kid: string;
	alg: string;
	privateKey: CryptoKey;
	publicJwk: JWK;
}

export async function makeKey(
	kid: string,
	alg = "ES256",
	extra: Partial<JWK> = {},
): Promise<TestKey> {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
	const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig", ...extra };
	return { kid, alg, privateKey: privateKey as CryptoKey, publicJwk };
}

export async function sign(
	key: TestKey,
	claims: Record<string, unknown> = { sub: "u1" },
	header: Record<string, unknown> = {},
): Promise<string> {
	return new SignJWT(claims)
		.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
		.setIssuedAt()
		.setExpirationTime("2h")
		.sign(key.privateKey);
}

/** A fake clock in ms. */
export function clock(start = 1_800_000_000_000): {
	now: () => number;
	advance(ms: number): void;
	t: number;
} {
	const c = {
		t: start,
		now: () => c.t,
		advance(ms: number) {
			c.t += ms;
		},
	};
	return c;
}

/** Resolve when the key set emits the event once (on the next macrotask). */
export function once<T>(on: (listener: (e: T) => void) => () => void): Promise<T> {
	return new Promise((resolve) => {
		const off = on((e) => {
			off();
			// after the current fetch has fully settled (its finally has run)
			setImmediate(() => resolve(e));
		});
	});
}

/** Wait until the key set has no fetch in flight (polls on the event loop, no fixed sleep). */
export async function idle(ks: { stats(): { inFlight: boolean } }): Promise<void> {
	while (ks.stats().inFlight) await new Promise((r) => setImmediate(r));
}

/** Resolve with the final refreshError of the next failed refresh. */
export function finalError(ks: {
	on(type: "refreshError", l: (e: { final: boolean; error: unknown }) => void): () => void;
}): Promise<{ error: Caught; final: boolean }> {
	return new Promise((resolve) => {
		const off = ks.on("refreshError", (e) => {
			if (!e.final) return;
			off();
			setImmediate(() => resolve(e as never));
		});
	});
}

/** A caught error with the fields tests read (code, reason, cause, status, ...). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary typed-error fields
export type Caught = { name: string; message: string; cause: any; [field: string]: any };

/** The rejection of a promise that must reject. */
export async function rejection(p: Promise<unknown>): Promise<Caught> {
	try {
		await p;
	} catch (e) {
		return e as Caught;
	}
	throw new Error("expected a rejection");
}
