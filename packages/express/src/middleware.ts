/**
 * The Express middleware: `req.session`, `requireScopes`, `claimCheck`, the issuer routes of
 * `@xshl/http` as an Express `Router` when a ring and a store are given, and an error handler
 * answering like the other adapters. Glue only: every decision is `@xshl/http`'s. Works on
 * Express 5 and 4 (errors go to `next(err)`, never through a rejected promise).
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
	HttpClaimCheckError,
	nodeRequestHead,
	type SessionServer,
	type SessionServerOptions,
} from "@xshl/http";
import {
	type ErrorRequestHandler,
	type Request as ExpressRequest,
	type Response as ExpressResponse,
	type RequestHandler,
	Router,
} from "express";

/**
 * The claims on `req.session`. Add your own claims by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@xshl/express' { interface XshlClaims { roles: string[] } }
 * ```
 */
export interface XshlClaims extends Readonly<Authenticated["claims"]> {}

declare global {
	namespace Express {
		interface Request {
			/** The verified claims after the xshl middleware (not express-session's session). */
			session?: XshlClaims;
			/** The compact token, its protected header and claims, after the xshl middleware. */
			xshl?: Authenticated<XshlClaims>;
		}
	}
}

/** Options shared by both modes. */
export interface XshlExpressOptions {
	/** `realm` of `WWW-Authenticate`. @default "xshl" */
	realm?: string;
}

/** Resource-server options: `@xshl/http`'s `createAuthenticator` options. */
export interface XshlResourceOptions extends AuthenticatorOptions, XshlExpressOptions {
	readonly ring?: undefined;
}

/** Issuer options: `@xshl/http`'s `createSessionServer` options. */
export interface XshlIssuerOptions extends SessionServerOptions, XshlExpressOptions {}

/** Options of {@link xshl}: an issuer when `ring` and `store` are given, otherwise a resource server. */
export type XshlOptions = XshlResourceOptions | XshlIssuerOptions;

/** What {@link xshl} returns: the authenticating middleware, with its helpers. */
export interface XshlMiddleware extends RequestHandler {
	/**
	 * A middleware that authenticates (when no earlier xshl middleware did) and requires every
	 * scope: 403 `ERR_HTTP_INSUFFICIENT_SCOPE` otherwise.
	 *
	 * @param scopes - the required scopes.
	 * @returns the middleware.
	 */
	requireScopes(...scopes: string[]): RequestHandler;
	/**
	 * A middleware that authenticates (when not done yet) and refuses claims the check rejects:
	 * 401 `ERR_HTTP_CLAIM_CHECK_FAILED`.
	 *
	 * @param check - returns whether the claims are accepted.
	 * @returns the middleware.
	 */
	claimCheck(check: (claims: XshlClaims) => boolean | Promise<boolean>): RequestHandler;
	/** The issuer routes (absolute paths; `app.use(auth.router)`), or `undefined` for a resource server. */
	readonly router: Router | undefined;
	/** The issuer, or `undefined` for a resource server. */
	readonly server: SessionServer | undefined;
	/** The `@xshl/http` authenticator in use (its `verifier` feeds `@xshl/otel`'s `instrument({ verifier })`). */
	readonly authenticator: Pick<Authenticator, "authenticate" | "authenticateHead" | "verifier">;
}

const HOST = "http://xshl.invalid";

function webHeaders(req: ExpressRequest): Headers {
	const h = new Headers();
	for (const [k, v] of Object.entries(req.headers)) {
		if (v === undefined) continue;
		if (Array.isArray(v)) for (const x of v) h.append(k, x);
		else h.set(k, String(v));
	}
	return h;
}

/**
 * The Web `Request` of an Express request (headers, method, path and query; the host is fixed
 * so a `Host` header cannot steer anything, as in `@xshl/fastify`).
 *
 * @param req - the Express request.
 * @param withBody - read the body stream (issuer routes); a body a parser already read is
 * serialized back to JSON.
 * @returns the Web request.
 * @example
 * ```ts
 * const request = toWebRequest(req, false)
 * ```
 */
export function toWebRequest(req: ExpressRequest, withBody: boolean): Request {
	const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: webHeaders(req) };
	if (withBody && req.method !== "GET" && req.method !== "HEAD") {
		if (req.readableEnded && req.body !== undefined) {
			init.body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
		} else if (!req.readableEnded) {
			init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
			init.duplex = "half";
		}
	}
	const url = req.originalUrl || req.url;
	return new Request(`${HOST}${url.startsWith("/") ? url : `/${url}`}`, init);
}

async function sendWeb(res: ExpressResponse, answer: Response): Promise<void> {
	res.status(answer.status);
	answer.headers.forEach((v, k) => {
		if (k !== "set-cookie") res.setHeader(k, v);
	});
	const cookies = answer.headers.getSetCookie();
	if (cookies.length > 0) res.setHeader("set-cookie", cookies);
	if (answer.body === null) res.end();
	else res.end(Buffer.from(await answer.arrayBuffer()));
}

/** Give an xshl error Express's `status` and `headers` (finalhandler sends both). */
function forExpress(err: unknown, realm: string | undefined): unknown {
	const a = errorAnswer(err, realm === undefined ? undefined : { realm });
	if (a.status === 500 || err === null || typeof err !== "object") return err;
	try {
		Object.defineProperty(err, "statusCode", { value: a.status, configurable: true });
		Object.defineProperty(err, "headers", { value: a.headers, configurable: true });
	} catch {
		// a frozen error keeps its own fields
	}
	return err;
}

/**
 * An error middleware answering xshl errors as `{ error: { code, message } }` with their
 * status and headers (`WWW-Authenticate`, `Retry-After`, `Cache-Control: no-store`), like the
 * issuer routes and the other adapters; other errors go on to the next error handler.
 *
 * @param options - the realm of `WWW-Authenticate`.
 * @returns the error middleware; add it after your routes.
 * @example
 * ```ts
 * app.use(xshlErrorHandler())
 * ```
 */
export function xshlErrorHandler(options?: XshlExpressOptions): ErrorRequestHandler {
	const ro = options?.realm === undefined ? undefined : { realm: options.realm };
	return (err, _req, res, next) => {
		const a = errorAnswer(err, ro);
		if (a.status === 500 || res.headersSent) return next(err);
		// res.end, not res.json: no ETag on an error, as on the other adapters
		res
			.status(a.status)
			.set({
				...a.headers,
				"content-type": "application/json; charset=utf-8",
				"cache-control": "no-store",
			})
			.end(JSON.stringify({ error: { code: a.code, message: a.message } }));
	};
}

/**
 * The xshl middleware for Express: verifies the bearer token and sets `req.session`; refusals
 * go to `next(err)` with `status`, `statusCode` and `headers` set (add
 * {@link xshlErrorHandler} for the JSON answer the other adapters give).
 *
 * @param options - `@xshl/http`'s authenticator options, or the issuer's (`ring` and `store`).
 * @returns the middleware, with `requireScopes`, `claimCheck`, `router` and `server`.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for invalid options.
 * @example
 * ```ts
 * import express from 'express'
 * import { RemoteKeySet } from '@xshl/keys'
 * import { xshl, xshlErrorHandler } from '@xshl/express'
 * const auth = xshl({ keys: new RemoteKeySet({ name: 'xshl', url: JWKS_URL }), issuer: ISSUER, audience: 'api' })
 * const app = express()
 * app.get('/me', auth, (req, res) => { res.json({ sub: req.session?.sub }) })
 * app.use(xshlErrorHandler())
 * ```
 */
export function xshl(options: XshlOptions): XshlMiddleware {
	const issuerOptions = options as XshlIssuerOptions;
	const server =
		issuerOptions.ring !== undefined && issuerOptions.store !== undefined
			? createSessionServer(issuerOptions)
			: undefined;
	const authenticator: Pick<Authenticator, "authenticate" | "authenticateHead" | "verifier"> =
		server ?? createAuthenticator(options as AuthenticatorOptions);
	const realm = options.realm;
	const info = (req: ExpressRequest) =>
		req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress };

	const authenticate = async (req: ExpressRequest): Promise<void> => {
		if (req.xshl !== undefined) return;
		// the check reads the URL and a few headers: Express's parsed headers serve, and a WHATWG
		// Request is built only for an `isRevoked` hook (which receives one)
		const a = await authenticator.authenticateHead(
			nodeRequestHead(req.originalUrl || req.url, req.headers),
			info(req),
			() => toWebRequest(req, false),
		);
		req.xshl = a as Authenticated<XshlClaims>;
		req.session = a.claims as XshlClaims;
	};
	const guard =
		(then: (claims: XshlClaims) => void | Promise<void>): RequestHandler =>
		(req, _res, next) => {
			authenticate(req)
				.then(() => then(req.session as XshlClaims))
				.then(
					() => next(),
					(err: unknown) => next(forExpress(err, realm)),
				);
		};

	const middleware = guard(() => {});
	const requireScopes = (...scopes: string[]): RequestHandler =>
		guard((claims) => checkScopes(claims, scopes));
	const claimCheck = (check: (claims: XshlClaims) => boolean | Promise<boolean>): RequestHandler =>
		guard(async (claims) => {
			if (!(await check(claims))) throw new HttpClaimCheckError("The token's claims were refused");
		});

	let router: Router | undefined;
	if (server) {
		router = Router();
		for (const route of server.routes) {
			const method = route.method.toLowerCase() as "get" | "post" | "delete";
			router[method](route.path, (req, res, next) => {
				route
					.handler(toWebRequest(req, true), info(req))
					.then((answer) => sendWeb(res, answer))
					.catch(next);
			});
		}
	}

	return Object.assign(middleware, { requireScopes, claimCheck, router, server, authenticator });
}
