/**
 * `@xshl/express`: xshl sessions for Express 5 (and 4), on `@xshl/http`.
 *
 * @module
 */

export type {
	XshlClaims,
	XshlExpressOptions,
	XshlIssuerOptions,
	XshlMiddleware,
	XshlOptions,
	XshlResourceOptions,
} from "./middleware";
export { toWebRequest, xshl, xshlErrorHandler } from "./middleware";
