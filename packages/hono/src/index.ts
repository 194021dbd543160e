/**
 * `@xshl/hono`: xshl sessions for Hono (Cloudflare Workers, Vercel Edge, Deno, Bun, Node), on
 * `@xshl/http`.
 *
 * @module
 */

export type {
	XshlClaims,
	XshlEnv,
	XshlHonoOptions,
	XshlIssuerOptions,
	XshlMiddleware,
	XshlOptions,
	XshlOptionsInput,
	XshlResourceOptions,
} from "./middleware";
export { xshl } from "./middleware";
