/**
 * The refresh-token wire form `xrt1.<family>.<generation>.<secret>` and its parser.
 *
 * - `family`: 40 base64url chars (30 bytes: a 12-byte digest of `sub`, which keeps all of a
 *   user's Redis keys in one Cluster slot, then 18 random bytes).
 * - `generation`: decimal, no leading zeros, 0–999 999 999.
 * - `secret`: 64 base64url chars (48 bytes: 32 random bytes, 256 bits, then a 16-byte
 *   HMAC-SHA-256 tag keyed by the store's pepper over everything before it).
 *
 * The whole token is at most {@link REFRESH_TOKEN_MAX_BYTES} bytes (ASCII) and is parsed before
 * any store call. The store keeps only SHA-256 of a token, never the token.
 *
 * Import from `@xshl/session-store`.
 *
 * @module
 */
import { RefreshMalformedError } from "./errors";
import {
	b64url,
	fromB64url,
	hmac,
	type Key,
	randomBytes,
	timingSafeEqual,
} from "./internal/crypto";

/**
 * Longest refresh token accepted, in bytes (the wire form is ASCII, so bytes = characters).
 * Longer input is refused before parsing.
 *
 * @example
 * ```ts
 * import { REFRESH_TOKEN_MAX_BYTES } from '@xshl/session-store'
 * REFRESH_TOKEN_MAX_BYTES // 200
 * ```
 */
export const REFRESH_TOKEN_MAX_BYTES = 200;

/**
 * The public parts of a parsed refresh token (the secret is never exposed).
 */
export interface RefreshTokenParts {
	/** The family (one per login), 40 base64url characters. Not a secret on its own. */
	familyId: string;
	/** Rotation counter: 0 for the login token, +1 per rotation. */
	generation: number;
}

/** @internal parsed token including the secret parts. */
export interface ParsedToken extends RefreshTokenParts {
	random: Uint8Array<ArrayBuffer>;
	tag: Uint8Array<ArrayBuffer>;
	/** The 16-char user tag (hash of sub) at the head of the family id. */
	userTag: string;
}

const WIRE = /^xrt1\.([A-Za-z0-9_-]{40})\.(0|[1-9][0-9]{0,8})\.([A-Za-z0-9_-]{64})$/;
/** Length of the user tag prefix of a family id (12 bytes → 16 base64url chars). */
export const USER_TAG_LENGTH = 16;

/** @internal */
export function parseInternal(token: unknown): ParsedToken {
	if (typeof token !== "string") {
		throw new RefreshMalformedError(`a refresh token must be a string, got ${typeof token}`);
	}
	if (token.length > REFRESH_TOKEN_MAX_BYTES) {
		throw new RefreshMalformedError(
			`a refresh token is at most ${REFRESH_TOKEN_MAX_BYTES} bytes, got ${token.length}`,
		);
	}
	const m = WIRE.exec(token);
	if (m === null) {
		throw new RefreshMalformedError(
			"a refresh token must look like xrt1.<40 base64url>.<generation>.<64 base64url>",
		);
	}
	const familyId = m[1] as string;
	const secret = fromB64url(m[3] as string) as Uint8Array<ArrayBuffer>;
	return {
		familyId,
		generation: Number(m[2]),
		random: secret.slice(0, 32),
		tag: secret.slice(32, 48),
		userTag: familyId.slice(0, USER_TAG_LENGTH),
	};
}

/**
 * Checks the wire form of a refresh token without any store call and returns its public parts.
 *
 * @param token - the refresh token as received (cookie or body).
 * @returns the family id and generation.
 * @throws {RefreshMalformedError} `ERR_STORE_REFRESH_MALFORMED` when it is not a string, longer
 *   than 200 bytes, or not `xrt1.<family>.<generation>.<secret>`.
 *
 * @example
 * ```ts
 * import { MemoryStore, parseRefreshToken } from '@xshl/session-store'
 * const { refreshToken } = await new MemoryStore().login({ sub: 'u1', trace: 't' })
 * parseRefreshToken(refreshToken).generation // 0
 * ```
 */
export function parseRefreshToken(token: string): RefreshTokenParts {
	const p = parseInternal(token);
	return { familyId: p.familyId, generation: p.generation };
}

/** @internal mints a token for a family and generation. */
export async function mintToken(
	pepper: Key,
	familyId: string,
	generation: number,
): Promise<{
	token: string;
	random: Uint8Array<ArrayBuffer>;
}> {
	// 32 random bytes: their base64url is 43 chars, the first 43 of the 64-char secret
	const random = randomBytes(32);
	const randomText = b64url(random);
	const signed = `xrt1.${familyId}.${generation}.${randomText}`;
	const tag = (await hmac(pepper, signed)).slice(0, 16);
	const secret = new Uint8Array(48);
	secret.set(random);
	secret.set(tag, 32);
	return { token: `xrt1.${familyId}.${generation}.${b64url(secret)}`, random };
}

/** @internal constant-time check of the pepper tag. */
export async function verifyTag(pepper: Key, parsed: ParsedToken): Promise<boolean> {
	// the tag signs the canonical text of the 32 random bytes (not a slice of the secret)
	const signed = `xrt1.${parsed.familyId}.${parsed.generation}.${b64url(parsed.random)}`;
	const expected = (await hmac(pepper, signed)).slice(0, 16);
	return timingSafeEqual(expected, parsed.tag);
}

/** @internal a new family id for a user tag. */
export function newFamilyId(userTagBytes: Uint8Array): string {
	const bytes = new Uint8Array(30);
	bytes.set(userTagBytes.subarray(0, 12));
	bytes.set(randomBytes(18), 12);
	return b64url(bytes);
}
