/**
 * `@xshl/hono`: xshl sessions for Hono (Cloudflare Workers, Vercel Edge, Deno, Bun, Node), on
 * `@xshl/http`. The issuer routes live here; `@xshl/hono/resource` is the resource-server
 * middleware alone.
 *
 * @module
 */

export type {
	XshlIssuerOptions,
	XshlMiddleware,
	XshlOptions,
	XshlOptionsInput,
} from "./middleware";
export { xshl } from "./middleware";
export type {
	XshlClaims,
	XshlEnv,
	XshlHonoOptions,
	XshlResourceMiddleware,
	XshlResourceOptions,
	XshlResourceOptionsInput,
} from "./types";
