/**
 * What the routes need from the packages. `wiring.ts` implements these with @xshl/keys,
 * @xshl/session-core, @xshl/jwe and @xshl/session-store; routes and tests only see this.
 */
import type { Trace } from "@xshl/trace";

/** Claims of a demo access token (after verification). */
export interface AccessClaims {
	iss: string;
	sub: string;
	aud: string | string[];
	exp: number;
	iat: number;
	nbf: number;
	jti: string;
	sid: string;
	trace: string;
	auth_time: number;
	scope?: string[];
	roles?: string[];
	[claim: string]: unknown;
}

/** A verified token: its protected header and claims. */
export interface Verified {
	header: { alg: string; kid?: string; typ?: string; [k: string]: unknown };
	claims: AccessClaims;
}

/** Signs access tokens and publishes the public keys (issuer mode only). */
export interface Issuer {
	/** The `sid` a login with this trace gets (session-core: `sessionId(keys.name, trace)`). */
	sidFor(trace: Trace): string;
	issue(input: {
		sub: string;
		sid: string;
		authTime: number;
		scope: string[];
		roles: string[];
		trace: Trace;
	}): Promise<{ token: string; claims: AccessClaims; kid: string }>;
	jwks(): { keys: Record<string, unknown>[] };
	/** The JWKS as an HTTP answer: cache headers, strong ETag, 304 on `If-None-Match`. */
	jwksResponse(headers: Record<string, string | string[] | undefined>): Promise<{
		status: 200 | 304;
		headers: Record<string, string>;
		body: string;
	}>;
	activeKid(): string;
	/** New active key; the previous one stays published. */
	rotate(): Promise<{ kid: string; previousKid: string }>;
}

/** One refresh family, as the routes see it. */
export interface FamilyInfo {
	sid: string;
	sub: string;
	/** Seconds since the epoch. */
	authTime: number;
	/** Milliseconds since the epoch. */
	idleDeadline: number;
	/** Milliseconds since the epoch. */
	absoluteDeadline: number;
	/** Seconds until the family ends: the refresh cookie's `Max-Age`. */
	maxAge: number;
}

/** One row of the session list. */
export interface SessionEntry {
	sid: string;
	authTime: number;
	createdAt: number;
	lastUsedAt: number;
	idleExpiresAt: number;
	absoluteExpiresAt: number;
	browser: string | undefined;
	os: string | undefined;
	ipPrefix: string | undefined;
	current: boolean;
}

/** The refresh-token store (rotation, reuse detection, denylist, epochs). */
export interface RefreshStore {
	readonly kind: "memory" | "redis";
	login(input: {
		sub: string;
		sid: string;
		trace: string;
		authTime: number;
		userAgent: string;
		ip: string;
	}): Promise<FamilyInfo & { refreshToken: string }>;
	rotate(
		refreshToken: string,
		input: { trace: string },
	): Promise<FamilyInfo & { refreshToken: string }>;
	/** Revoke the family of a refresh token (and deny the access token when given); unknown tokens are fine. */
	revokeRefresh(refreshToken: string, accessToken?: { jti: string; exp: number }): Promise<boolean>;
	/** Deny one access token until it expires. */
	denyAccess(claims: { jti: string; sub: string; exp: number }): Promise<void>;
	/** Online check for critical operations: throws ERR_TOKEN_REVOKED / ERR_STORE_SESSION_REVOKED. */
	check(claims: { jti: string; sid: string; sub: string; iat: number }): Promise<void>;
	logoutAll(sub: string, options?: { exceptSid?: string }): Promise<void>;
	list(sub: string, currentSid?: string): Promise<SessionEntry[]>;
	revokeSession(sub: string, sid: string): Promise<boolean>;
	close(): Promise<void>;
}

/** JWE round trip with the issuer's encryption key. */
export interface Sealer {
	seal(payload: unknown, options: { sub: string }): Promise<string>;
	/** Decrypts; `sub` is whom it was sealed for (the caller must compare it). */
	open(jwe: string): Promise<{ sub: unknown; payload: unknown; header: Record<string, unknown> }>;
}
