/**
 * Typed errors of `@xshl/session-store`: a registry of codes (HTTP status, meaning), a base
 * class and one small subclass per code. Messages never carry tokens, secrets or hashes.
 * Import from `@xshl/session-store` or `@xshl/session-store/errors`.
 * @module
 */

/**
 * Every error code with the HTTP status a server should answer and its meaning (the README
 * error table is tested against it).
 * @example `STORE_ERROR_CODES.ERR_STORE_REFRESH_REUSED.status // 401`
 */
// biome-ignore format: one row per code, like the README table
export const STORE_ERROR_CODES = {
	ERR_STORE_CONFIG_INVALID: { status: 500, meaning: "Store options failed validation when the store was built (see `issues` for path and message)." },
	ERR_STORE_INPUT_INVALID: { status: 400, meaning: "An argument of a store call failed validation (see `issues` for path and message); nothing was written." },
	ERR_STORE_UNAVAILABLE: { status: 503, meaning: "The backing store did not answer within the call timeout or the connection failed; the call failed closed." },
	ERR_STORE_REFRESH_MALFORMED: { status: 401, meaning: "The refresh token is not `xrt1.<family>.<generation>.<secret>` (or longer than 200 bytes); rejected before any store call." },
	ERR_STORE_REFRESH_INVALID: { status: 401, meaning: "The refresh token is well formed but was not minted by this store (bad tag or hash) or its family no longer exists." },
	ERR_STORE_REFRESH_REUSED: { status: 401, meaning: "An already rotated refresh token was presented outside the grace rules: the whole family was revoked and its sid denylisted." },
	ERR_STORE_REFRESH_IDLE_EXPIRED: { status: 401, meaning: "The family was not refreshed within the idle timeout." },
	ERR_STORE_REFRESH_ABSOLUTE_EXPIRED: { status: 401, meaning: "The family is older than the absolute timeout counted from auth_time; rotation never extends it." },
	ERR_STORE_TRACE_MISMATCH: { status: 401, meaning: "The refresh came with another trace than the login's; rejected (policy `reject`) or the family revoked (policy `revoke-family`)." },
	ERR_STORE_SESSION_REVOKED: { status: 401, meaning: "The family was revoked (logout, logout everywhere, revoke by sid, eviction or an earlier reuse)." },
} as const;

/** Every stable error code `@xshl/session-store` can throw. */
export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;
/** One failed value: the dotted path (`""` for the root) and what was expected. */
export interface ConfigIssue {
	/** Dotted path of the option or argument, e.g. `graceMs` or `accessToken.exp`. */
	readonly path: string;
	/** What was expected. */
	readonly message: string;
}
/**
 * Base class of every `@xshl/session-store` error: `code` comes from the subclass, `status`
 * from {@link STORE_ERROR_CODES}, `name` from the constructor; `cause` passes through.
 * @example `catch (e) { if (e instanceof StoreError) reply.code(e.status).send({ code: e.code }) }`
 */
export class StoreError extends Error {
	/** The code of this class; each subclass declares its own. */
	static readonly code: StoreErrorCode = "ERR_STORE_UNAVAILABLE";
	/** Stable machine-readable code; see {@link STORE_ERROR_CODES}. */
	readonly code: StoreErrorCode;
	/** HTTP status a server should answer with (400, 401, 500 or 503). */
	readonly status: number;
	/** @param message - what was wrong and what was expected. @param options - `cause`. */
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = (new.target as typeof StoreError).code;
		this.status = STORE_ERROR_CODES[this.code].status;
	}
}
/** `ERR_STORE_CONFIG_INVALID`: options refused at construction. @example `new MemoryStore({ graceMs: -1 })` */
export class StoreConfigError extends StoreError {
	static override readonly code = "ERR_STORE_CONFIG_INVALID";
	declare readonly code: typeof StoreConfigError.code;
	/** Each failed option: path and message. */
	readonly issues: readonly ConfigIssue[];
	/** @param message - summary. @param issues - the failed options. @param options - `cause`. */
	constructor(message: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
		super(message, options);
		this.issues = issues;
	}
}
/** `ERR_STORE_INPUT_INVALID`: a call argument refused; nothing written. @example `await store.login({ sub: '', trace: 't' })` */
export class StoreInputError extends StoreError {
	static override readonly code = "ERR_STORE_INPUT_INVALID";
	declare readonly code: typeof StoreInputError.code;
	/** Each failed argument: path and message. */
	readonly issues: readonly ConfigIssue[];
	/** @param message - summary. @param issues - the failed arguments. @param options - `cause`. */
	constructor(message: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
		super(message, options);
		this.issues = issues;
	}
}
/** `ERR_STORE_UNAVAILABLE` (503): timeout or connection failure; fail closed. @example `if (e instanceof StoreUnavailableError) reply.code(503)` */
export class StoreUnavailableError extends StoreError {
	static override readonly code = "ERR_STORE_UNAVAILABLE";
	declare readonly code: typeof StoreUnavailableError.code;
}
/** `ERR_STORE_REFRESH_MALFORMED`: not the wire form. @example `parseRefreshToken('abc')` */
export class RefreshMalformedError extends StoreError {
	static override readonly code = "ERR_STORE_REFRESH_MALFORMED";
	declare readonly code: typeof RefreshMalformedError.code;
}
/** `ERR_STORE_REFRESH_INVALID`: not minted here, or its family is gone; nothing revoked. @example `e instanceof RefreshInvalidError` */
export class RefreshInvalidError extends StoreError {
	static override readonly code = "ERR_STORE_REFRESH_INVALID";
	declare readonly code: typeof RefreshInvalidError.code;
}
/** `ERR_STORE_REFRESH_REUSED`: a rotated token came back; the family is revoked now. @example `e instanceof RefreshReusedError && e.familyId` */
export class RefreshReusedError extends StoreError {
	static override readonly code = "ERR_STORE_REFRESH_REUSED";
	declare readonly code: typeof RefreshReusedError.code;
	/** The revoked family (not a secret: the id alone grants nothing). */
	readonly familyId: string;
	/** @param message - which generation was replayed. @param familyId - the revoked family. */
	constructor(message: string, familyId: string) {
		super(message);
		this.familyId = familyId;
	}
}
/** `ERR_STORE_REFRESH_IDLE_EXPIRED`: not refreshed within the idle timeout. @example `e instanceof RefreshIdleExpiredError` */
export class RefreshIdleExpiredError extends StoreError {
	static override readonly code = "ERR_STORE_REFRESH_IDLE_EXPIRED";
	declare readonly code: typeof RefreshIdleExpiredError.code;
}
/** `ERR_STORE_REFRESH_ABSOLUTE_EXPIRED`: past the absolute deadline. @example `e instanceof RefreshAbsoluteExpiredError` */
export class RefreshAbsoluteExpiredError extends StoreError {
	static override readonly code = "ERR_STORE_REFRESH_ABSOLUTE_EXPIRED";
	declare readonly code: typeof RefreshAbsoluteExpiredError.code;
}
/** `ERR_STORE_TRACE_MISMATCH`: another trace than the login's. @example `e instanceof TraceMismatchError && e.familyRevoked` */
export class TraceMismatchError extends StoreError {
	static override readonly code = "ERR_STORE_TRACE_MISMATCH";
	declare readonly code: typeof TraceMismatchError.code;
	/** Whether the family was revoked (policy `revoke-family`). */
	readonly familyRevoked: boolean;
	/** @param message - what happened. @param familyRevoked - true under `revoke-family`. */
	constructor(message: string, familyRevoked: boolean) {
		super(message);
		this.familyRevoked = familyRevoked;
	}
}
/** `ERR_STORE_SESSION_REVOKED`: the family was revoked earlier. @example `e instanceof SessionRevokedError` */
export class SessionRevokedError extends StoreError {
	static override readonly code = "ERR_STORE_SESSION_REVOKED";
	declare readonly code: typeof SessionRevokedError.code;
}
/** Discriminated union of every error `@xshl/session-store` throws; narrow it on `code`. */
export type StoreErrors =
	| StoreConfigError
	| StoreInputError
	| StoreUnavailableError
	| RefreshMalformedError
	| RefreshInvalidError
	| RefreshReusedError
	| RefreshIdleExpiredError
	| RefreshAbsoluteExpiredError
	| TraceMismatchError
	| SessionRevokedError;
