// The revocation feed document (`typ: xshl-revocations+jwt`): verify the compact JWS with the
// session key set, require the feed type, and read the payload strictly.
import { compactVerify, decodeProtectedHeader } from "jose";
import { KeysError, KeysFeedInvalidError } from "../errors";
import type { KeySet } from "../types";

/** The `typ` of every revocation feed document. */
export const FEED_TYPE = "xshl-revocations+jwt";

/**
 * A user's logout everywhere: `[epoch ms, expiry seconds, session kept (or ""), sessions
 * opened after the epoch in its second (or undefined)]`.
 */
export type FeedUserEntry = [number, number, string, ReadonlySet<string> | undefined];

/** A verified feed payload (a full document, or a delta when `since` is set). */
export interface FeedPayload {
	seq: number;
	iat: number;
	salt: string;
	since: number | undefined;
	/** sid → expiry (NumericDate seconds). */
	sids: Map<string, number>;
	/** jti → expiry (NumericDate seconds). */
	jtis: Map<string, number>;
	/** user tag → its logout everywhere. */
	users: Map<string, FeedUserEntry>;
}

const ASYMMETRIC = /^(ES256|ES384|ES512|EdDSA|Ed25519|RS256|RS384|RS512|PS256|PS384|PS512)$/;

function invalid(message: string, cause?: unknown): KeysFeedInvalidError {
	return new KeysFeedInvalidError(message, cause === undefined ? undefined : { cause });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function entries(v: unknown, name: string): [string, unknown][] {
	if (v === undefined) return [];
	if (v === null || typeof v !== "object" || Array.isArray(v))
		throw invalid(`feed ${name} must be an object`);
	return Object.entries(v);
}

/** Read a feed payload; throws `KeysFeedInvalidError` for anything out of shape. */
export function parseFeedPayload(raw: unknown): FeedPayload {
	if (raw === null || typeof raw !== "object" || Array.isArray(raw))
		throw invalid("feed payload is not an object");
	const p = raw as Record<string, unknown>;
	if (p.v !== 1) throw invalid("feed payload version is not 1");
	if (!isCount(p.seq) || !isCount(p.iat)) throw invalid("feed seq and iat must be integers >= 0");
	if (typeof p.salt !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(p.salt))
		throw invalid("feed salt must be 16-128 base64url characters");
	if (p.since !== undefined && !(isCount(p.since) && p.since < p.seq))
		throw invalid("feed since must be an integer lower than seq");
	const sids = new Map<string, number>();
	for (const [k, exp] of entries(p.sids, "sids")) {
		if (!isCount(exp)) throw invalid("feed sid expiry must be an integer");
		sids.set(k, exp);
	}
	const jtis = new Map<string, number>();
	for (const [k, exp] of entries(p.jtis, "jtis")) {
		if (!isCount(exp)) throw invalid("feed jti expiry must be an integer");
		jtis.set(k, exp);
	}
	const users = new Map<string, FeedUserEntry>();
	for (const [k, e] of entries(p.users, "users")) {
		if (
			!Array.isArray(e) ||
			e.length < 2 ||
			e.length > 4 ||
			!isCount(e[0]) ||
			!isCount(e[1]) ||
			(e.length === 3 && (typeof e[2] !== "string" || e[2] === "")) ||
			(e.length === 4 &&
				(typeof e[2] !== "string" ||
					!Array.isArray(e[3]) ||
					e[3].length === 0 ||
					e[3].length > 64 ||
					!e[3].every((sid) => typeof sid === "string" && sid !== "")))
		)
			throw invalid(
				"feed user entry must be [epochMs, exp], [epochMs, exp, exceptSid] or [epochMs, exp, exceptSid, freshSids]",
			);
		users.set(k, [
			e[0],
			e[1],
			e.length >= 3 ? (e[2] as string) : "",
			e.length === 4 ? new Set(e[3] as string[]) : undefined,
		]);
	}
	return {
		seq: p.seq,
		iat: p.iat,
		salt: p.salt,
		since: p.since as number | undefined,
		sids,
		jtis,
		users,
	};
}

/**
 * Verify a feed document with the key set: asymmetric `alg` of the set only, `typ` exactly
 * {@link FEED_TYPE}, then the payload.
 *
 * @throws KeysFeedInvalidError `ERR_KEYS_FEED_INVALID` for a bad signature, type or payload.
 * @throws KeysError from the key set itself (e.g. `ERR_KEYS_UNAVAILABLE`), unchanged.
 */
export async function verifyFeedDocument(jws: unknown, keys: KeySet): Promise<FeedPayload> {
	if (typeof jws !== "string") throw invalid("feed response has no `feed` string");
	let typ: unknown;
	try {
		typ = decodeProtectedHeader(jws).typ;
	} catch (e) {
		throw invalid("feed document is not a compact JWS", e);
	}
	if (typ !== FEED_TYPE) throw invalid(`feed document typ is not ${FEED_TYPE}`);
	let algorithms = keys.algorithms("sig").filter((a) => ASYMMETRIC.test(a));
	if (algorithms.length === 0) {
		await keys.load();
		algorithms = keys.algorithms("sig").filter((a) => ASYMMETRIC.test(a));
	}
	let payload: Uint8Array;
	try {
		({ payload } = await compactVerify(jws, keys.resolver, { algorithms }));
	} catch (e) {
		if (e instanceof KeysError && !(e.code === "ERR_KEYS_NO_MATCHING_KEY")) throw e;
		throw invalid("feed document signature does not verify with the key set", e);
	}
	let raw: unknown;
	try {
		raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
	} catch (e) {
		throw invalid("feed payload is not JSON", e);
	}
	return parseFeedPayload(raw);
}
