/**
 * Typed errors of `@xshl/session-store`. Every failure is a subclass of {@link StoreError}
 * with a stable `code` and an HTTP `status` hint; handle them across packages by `code`, not
 * `instanceof`. Messages never carry tokens, secrets or hashes.
 *
 * Import from `@xshl/session-store` or `@xshl/session-store/errors`.
 *
 * @module
 */

/**
 * Registry of every error code of `@xshl/session-store` with its one-line meaning. The
 * {@link StoreErrorCode} union and the README error table come from it.
 *
 * @example
 * ```ts
 * import { STORE_ERROR_CODES } from '@xshl/session-store/errors'
 * console.log(STORE_ERROR_CODES.ERR_REFRESH_REUSED)
 * ```
 */
export const STORE_ERROR_CODES = {
	ERR_STORE_CONFIG_INVALID:
		"Store options failed validation when the store was built (see `issues` for path and message).",
	ERR_STORE_INPUT_INVALID:
		"An argument of a store call (sub, sid, jti, trace, times) is missing, empty, too long or not a finite number.",
	ERR_STORE_UNAVAILABLE:
		"The backing store did not answer within the op timeout or the connection failed; the call failed closed and wrote nothing it could not finish.",
	ERR_REFRESH_MALFORMED:
		"The refresh token is not `xrt1.<family>.<generation>.<secret>` (or longer than 200 characters); rejected before any store call.",
	ERR_REFRESH_INVALID:
		"The refresh token is well formed but was not minted by this store (bad tag or hash) or its family no longer exists.",
	ERR_REFRESH_REUSED:
		"An already rotated refresh token was presented outside the grace rules: the whole family was revoked and its sid denylisted.",
	ERR_REFRESH_IDLE_EXPIRED: "The family was not refreshed within the idle timeout.",
	ERR_REFRESH_ABSOLUTE_EXPIRED:
		"The family is older than the absolute timeout counted from auth_time; rotation never extends it.",
	ERR_TRACE_MISMATCH:
		"The refresh came with another trace than the login's; rejected (policy `reject`) or the family revoked (policy `revoke-family`).",
	ERR_SESSION_REVOKED:
		"The family was revoked (logout, logout everywhere, revoke by sid, eviction or an earlier reuse).",
} as const;

/** Every stable error code `@xshl/session-store` can throw. */
export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

/** HTTP status hint per code (what the demo answers). */
const STATUS: Record<StoreErrorCode, number> = {
	ERR_STORE_CONFIG_INVALID: 500,
	ERR_STORE_INPUT_INVALID: 400,
	ERR_STORE_UNAVAILABLE: 503,
	ERR_REFRESH_MALFORMED: 401,
	ERR_REFRESH_INVALID: 401,
	ERR_REFRESH_REUSED: 401,
	ERR_REFRESH_IDLE_EXPIRED: 401,
	ERR_REFRESH_ABSOLUTE_EXPIRED: 401,
	ERR_TRACE_MISMATCH: 401,
	ERR_SESSION_REVOKED: 401,
};

/** Options shared by every `@xshl/session-store` error constructor. */
export interface StoreErrorOptions {
	/** The underlying error, kept as `cause`. */
	cause?: unknown;
}

/**
 * Base class of every `@xshl/session-store` error.
 *
 * @example
 * ```ts
 * import { MemoryStore, StoreError } from '@xshl/session-store'
 * const store = new MemoryStore()
 * try { await store.rotate('nope', { trace: 't' }) } catch (e) { if (e instanceof StoreError) console.log(e.code, e.status) }
 * ```
 */
export class StoreError extends Error {
	/** Stable machine-readable code; see {@link STORE_ERROR_CODES}. */
	readonly code: StoreErrorCode;
	/** HTTP status a server should answer with (400, 401, 500 or 503). */
	readonly status: number;

	/**
	 * @param code - the stable code of this failure.
	 * @param message - what was wrong and what was expected; never carries secrets.
	 * @param options - `cause`, when another error led to this one.
	 */
	constructor(code: StoreErrorCode, message: string, options?: StoreErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
		this.status = STATUS[code];
	}
}

/** One zod issue of an invalid configuration: where and what. */
export interface StoreConfigIssue {
	/** Dotted path of the option, e.g. `graceSeconds`. */
	path: string;
	/** What was expected. */
	message: string;
}

/**
 * Options failed validation at construction. Code `ERR_STORE_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@xshl/session-store'
 * try { new MemoryStore({ graceSeconds: 120 }) } catch (e) { console.log((e as { issues: unknown }).issues) }
 * ```
 */
export class StoreConfigError extends StoreError {
	/** Always `ERR_STORE_CONFIG_INVALID`. */
	override readonly code: "ERR_STORE_CONFIG_INVALID" = "ERR_STORE_CONFIG_INVALID";
	/** The zod issues (path and message). */
	readonly issues: StoreConfigIssue[];

	/**
	 * @param message - summary of what was wrong.
	 * @param issues - the failed options with their messages.
	 * @param options - `cause` (the zod error).
	 */
	constructor(message: string, issues: StoreConfigIssue[], options?: StoreErrorOptions) {
		super("ERR_STORE_CONFIG_INVALID", message, options);
		this.issues = issues;
	}
}

/**
 * An argument of a store call is invalid. Code `ERR_STORE_INPUT_INVALID`.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@xshl/session-store'
 * try { await new MemoryStore().login({ sub: '', trace: 't' }) } catch (e) { console.log((e as { code: string }).code) }
 * ```
 */
export class StoreInputError extends StoreError {
	/** Always `ERR_STORE_INPUT_INVALID`. */
	override readonly code: "ERR_STORE_INPUT_INVALID" = "ERR_STORE_INPUT_INVALID";

	/** @param message - which argument and what was expected. */
	constructor(message: string) {
		super("ERR_STORE_INPUT_INVALID", message);
	}
}

/**
 * The store is unreachable or too slow (op timeout, default 250 ms). The call failed closed.
 * Code `ERR_STORE_UNAVAILABLE`, status 503.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from '@xshl/session-store/errors'
 * const e = new StoreUnavailableError('redis did not answer within 250 ms')
 * console.log(e.status) // 503
 * ```
 */
export class StoreUnavailableError extends StoreError {
	/** Always `ERR_STORE_UNAVAILABLE`. */
	override readonly code: "ERR_STORE_UNAVAILABLE" = "ERR_STORE_UNAVAILABLE";

	/**
	 * @param message - which operation and why (timeout or connection error).
	 * @param options - `cause`, the client error.
	 */
	constructor(message: string, options?: StoreErrorOptions) {
		super("ERR_STORE_UNAVAILABLE", message, options);
	}
}

/**
 * The refresh token does not have the wire form. Code `ERR_REFRESH_MALFORMED`.
 *
 * @example
 * ```ts
 * import { parseRefreshToken } from '@xshl/session-store'
 * try { parseRefreshToken('abc') } catch (e) { console.log((e as { code: string }).code) }
 * ```
 */
export class RefreshMalformedError extends StoreError {
	/** Always `ERR_REFRESH_MALFORMED`. */
	override readonly code: "ERR_REFRESH_MALFORMED" = "ERR_REFRESH_MALFORMED";

	/** @param message - what part of the wire form was wrong (never the token). */
	constructor(message: string) {
		super("ERR_REFRESH_MALFORMED", message);
	}
}

/**
 * The refresh token was not minted by this store, or its family is gone. Code
 * `ERR_REFRESH_INVALID`. Nothing was revoked.
 *
 * @example
 * ```ts
 * import { RefreshInvalidError } from '@xshl/session-store/errors'
 * console.log(new RefreshInvalidError('unknown').code) // 'ERR_REFRESH_INVALID'
 * ```
 */
export class RefreshInvalidError extends StoreError {
	/** Always `ERR_REFRESH_INVALID`. */
	override readonly code: "ERR_REFRESH_INVALID" = "ERR_REFRESH_INVALID";

	/** @param message - why (bad tag, unknown family, hash mismatch). */
	constructor(message: string) {
		super("ERR_REFRESH_INVALID", message);
	}
}

/**
 * Reuse of a rotated refresh token: the family is now revoked. Code `ERR_REFRESH_REUSED`.
 *
 * @example
 * ```ts
 * import { RefreshReusedError } from '@xshl/session-store/errors'
 * console.log(new RefreshReusedError('reuse', 'fam').familyId) // 'fam'
 * ```
 */
export class RefreshReusedError extends StoreError {
	/** Always `ERR_REFRESH_REUSED`. */
	override readonly code: "ERR_REFRESH_REUSED" = "ERR_REFRESH_REUSED";
	/** The revoked family (not a secret: the id alone grants nothing). */
	readonly familyId: string;

	/**
	 * @param message - which generation was replayed.
	 * @param familyId - the revoked family.
	 */
	constructor(message: string, familyId: string) {
		super("ERR_REFRESH_REUSED", message);
		this.familyId = familyId;
	}
}

/**
 * The family idled out. Code `ERR_REFRESH_IDLE_EXPIRED`.
 *
 * @example
 * ```ts
 * import { RefreshIdleExpiredError } from '@xshl/session-store/errors'
 * console.log(new RefreshIdleExpiredError('idle').status) // 401
 * ```
 */
export class RefreshIdleExpiredError extends StoreError {
	/** Always `ERR_REFRESH_IDLE_EXPIRED`. */
	override readonly code: "ERR_REFRESH_IDLE_EXPIRED" = "ERR_REFRESH_IDLE_EXPIRED";

	/** @param message - when the idle deadline passed. */
	constructor(message: string) {
		super("ERR_REFRESH_IDLE_EXPIRED", message);
	}
}

/**
 * The family passed its absolute deadline. Code `ERR_REFRESH_ABSOLUTE_EXPIRED`.
 *
 * @example
 * ```ts
 * import { RefreshAbsoluteExpiredError } from '@xshl/session-store/errors'
 * console.log(new RefreshAbsoluteExpiredError('absolute').status) // 401
 * ```
 */
export class RefreshAbsoluteExpiredError extends StoreError {
	/** Always `ERR_REFRESH_ABSOLUTE_EXPIRED`. */
	override readonly code: "ERR_REFRESH_ABSOLUTE_EXPIRED" = "ERR_REFRESH_ABSOLUTE_EXPIRED";

	/** @param message - when the absolute deadline passed. */
	constructor(message: string) {
		super("ERR_REFRESH_ABSOLUTE_EXPIRED", message);
	}
}

/**
 * The refresh came with another trace than the login's. Code `ERR_TRACE_MISMATCH`.
 *
 * @example
 * ```ts
 * import { TraceMismatchError } from '@xshl/session-store/errors'
 * console.log(new TraceMismatchError('other client', false).familyRevoked) // false
 * ```
 */
export class TraceMismatchError extends StoreError {
	/** Always `ERR_TRACE_MISMATCH`. */
	override readonly code: "ERR_TRACE_MISMATCH" = "ERR_TRACE_MISMATCH";
	/** Whether the family was revoked (policy `revoke-family`). */
	readonly familyRevoked: boolean;

	/**
	 * @param message - what happened.
	 * @param familyRevoked - true under policy `revoke-family`.
	 */
	constructor(message: string, familyRevoked: boolean) {
		super("ERR_TRACE_MISMATCH", message);
		this.familyRevoked = familyRevoked;
	}
}

/**
 * The family was revoked earlier. Code `ERR_SESSION_REVOKED`.
 *
 * @example
 * ```ts
 * import { SessionRevokedError } from '@xshl/session-store/errors'
 * console.log(new SessionRevokedError('revoked').code) // 'ERR_SESSION_REVOKED'
 * ```
 */
export class SessionRevokedError extends StoreError {
	/** Always `ERR_SESSION_REVOKED`. */
	override readonly code: "ERR_SESSION_REVOKED" = "ERR_SESSION_REVOKED";

	/** @param message - why (logout, logout everywhere, eviction, reuse). */
	constructor(message: string) {
		super("ERR_SESSION_REVOKED", message);
	}
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
