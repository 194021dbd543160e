/**
 * `@xshl/http`: the session flows on Web `Request`/`Response`: an issuer
 * (`createSessionServer`: login, refresh, logout, logout everywhere, sessions, JWKS, RFC 7662
 * introspection, RFC 7009 revocation) and `createAuthenticator` for resource servers, with
 * one shared trace recipe, cookies, CSRF, trusted proxies and rate-limit hooks.
 *
 * @module
 */

export type { Authenticated, Authenticator, AuthenticatorOptions } from "./authenticate";
export { createAuthenticator, requireScopes, scopesOf } from "./authenticate";
export type { ClientIpResolver, RequestInfo, TrustedProxies } from "./client-ip";
export { createClientIpResolver, ipRateLimitKey } from "./client-ip";
export type { ErrorAnswer, ErrorAnswerOptions } from "./error-response";
export { errorAnswer, errorResponse } from "./error-response";
export type { HttpConfigIssue, HttpErrorCode, HttpErrorOptions, TracePartName } from "./errors";
export * from "./errors";
export type {
	MemoryRateLimiterOptions,
	RateLimitAction,
	RateLimitDecision,
	RateLimitHook,
	RateLimitRequest,
} from "./rate-limit";
export { createMemoryRateLimiter } from "./rate-limit";
export type { RequestHead } from "./request-head";
export { nodeRequestHead } from "./request-head";
export type {
	SessionHandler,
	SessionRoute,
	SessionServer,
	SessionServerEvents,
	SessionServerOptions,
	SessionUser,
} from "./server";
export { createSessionServer } from "./server";
export type { TracePartDigests, TraceParts, TraceRecipe, TraceRecipeInput } from "./trace-recipe";
export { defineTraceRecipe, WEB_TRACE_RECIPE } from "./trace-recipe";
