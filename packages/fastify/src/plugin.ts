/**
 * The Fastify plugin: `request.session`, `app.xshl.authenticate`, `app.xshl.requireScopes`,
 * and the issuer routes of `@xshl/http` when a ring and a store are given. Glue only: every
 * decision is `@xshl/http`'s.
 */
import { Readable } from "node:stream";
import {
	type Authenticated,
	type Authenticator,
	type AuthenticatorOptions,
	requireScopes as checkScopes,
	createAuthenticator,
	createSessionServer,
	errorAnswer,
	nodeRequestHead,
	type SessionServer,
	type SessionServerOptions,
} from "@xshl/http";
import type {
	FastifyError,
	FastifyInstance,
	FastifyPluginAsync,
	FastifyReply,
	FastifyRequest,
} from "fastify";
import fp from "fastify-plugin";

/**
 * The claims on `request.session`. Add your own claims by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@xshl/fastify' { interface XshlClaims { roles: string[] } }
 * ```
 */
export interface XshlClaims extends Readonly<Authenticated["claims"]> {}

/** A Fastify hook usable as `onRequest`/`preHandler` and with `@fastify/auth`. */
export type XshlHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** What `app.xshl` holds. */
export interface XshlDecorator {
	/**
	 * Verify the bearer token and set `request.session`; throws the typed error (with
	 * `statusCode` and the RFC 6750 `WWW-Authenticate` in `headers`) on failure.
	 */
	readonly authenticate: XshlHook;
	/** A hook that authenticates (when not done yet) and requires every scope. */
	requireScopes(...scopes: string[]): XshlHook;
	/** The `@xshl/http` authenticator in use (its `verifier` feeds `@xshl/otel`'s `instrument({ verifier })`). */
	readonly authenticator: Pick<Authenticator, "authenticate" | "authenticateHead" | "verifier">;
	/** The issuer, when the plugin was given a ring and a store. */
	readonly server: SessionServer | undefined;
}

declare module "fastify" {
	interface FastifyRequest {
		/** The verified claims after `app.xshl.authenticate`, otherwise `null`. */
		session: XshlClaims | null;
	}
	interface FastifyInstance {
		/** xshl sessions: `authenticate`, `requireScopes`, the issuer. */
		xshl: XshlDecorator;
	}
}

/** Resource-server options: `@xshl/http`'s `createAuthenticator` options. */
export interface XshlResourceOptions extends AuthenticatorOptions {
	readonly ring?: undefined;
}

/** Issuer options: `@xshl/http`'s `createSessionServer` options; `mountPath` is the route prefix. */
export interface XshlIssuerOptions extends SessionServerOptions {}

/** Options of the plugin: an issuer when `ring` and `store` are given, otherwise a resource server. */
export type XshlOptions = XshlResourceOptions | XshlIssuerOptions;

const HOST = "http://xshl.invalid";

function webHeaders(request: FastifyRequest): Headers {
	const h = new Headers();
	for (const [k, v] of Object.entries(request.headers)) {
		if (v === undefined) continue;
		// a value a Web Request cannot carry (NUL, characters above U+00FF) is dropped: no
		// browser sends one, and the checks then see the header as absent
		try {
			if (Array.isArray(v)) for (const x of v) h.append(k, x);
			else h.set(k, String(v));
		} catch {
			h.delete(k);
		}
	}
	return h;
}

/**
 * The Web `Request` of a Fastify request (headers, method, URL path and query; the host is
 * fixed so a `Host` header cannot steer anything).
 *
 * @param request - the Fastify request.
 * @param body - a raw body stream, for the issuer routes.
 * @returns the Web request.
 */
export function toWebRequest(request: FastifyRequest, body?: Readable): Request {
	const init: RequestInit & { duplex?: "half" } = {
		method: request.method,
		headers: webHeaders(request),
	};
	if (body && request.method !== "GET" && request.method !== "HEAD") {
		init.body = Readable.toWeb(body) as ReadableStream<Uint8Array>;
		init.duplex = "half";
	}
	// characters a URL may not hold raw (a client can send them) are percent-encoded
	const path = request.url.replace(/[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/g, (c) =>
		encodeURIComponent(c),
	);
	return new Request(`${HOST}${path.startsWith("/") ? path : `/${path}`}`, init);
}

async function sendWeb(reply: FastifyReply, res: Response): Promise<FastifyReply> {
	reply.code(res.status);
	res.headers.forEach((v, k) => {
		if (k !== "set-cookie") reply.header(k, v);
	});
	const cookies = res.headers.getSetCookie();
	if (cookies.length > 0) reply.header("set-cookie", cookies);
	const text = res.body === null ? undefined : await res.text();
	return reply.send(text);
}

/** Give a thrown value Fastify's `statusCode` and `headers` (WWW-Authenticate, Retry-After). */
function forFastify(err: unknown): unknown {
	const a = errorAnswer(err);
	if (a.status === 500 || err === null || typeof err !== "object") return err;
	const e = err as FastifyError & { headers?: Record<string, string> };
	try {
		Object.defineProperty(e, "statusCode", { value: a.status, configurable: true });
		Object.defineProperty(e, "headers", { value: a.headers, configurable: true });
	} catch {
		// a frozen error keeps its own fields
	}
	return e;
}

/**
 * An error handler answering xshl errors as `{ error: { code, message } }` with their status
 * and headers, like the issuer routes; other errors keep Fastify's default shape. Opt in with
 * `app.setErrorHandler(xshlErrorHandler)`.
 *
 * @param error - the error.
 * @param _request - the request.
 * @param reply - the reply.
 * @returns the reply.
 * @example
 * ```ts
 * app.setErrorHandler(xshlErrorHandler)
 * ```
 */
export function xshlErrorHandler(
	error: FastifyError,
	_request: FastifyRequest,
	reply: FastifyReply,
): FastifyReply {
	const a = errorAnswer(error);
	if (a.status === 500 && typeof error.statusCode === "number" && error.statusCode < 500)
		return reply.send(error);
	return reply
		.code(a.status)
		.headers({ ...a.headers, "cache-control": "no-store" })
		.send({ error: { code: a.code, message: a.message } });
}

const plugin = async (app: FastifyInstance, options: XshlOptions): Promise<void> => {
	const issuerOptions =
		(options as XshlIssuerOptions).ring !== undefined &&
		(options as XshlIssuerOptions).store !== undefined
			? (options as XshlIssuerOptions)
			: undefined;
	const server = issuerOptions ? createSessionServer(issuerOptions) : undefined;
	const authenticator: Pick<Authenticator, "authenticate" | "authenticateHead" | "verifier"> =
		server ?? createAuthenticator(options as AuthenticatorOptions);
	const info = (request: FastifyRequest) => ({ remoteAddress: request.socket.remoteAddress });

	const authenticate: XshlHook = async (request) => {
		try {
			// the check reads the URL and a few headers: Fastify's parsed headers serve, and a
			// WHATWG Request is built only for an `isRevoked` hook (which receives one)
			const a = await authenticator.authenticateHead(
				nodeRequestHead(request.url, request.headers),
				info(request),
				() => toWebRequest(request),
			);
			request.session = a.claims as XshlClaims;
		} catch (err) {
			throw forFastify(err);
		}
	};
	const requireScopes =
		(...scopes: string[]): XshlHook =>
		async (request, reply) => {
			if (request.session === null) await authenticate(request, reply);
			try {
				checkScopes(request.session as XshlClaims, scopes);
			} catch (err) {
				throw forFastify(err);
			}
		};

	app.decorateRequest("session", null);
	app.decorate("xshl", { authenticate, requireScopes, authenticator, server });

	if (server) {
		// the issuer routes read their own bodies (size- and depth-bounded by @xshl/http)
		await app.register(async (child) => {
			child.removeAllContentTypeParsers();
			child.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
			for (const route of server.routes) {
				child.route({
					method: route.method,
					url: route.path,
					handler: async (request, reply) =>
						sendWeb(
							reply,
							await route.handler(
								toWebRequest(request, request.body as Readable | undefined),
								info(request),
							),
						),
				});
			}
		});
	}
};

/**
 * The plugin: `app.register(xshl, options)`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { xshl } from '@xshl/fastify'
 * const app = Fastify()
 * await app.register(xshl, { keys: remoteKeySet, issuer: ISSUER, audience: 'api' })
 * app.get('/me', { onRequest: app.xshl.authenticate }, async (request) => ({ sub: request.session?.sub }))
 * ```
 */
export const xshl: FastifyPluginAsync<XshlOptions> = fp(plugin, {
	fastify: "5.x",
	name: "@xshl/fastify",
});
