import { errors } from "jose";
import { SessionTokenMalformedError, SessionTokenTooLargeError } from "../errors";

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** base64url alphabet value of each ASCII code (-1 elsewhere). */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
	VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charCodeAt(i)] = i;
}

function malformed(message: string): SessionTokenMalformedError {
	return new SessionTokenMalformedError(message, { cause: new errors.JWSInvalid(message) });
}

/**
 * `true` when the base64url segment `token[start, end)` is canonical: its length is not
 * 1 modulo 4 (no whole byte), and the unused low bits of its last character are zero
 * (otherwise two different strings decode to the same bytes).
 */
function canonical(token: string, start: number, end: number): boolean {
	const rest = (end - start) % 4;
	if (rest === 0) return true;
	if (rest === 1) return false;
	const last = VALUE[token.charCodeAt(end - 1)] ?? 0;
	return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * The gate before any decoding (catalog FMT-01..05): a string of at most `maxTokenBytes`
 * characters, exactly three base64url segments (no padding, `+`, `/`, spaces or newlines),
 * non-empty header and payload, each segment canonical (no non-zero unused bits in its last
 * character, no length of 1 modulo 4), and no UTF-8 byte order mark at the start of the
 * header or payload (`77u_` is its base64url form; catalog CLM-13).
 */
export function checkCompact(token: unknown, maxTokenBytes: number): asserts token is string {
	if (typeof token !== "string") throw malformed("the token must be a string");
	if (token.length > maxTokenBytes) {
		throw new SessionTokenTooLargeError(
			`the token is ${token.length} bytes, more than the ${maxTokenBytes} allowed`,
		);
	}
	if (!COMPACT.test(token)) {
		throw malformed("the token must be a compact JWS: three base64url parts separated by dots");
	}
	const first = token.indexOf(".");
	const second = token.indexOf(".", first + 1);
	if (
		!canonical(token, 0, first) ||
		!canonical(token, first + 1, second) ||
		!canonical(token, second + 1, token.length)
	) {
		throw malformed(
			"a part of the token is not canonical base64url (non-zero unused bits or a stray character)",
		);
	}
	if (token.startsWith("77u_") || token.includes(".77u_")) {
		throw new SessionTokenMalformedError(
			"the token's header or claims start with a byte order mark",
			{
				cause: new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object"),
			},
		);
	}
}

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a canonical base64url segment (checked by {@link checkCompact}) as strict UTF-8;
 * `undefined` when the bytes are not UTF-8 (the engine then fails as jose does).
 */
export function decodeSegmentText(token: string, start: number, end: number): string | undefined {
	const length = end - start;
	const bytes = new Uint8Array((length * 3) >> 2);
	let out = 0;
	let acc = 0;
	let bits = 0;
	for (let i = start; i < end; i++) {
		acc = (acc << 6) | (VALUE[token.charCodeAt(i)] as number);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bytes[out++] = (acc >> bits) & 0xff;
		}
	}
	try {
		return strict.decode(bytes.subarray(0, out));
	} catch {
		return undefined;
	}
}

/**
 * The name of the first member that appears twice in one object of the JSON text (any depth;
 * names compared after unescaping, so `"a"` and `"\u0061"` are the same), or `undefined`.
 * Not a validator: on text that is not JSON it stops without a finding (the JSON parse that
 * follows refuses it).
 */
export function duplicateMember(json: string): string | undefined {
	const stack: (Set<string> | null)[] = [];
	let expectKey = false;
	const n = json.length;
	for (let i = 0; i < n; i++) {
		const c = json.charCodeAt(i);
		if (c === 0x22) {
			// a string: find its end, skipping escapes
			let j = i + 1;
			let escaped = false;
			while (j < n) {
				const d = json.charCodeAt(j);
				if (d === 0x5c) {
					escaped = true;
					j += 2;
					continue;
				}
				if (d === 0x22) break;
				j++;
			}
			if (j >= n) return undefined;
			const top = stack[stack.length - 1];
			if (expectKey && top) {
				let name: string;
				if (escaped) {
					try {
						name = JSON.parse(json.slice(i, j + 1)) as string;
					} catch {
						return undefined;
					}
				} else {
					name = json.slice(i + 1, j);
				}
				if (top.has(name)) return name;
				top.add(name);
				expectKey = false;
			}
			i = j;
		} else if (c === 0x7b) {
			stack.push(new Set());
			expectKey = true;
		} else if (c === 0x5b) {
			stack.push(null);
			expectKey = false;
		} else if (c === 0x7d || c === 0x5d) {
			stack.pop();
			expectKey = false;
		} else if (c === 0x2c) {
			expectKey = stack[stack.length - 1] != null;
		}
	}
	return undefined;
}

/** The header and claims text of a token that passed {@link checkJwt}. */
export interface JwtSegments {
	/** The decoded protected header, or `undefined` when it is not UTF-8. */
	readonly header: string | undefined;
	/** The decoded claims set, or `undefined` when it is not UTF-8. */
	readonly payload: string | undefined;
}

/**
 * The format gate every verify engine shares: {@link checkCompact}, then no duplicate member
 * name in the header or the claims set (catalog HDR-11: refused, not last-wins), before any
 * signature is checked. `decode` turns a canonical segment into strict UTF-8 text (an engine
 * may pass a native one; same result).
 *
 * @throws {SessionTokenTooLargeError} `ERR_SESSION_TOKEN_TOO_LARGE`.
 * @throws {SessionTokenMalformedError} `ERR_SESSION_TOKEN_MALFORMED`.
 */
export function checkJwt(
	token: unknown,
	maxTokenBytes: number,
	decode: (token: string, start: number, end: number) => string | undefined = decodeSegmentText,
): JwtSegments {
	checkCompact(token, maxTokenBytes);
	const first = token.indexOf(".");
	const second = token.indexOf(".", first + 1);
	const header = decode(token, 0, first);
	const payload = decode(token, first + 1, second);
	const inHeader = header === undefined ? undefined : duplicateMember(header);
	if (inHeader !== undefined) {
		throw malformed(`the token's header has the member ${quote(inHeader)} twice`);
	}
	const inClaims = payload === undefined ? undefined : duplicateMember(payload);
	if (inClaims !== undefined) {
		const message = `the token's claims have the member ${quote(inClaims)} twice`;
		throw new SessionTokenMalformedError(message, { cause: new errors.JWTInvalid(message) });
	}
	return { header, payload };
}

function quote(name: string): string {
	return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}
