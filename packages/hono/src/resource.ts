/**
 * `@xshl/hono/resource`: the resource-server middleware alone (no issuer code), for Workers
 * and every bundle that only verifies tokens.
 *
 * @module
 */
import { createAuthenticator } from "@xshl/http";
import { type Built, createGlue, refreshOf } from "./internal/glue";
import type {
	XshlResourceMiddleware,
	XshlResourceOptions,
	XshlResourceOptionsInput,
} from "./types";

export type {
	XshlClaims,
	XshlEnv,
	XshlHonoOptions,
	XshlResourceMiddleware,
	XshlResourceOptions,
	XshlResourceOptionsInput,
} from "./types";

/**
 * The xshl middleware for a Hono resource server, without the issuer routes (so a bundle
 * carries only `@xshl/http`'s authenticator). One call per isolate (module scope): it holds the
 * verifier caches and, through your `RemoteKeySet`, the JWKS; a cold key set waits for its
 * first fetch instead of failing the request.
 *
 * @param input - `@xshl/http`'s `createAuthenticator` options plus `remoteAddress`, `realm`
 * and `revocationsRefreshMs`, or a function of the Worker's `env` returning them (called once).
 * @returns the middleware setting `c.var.session`, with `requireScopes`.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for invalid options (at the call, or on
 * the first request for options given as a function).
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { RemoteKeySet } from '@xshl/keys'
 * import { RevocationFeedClient } from '@xshl/keys/revocations'
 * import { xshl, type XshlEnv } from '@xshl/hono/resource'
 * const auth = xshl((env: { ID: string }) => {
 *   const keys = new RemoteKeySet({ name: 'xshl', url: `${env.ID}/.well-known/jwks.json` })
 *   const revocations = new RevocationFeedClient({ url: `${env.ID}/.well-known/xshl-revocations`, keys })
 *   return { keys, revocations, revocationsRefreshMs: 2000, issuer: ISSUER, audience: 'api' }
 * })
 * export default new Hono<XshlEnv>().get('/me', auth, (c) => c.json({ sub: c.var.session.sub }))
 * ```
 */
export function xshl<B = unknown>(input: XshlResourceOptionsInput<B>): XshlResourceMiddleware {
	const glue = createGlue<XshlResourceOptions, Built<XshlResourceOptions>>(input, build);
	return Object.assign(glue.middleware, { requireScopes: glue.requireScopes });
}

function build(options: XshlResourceOptions): Built<XshlResourceOptions> {
	return { options, authenticator: createAuthenticator(options), refresh: refreshOf(options) };
}
