/**
 * The types both entries share (`@xshl/hono` and `@xshl/hono/resource`): the claims on
 * `c.var.session`, the Hono environment, the options and the resource middleware.
 */
import type { Authenticated, AuthenticatorOptions } from "@xshl/http";
import type { Context, MiddlewareHandler } from "hono";

/**
 * The claims on `c.var.session`. Add your own claims by declaration merging (either entry's
 * name merges into this one interface):
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
	/**
	 * Refresh `revocations` from requests instead of timers, every this many ms: for Cloudflare
	 * Workers, where an isolate may start timers only inside a request (give the
	 * `RevocationFeedClient` `autoRefresh: false`). A request that finds the state held older
	 * than this starts `revocations.load()` in the background (kept alive with
	 * `c.executionCtx.waitUntil` where the runtime has one) and answers from the state held; a
	 * request that finds no state, or one past the client's `maxStaleMs`, waits for the load.
	 * After a failed load the next one waits this long, doubling per failure up to 60 s.
	 * Needs a source with `load()` and `health()` (`RevocationFeedClient` of
	 * `@xshl/keys/revocations`).
	 * @default undefined (the source refreshes itself: `autoRefresh: true` on Node, Bun, Deno)
	 */
	revocationsRefreshMs?: number;
}

/** Resource-server options: `@xshl/http`'s `createAuthenticator` options. */
export interface XshlResourceOptions extends AuthenticatorOptions, XshlHonoOptions {
	readonly ring?: undefined;
}

/**
 * The resource-server options, or a function of the Worker's `env` bindings returning them:
 * it runs once per isolate (on the first request), so the `RemoteKeySet` and feed client it
 * builds are shared by every request.
 */
export type XshlResourceOptionsInput<B = unknown> =
	| XshlResourceOptions
	| ((env: B) => XshlResourceOptions);

/** What `xshl` of `@xshl/hono/resource` returns: the authenticating middleware, with `requireScopes`. */
export interface XshlResourceMiddleware extends MiddlewareHandler<XshlEnv> {
	/**
	 * A middleware that authenticates (when no earlier `xshl` middleware did) and requires
	 * every scope; 403 `ERR_HTTP_INSUFFICIENT_SCOPE` with `WWW-Authenticate: Bearer
	 * error="insufficient_scope"` otherwise.
	 *
	 * @param scopes - the required scopes.
	 * @returns the middleware.
	 */
	requireScopes(...scopes: string[]): MiddlewareHandler<XshlEnv>;
}
