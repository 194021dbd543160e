/**
 * `@xshl/session-store`: refresh-token rotation with reuse detection, `jti`/`sid` denylists,
 * logout everywhere, idle and absolute timeouts, and session listing. The main entry holds
 * the contract, the in-memory store and the errors; the Redis store lives in
 * `@xshl/session-store/redis`.
 *
 * @module
 */

export type {
	AccessTokenRef,
	ClientInput,
	DenyInput,
	FamilyState,
	ListSessionsOptions,
	LoginInput,
	LoginResult,
	LogoutAllOptions,
	LogoutAllResult,
	LogoutOptions,
	LogoutResult,
	RevocationQuery,
	RevocationReason,
	RevocationStatus,
	RevokeReason,
	RevokeSessionInput,
	RotateOptions,
	RotateResult,
	SessionInfo,
	SessionStore,
	StoreEvent,
	StoreEvents,
	StoreEventType,
	StoreListener,
} from "./contract";
export type { ConfigIssue, StoreErrorCode, StoreErrors } from "./errors";
export {
	RefreshAbsoluteExpiredError,
	RefreshIdleExpiredError,
	RefreshInvalidError,
	RefreshMalformedError,
	RefreshReusedError,
	SessionRevokedError,
	STORE_ERROR_CODES,
	StoreConfigError,
	StoreError,
	StoreInputError,
	StoreUnavailableError,
	TraceMismatchError,
} from "./errors";
export type { MemoryStoreOptions } from "./memory-store";
export { MemoryStore } from "./memory-store";
export type { SessionPreset, StoreOptions, TraceMismatchPolicy } from "./options";
export { SESSION_PRESETS } from "./options";
export type { RefreshTokenParts } from "./refresh-token";
export { parseRefreshToken, REFRESH_TOKEN_MAX_BYTES } from "./refresh-token";
export type { OperationStats, StoreOperation, StoreStats } from "./stats";
