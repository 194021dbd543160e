/**
 * `@xshl/session-core`: session claims, deep merge, trace-bound JWT issuing and verification,
 * typed errors. A TypeScript port of the Python `xshl-session`.
 *
 * @module
 */

/** Re-exported from `@xshl/trace`, so a verifier needs only this package and a key set. */
export type { TracePart } from "@xshl/trace";
export { sessionId, Trace, TraceError } from "@xshl/trace";
export type { SessionClaims, SessionClaimsSchema, SessionClaimsShape } from "./claims";
export { sessionClaimsSchema } from "./claims";
export type {
	JWK,
	SessionConfigInput,
	SessionHeader,
	SessionHeaderInput,
	SessionKeyInput,
	SessionKeySet,
} from "./config";
export { SessionConfig } from "./config";
export type { HmacAlgorithm, SigningAlgorithm } from "./constants";
export {
	DEFAULT_LEEWAY_MS,
	DEFAULT_MAX_TOKEN_BYTES,
	DEFAULT_MERGE_CLAIMS,
	DEFAULT_SESSION_EXPIRES_MS,
	DEFAULT_SESSION_VERSION,
	DEFAULT_STR,
	DEFAULT_UID,
	HMAC_ALGORITHMS,
	MAX_SESSION_EXPIRES_MS,
	SESSION_TOKEN_TYPE,
	SIGNING_ALGORITHMS,
} from "./constants";
export type {
	ConfigIssue,
	SessionErrorCode,
	SessionErrorOptions,
	SessionErrors,
} from "./errors";
export * from "./errors";
export type { JsonValue, MergeResult } from "./session";
export { Session } from "./session";
export type {
	RevocationClaims,
	RevocationSource,
	SessionClaimsSchemaLike,
	SessionVerifier,
	SessionVerifierEvents,
	VerifiedSession,
	VerifyCacheOptions,
	VerifyCallOptions,
	VerifyEvent,
	VerifySessionOptions,
} from "./verify";
export { createSessionVerifier, verifySession } from "./verify";
