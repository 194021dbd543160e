/**
 * The Hono middleware: `c.var.session`, `requireScopes`, and the issuer routes of `@xshl/http`
 * as a Hono sub-app when a ring and a store are given. Glue only: every decision is
 * `@xshl/http`'s.
 */
import {
	type Authenticated,
	type Authenticator,
	type AuthenticatorOptions,
	requireScopes as checkScopes,
	createAuthenticator,
	createSessionServer,
	errorAnswer,
	errorResponse,
	type RequestInfo,
	type SessionServer,
	type SessionServerOptions,
} from "@xshl/http";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The claims on `c.var.session`. Add your own claims by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@xshl/hono' { interface XshlClaims { roles: string[] } }
 * ```
 */
export interface XshlClaims extends Readonly<Authenticated["claims"]> {}

/**
 * The Hono environment the middleware sets: `c.var.session` (the verified claims) and
 * `c.var.xshl` (the token, its protected header and the claims).
 *
 * @example
 * ```ts
 * const app = new Hono<XshlEnv>()
 * ```
 */
export interface XshlEnv {
	Variables: {
		/** The verified claims. */
		session: XshlClaims;
		/** The compact token, its protected header and claims. */
		xshl: Authenticated<XshlClaims>;
	};
}

/** Options shared by both modes. */
export interface XshlHonoOptions {
	/**
	 * The peer address, for a trace recipe that binds the IP (`getConnInfo(c).remote.address`
	 * of your runtime's `hono/…` helper). @default the Node server's socket address, otherwise none
	 */
	remoteAddress?: (c: Context) => string | undefined;
	/** `realm` of `WWW-Authenticate`. @default "xshl" */
	realm?: string;
}

/** Resource-server options: `@xshl/http`'s `createAuthenticator` options. */
export interface XshlResourceOptions extends AuthenticatorOptions, XshlHonoOptions {
	readonly ring?: undefined;
}

/** Issuer options: `@xshl/http`'s `createSessionServer` options. */
export interface XshlIssuerOptions extends SessionServerOptions, XshlHonoOptions {}

/** Options of {@link xshl}: an issuer when `ring` and `store` are given, otherwise a resource server. */
export type XshlOptions = XshlResourceOptions | XshlIssuerOptions;

/**
 * The options, or a function of the Worker's `env` bindings returning them: it runs once per
 * isolate (on the first request), so the `RemoteKeySet` it builds is shared by every request.
 */
export type XshlOptionsInput<B = unknown> = XshlOptions | ((env: B) => XshlOptions);

/** What {@link xshl} returns: the authenticating middleware, with its helpers. */
export interface XshlMiddleware extends MiddlewareHandler<XshlEnv> {
	/**
	 * A middleware that authenticates (when no earlier `xshl` middleware did) and requires
	 * every scope; 403 `ERR_HTTP_INSUFFICIENT_SCOPE` with `WWW-Authenticate: Bearer
	 * error="insufficient_scope"` otherwise.
	 *
	 * @param scopes - the required scopes.
	 * @returns the middleware.
	 */
	requireScopes(...scopes: string[]): MiddlewareHandler<XshlEnv>;
	/**
	 * The issuer routes (login, refresh, logout, logout everywhere, sessions, JWKS,
	 * introspection, revocation) as a Hono app with absolute paths: `app.route('/', auth.routes)`.
	 * Other paths fall through to the next handlers (all of them, for a resource server).
	 */
	readonly routes: Hono;
	/**
	 * The issuer of these options, or `undefined` for a resource server.
	 *
	 * @param env - the bindings (for options given as a function).
	 * @returns the session server.
	 */
	server(env?: unknown): SessionServer | undefined;
}

const NODE_SERVER_SOCKET = (c: Context): string | undefined =>
	(c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
		?.remoteAddress;

/** Whether a route path (`/auth/sessions/:sid`) matches a request path. */
function pathMatches(route: string, path: string): boolean {
	const a = route.split("/");
	const b = path.split("/");
	return (
		a.length === b.length && a.every((seg, i) => (seg.startsWith(":") ? b[i] !== "" : seg === b[i]))
	);
}

interface Built {
	readonly options: XshlOptions;
	readonly authenticator: Pick<Authenticator, "authenticate">;
	readonly server: SessionServer | undefined;
}

function build(options: XshlOptions): Built {
	const issuer = options as XshlIssuerOptions;
	const server =
		issuer.ring !== undefined && issuer.store !== undefined
			? createSessionServer(issuer)
			: undefined;
	const authenticator = server ?? createAuthenticator(options as AuthenticatorOptions);
	return { options, authenticator, server };
}

/**
 * The error as Hono sees it: an `HTTPException` whose response is `@xshl/http`'s answer
 * (`{ error: { code, message } }`, status, RFC 6750 `WWW-Authenticate`, `no-store`), with the
 * xshl error as `cause`; anything unexpected is rethrown as is (Hono's `onError`).
 */
function forHono(err: unknown, realm: string | undefined): unknown {
	const ro = realm === undefined ? undefined : { realm };
	const { status } = errorAnswer(err, ro);
	if (status === 500) return err;
	// Hono rebuilds the response with the exception's status, so both carry the same
	return new HTTPException(status as ContentfulStatusCode, {
		res: errorResponse(err, ro),
		cause: err,
	});
}

/**
 * The xshl middleware for Hono. One call per isolate (module scope): it holds the verifier
 * caches and, through your `RemoteKeySet`, the JWKS; a cold key set waits for its first fetch
 * instead of failing the request.
 *
 * @param input - the options, or a function of the Worker's `env` returning them (called once).
 * @returns the middleware setting `c.var.session`, with `requireScopes`, `routes` and `server`.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for invalid options (at the call, or on
 * the first request for options given as a function).
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { RemoteKeySet } from '@xshl/keys'
 * import { xshl, type XshlEnv } from '@xshl/hono'
 * const keys = new RemoteKeySet({ name: 'xshl', url: 'https://auth.example/.well-known/jwks.json' })
 * const auth = xshl({ keys, issuer: ISSUER, audience: 'api' })
 * const app = new Hono<XshlEnv>()
 * app.get('/me', auth, (c) => c.json({ sub: c.var.session.sub }))
 * app.get('/admin', auth.requireScopes('admin'), (c) => c.json({ ok: true }))
 * export default app
 * ```
 */
export function xshl<B = unknown>(input: XshlOptionsInput<B>): XshlMiddleware {
	let eager: Built | undefined = typeof input === "function" ? undefined : build(input);
	const perEnv = new WeakMap<object, Built>();
	const get = (env: unknown): Built => {
		if (eager) return eager;
		const fn = input as (env: B) => XshlOptions;
		if (env === null || typeof env !== "object") {
			eager = build(fn(env as B));
			return eager;
		}
		let b = perEnv.get(env);
		if (!b) {
			b = build(fn(env as B));
			perEnv.set(env, b);
		}
		return b;
	};
	const info = (options: XshlOptions, c: Context): RequestInfo => {
		const remoteAddress = (options.remoteAddress ?? NODE_SERVER_SOCKET)(c);
		return remoteAddress === undefined ? {} : { remoteAddress };
	};

	const authenticate = async (c: Context<XshlEnv>): Promise<void> => {
		const b = get(c.env);
		try {
			const a = await b.authenticator.authenticate(c.req.raw, info(b.options, c));
			c.set("xshl", a as Authenticated<XshlClaims>);
			c.set("session", a.claims as XshlClaims);
		} catch (err) {
			throw forHono(err, b.options.realm);
		}
	};

	const middleware: MiddlewareHandler<XshlEnv> = async (c, next) => {
		await authenticate(c);
		await next();
	};

	const requireScopes =
		(...scopes: string[]): MiddlewareHandler<XshlEnv> =>
		async (c, next) => {
			if (c.get("session") === undefined) await authenticate(c);
			try {
				checkScopes(c.get("session"), scopes);
			} catch (err) {
				throw forHono(err, get(c.env).options.realm);
			}
			await next();
		};

	const routes = new Hono();
	routes.use("*", async (c, next) => {
		const b = get(c.env);
		// each route with its method, like the other adapters: anything else falls through
		if (!b.server?.routes.some((r) => r.method === c.req.method && pathMatches(r.path, c.req.path)))
			return next();
		c.res = await b.server.handle(c.req.raw, info(b.options, c));
	});

	return Object.assign(middleware, {
		requireScopes,
		routes,
		server: (env?: unknown) => get(env).server,
	});
}
