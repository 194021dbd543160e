/**
 * `@xshl/fastify`: the Fastify plugin for xshl sessions, on `@xshl/http`.
 *
 * @module
 */

export type {
	XshlClaims,
	XshlDecorator,
	XshlHook,
	XshlIssuerOptions,
	XshlOptions,
	XshlResourceOptions,
} from "./plugin";
export { toWebRequest, xshl, xshlErrorHandler } from "./plugin";
