// What an adapter implements: each method is ONE atomic step (a synchronous critical
// section in memory, one Lua script in Redis) that decides with the store's own clock.
import type { RevocationReason } from "../contract";
import type { TraceMismatchPolicy } from "../options";

/** A family as the backends return it (times in ms). */
export interface FamilyRow {
	fid: string;
	sub: string;
	sid: string;
	trace: string;
	authTime: number;
	createdAt: number;
	lastUsedAt: number;
	idleAt: number;
	absAt: number;
	gen: number;
	browser: string;
	os: string;
	ip: string;
}

export interface LoginArgs {
	uTag: string;
	fid: string;
	sub: string;
	sid: string;
	trace: string;
	/** ms, or undefined for "now" on the store clock */
	authTime: number | undefined;
	hash: string;
	browser: string;
	os: string;
	ip: string;
	idleMs: number;
	absMs: number;
	maxSessions: number;
	denySidMs: number;
}
export interface LoginReply {
	status: "ok" | "absolute";
	now: number;
	row: FamilyRow | undefined;
	evicted: { fid: string; sid: string }[];
	replaced: string | undefined;
}

export type RotateStatus =
	| "rotated"
	| "grace"
	| "invalid"
	| "revoked"
	| "epoch"
	| "reused"
	| "idle"
	| "absolute"
	| "trace_mismatch"
	| "trace_revoked";

export interface RotateArgs {
	uTag: string;
	fid: string;
	gen: number;
	hash: string;
	trace: string;
	newHash: string;
	sealed: string;
	idleMs: number;
	graceMs: number;
	maxReplays: number;
	traceMode: TraceMismatchPolicy;
	denySidMs: number;
}
export interface RotateReply {
	status: RotateStatus;
	now: number;
	row: FamilyRow | undefined;
	sealed: string | undefined;
}

export interface LogoutArgs {
	uTag: string;
	fid: string;
	denySidMs: number;
	jti: string | undefined;
	jtiTtlMs: number;
}
export interface LogoutReply {
	now: number;
	revoked: { sub: string; sid: string } | undefined;
}
export interface RevokeSidArgs {
	uTag: string;
	sid: string;
	denySidMs: number;
}
export interface LogoutAllArgs {
	uTag: string;
	exceptSid: string | undefined;
	epochTtlMs: number;
	denySidMs: number;
}
export interface IsRevokedArgs {
	uTag: string;
	jti: string | undefined;
	sid: string | undefined;
	iat: number;
}
export interface DenyArgs {
	uTag: string;
	kind: "jti" | "sid";
	id: string;
	ttlMs: number;
}

export interface Backend {
	/** Clock for denylist lifetimes of access tokens (their `exp` is on the issuer's clock). */
	appNow(): number;
	pepper(): Promise<Uint8Array<ArrayBuffer>>;
	login(a: LoginArgs): Promise<LoginReply>;
	rotate(a: RotateArgs): Promise<RotateReply>;
	logout(a: LogoutArgs): Promise<LogoutReply>;
	revokeSid(a: RevokeSidArgs): Promise<{ now: number; fid: string | undefined }>;
	logoutAll(a: LogoutAllArgs): Promise<{ now: number; revoked: { fid: string; sid: string }[] }>;
	list(a: { uTag: string; limit: number }): Promise<{ now: number; rows: FamilyRow[] }>;
	isRevoked(a: IsRevokedArgs): Promise<RevocationReason | null>;
	deny(a: DenyArgs): Promise<void>;
}
