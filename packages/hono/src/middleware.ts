/**
 * The Hono middleware: `c.var.session`, `requireScopes`, and the issuer routes of `@xshl/http`
 * as a Hono sub-app when a ring and a store are given. Glue only: every decision is
 * `@xshl/http`'s. A resource server that never issues imports `@xshl/hono/resource` instead.
 */
import {
	type AuthenticatorOptions,
	createAuthenticator,
	createSessionServer,
	type SessionServer,
	type SessionServerOptions,
} from "@xshl/http";
import { Hono } from "hono";
import { type Built, createGlue, refreshOf, requestInfo } from "./internal/glue";
import type { XshlHonoOptions, XshlResourceMiddleware, XshlResourceOptions } from "./types";

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
export interface XshlMiddleware extends XshlResourceMiddleware {
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

/** Whether a route path (`/auth/sessions/:sid`) matches a request path. */
function pathMatches(route: string, path: string): boolean {
	const a = route.split("/");
	const b = path.split("/");
	return (
		a.length === b.length && a.every((seg, i) => (seg.startsWith(":") ? b[i] !== "" : seg === b[i]))
	);
}

interface BuiltIssuer extends Built<XshlOptions> {
	readonly server: SessionServer | undefined;
}

function build(options: XshlOptions): BuiltIssuer {
	const issuer = options as XshlIssuerOptions;
	const server =
		issuer.ring !== undefined && issuer.store !== undefined
			? createSessionServer(issuer)
			: undefined;
	const authenticator = server ?? createAuthenticator(options as AuthenticatorOptions);
	return { options, authenticator, server, refresh: refreshOf(options) };
}

/**
 * The xshl middleware for Hono, issuer routes included. One call per isolate (module scope):
 * it holds the verifier caches and, through your `RemoteKeySet`, the JWKS; a cold key set
 * waits for its first fetch instead of failing the request. A resource server imports the same
 * `xshl` from `@xshl/hono/resource`, which carries no issuer code.
 *
 * @param input - the options, or a function of the Worker's `env` returning them (called once).
 * @returns the middleware setting `c.var.session`, with `requireScopes`, `routes` and `server`.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for invalid options (at the call, or on
 * the first request for options given as a function).
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { KeyRing } from '@xshl/keys/ring'
 * import { MemoryStore } from '@xshl/session-store'
 * import { xshl, type XshlEnv } from '@xshl/hono'
 * const auth = xshl({ ring, store: new MemoryStore(), issuer: ISSUER, audience: 'api', authenticate })
 * const app = new Hono<XshlEnv>().route('/', auth.routes)
 * app.get('/admin', auth.requireScopes('admin'), (c) => c.json({ ok: true }))
 * export default app
 * ```
 */
export function xshl<B = unknown>(input: XshlOptionsInput<B>): XshlMiddleware {
	const glue = createGlue<XshlOptions, BuiltIssuer>(input, build);
	const routes = new Hono();
	routes.use("*", async (c, next) => {
		const b = glue.get(c.env);
		// each route with its method, like the other adapters: anything else falls through
		if (!b.server?.routes.some((r) => r.method === c.req.method && pathMatches(r.path, c.req.path)))
			return next();
		c.res = await b.server.handle(c.req.raw, requestInfo(b.options, c));
	});
	return Object.assign(glue.middleware, {
		requireScopes: glue.requireScopes,
		routes,
		server: (env?: unknown) => glue.get(env).server,
	});
}
