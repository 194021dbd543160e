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
	if (inHeader !== undefined) throw duplicateInHeader(inHeader);
	const inClaims = payload === undefined ? undefined : duplicateMember(payload);
	if (inClaims !== undefined) throw duplicateInClaims(inClaims);
	return { header, payload };
}

function duplicateInHeader(name: string): SessionTokenMalformedError {
	return malformed(`the token's header has the member ${quote(name)} twice`);
}

function duplicateInClaims(name: string): SessionTokenMalformedError {
	const message = `the token's claims have the member ${quote(name)} twice`;
	return new SessionTokenMalformedError(message, { cause: new errors.JWTInvalid(message) });
}

/** A segment's JSON, parsed once by the gate: the value, or the parse error to throw later. */
export type ParsedJson =
	| { readonly ok: true; readonly value: unknown }
	| { readonly ok: false; readonly error: unknown };

/** The gate's result on runtimes with `Buffer`: texts, their parsed JSON, signature bytes. */
export interface FastJwtSegments extends JwtSegments {
	/** `JSON.parse` of the header text (not run when the text is not UTF-8). */
	readonly headerJson: ParsedJson;
	/** `JSON.parse` of the claims text (not run when the text is not UTF-8). */
	readonly payloadJson: ParsedJson;
	/** The decoded signature. */
	readonly signature: Uint8Array;
	/** Index of the second dot (the signing input is `token.slice(0, second)`). */
	readonly second: number;
}

/** The `Buffer` and `isUtf8` of `node:buffer` the fast gate uses. */
export interface GateBuffer {
	readonly Buffer: {
		from(text: string, encoding: string): Uint8Array & { toString(encoding?: string): string };
	};
	readonly isUtf8: (bytes: Uint8Array) => boolean;
}

const NOT_UTF8: ParsedJson = { ok: false, error: new TypeError("not UTF-8") };

function parseJson(text: string | undefined): ParsedJson {
	if (text === undefined) return NOT_UTF8;
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, error };
	}
}

/**
 * Members (`name: value` pairs) in a JSON text that `JSON.parse` accepted: its colons outside
 * strings (in JSON a colon outside a string separates a member name from its value).
 */
function memberCount(json: string): number {
	let n = 0;
	const length = json.length;
	for (let i = 0; i < length; i++) {
		const c = json.charCodeAt(i);
		if (c === 0x3a) n++;
		else if (c === 0x22) {
			// the closing quote: the next one not escaped by an odd run of backslashes
			let j = json.indexOf('"', i + 1);
			for (;;) {
				let k = j - 1;
				while (json.charCodeAt(k) === 0x5c) k--;
				if ((j - k) % 2 === 1) break;
				j = json.indexOf('"', j + 1);
			}
			i = j;
		}
	}
	return n;
}

/** Own keys of every object in a parsed JSON value (distinct names per object). */
function keyCount(value: unknown): number {
	if (typeof value !== "object" || value === null) return 0;
	let n = 0;
	const stack: object[] = [value];
	while (stack.length > 0) {
		const v = stack.pop() as Record<string, unknown> | unknown[];
		if (Array.isArray(v)) {
			for (const item of v) if (typeof item === "object" && item !== null) stack.push(item);
		} else {
			const keys = Object.keys(v);
			n += keys.length;
			for (const key of keys) {
				const item = v[key];
				if (typeof item === "object" && item !== null) stack.push(item);
			}
		}
	}
	return n;
}

/**
 * The name of a member that appears twice, as {@link duplicateMember} finds it; parsed JSON
 * whose distinct keys add up to its members has none, and the scan only runs otherwise.
 */
function duplicateOf(text: string | undefined, json: ParsedJson): string | undefined {
	if (text === undefined) return undefined;
	if (json.ok && memberCount(text) === keyCount(json.value)) return undefined;
	return duplicateMember(text);
}

const BOM = "77u_";

/**
 * {@link checkJwt} with native base64url (`Buffer`) on runtimes that have it: the same tokens
 * pass and fail with the same errors (a token the fast checks do not pass goes through
 * {@link checkJwt} itself, which throws its exact error), each segment is decoded once, and
 * the header and claims are parsed once (their parse errors kept for the engine to throw
 * where jose does). A segment is canonical base64url exactly when re-encoding its bytes gives
 * it back.
 */
export function checkJwtFast(
	token: unknown,
	maxTokenBytes: number,
	b: GateBuffer,
	knownHeader?: ParsedJson,
): FastJwtSegments {
	if (typeof token === "string" && token.length <= maxTokenBytes) {
		const first = token.indexOf(".");
		const second = token.indexOf(".", first + 1);
		if (
			first > 0 &&
			second > first + 1 &&
			token.indexOf(".", second + 1) === -1 &&
			!token.startsWith(BOM) &&
			!token.includes(`.${BOM}`)
		) {
			const p = token.slice(first + 1, second);
			const s = token.slice(second + 1);
			const pb = b.Buffer.from(p, "base64url");
			const sb = b.Buffer.from(s, "base64url");
			if (pb.toString("base64url") === p && sb.toString("base64url") === s) {
				let header: string | undefined;
				let headerJson: ParsedJson;
				if (knownHeader !== undefined) {
					// the caller has seen this exact header segment pass every check below
					header = undefined;
					headerJson = knownHeader;
				} else {
					const h = token.slice(0, first);
					const hb = b.Buffer.from(h, "base64url");
					if (hb.toString("base64url") !== h) return checkJwtFull(token, maxTokenBytes, b);
					header = b.isUtf8(hb) ? hb.toString("utf8") : undefined;
					headerJson = parseJson(header);
					const inHeader = duplicateOf(header, headerJson);
					if (inHeader !== undefined) throw duplicateInHeader(inHeader);
				}
				const payload = b.isUtf8(pb) ? pb.toString("utf8") : undefined;
				const payloadJson = parseJson(payload);
				const inClaims = duplicateOf(payload, payloadJson);
				if (inClaims !== undefined) throw duplicateInClaims(inClaims);
				return { header, payload, headerJson, payloadJson, signature: sb, second };
			}
		}
	}
	return checkJwtFull(token, maxTokenBytes, b);
}

/** Not on the fast path: the full gate, which throws its exact error. */
function checkJwtFull(token: unknown, maxTokenBytes: number, b: GateBuffer): FastJwtSegments {
	const segments = checkJwt(token, maxTokenBytes, (t, start, end) => {
		const bytes = b.Buffer.from(t.slice(start, end), "base64url");
		return b.isUtf8(bytes) ? bytes.toString("utf8") : undefined;
	});
	const t = token as string;
	const second = t.indexOf(".", t.indexOf(".") + 1);
	return {
		...segments,
		headerJson: parseJson(segments.header),
		payloadJson: parseJson(segments.payload),
		signature: b.Buffer.from(t.slice(second + 1), "base64url"),
		second,
	};
}

function quote(name: string): string {
	return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}
