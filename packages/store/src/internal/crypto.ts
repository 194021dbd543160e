// Web Crypto helpers: base64url, random, SHA-256, HMAC tags, HKDF + AES-GCM sealing, and
// constant-time comparison. Only `globalThis.crypto`, so the memory store runs anywhere.

/** The Web Crypto key type (global `CryptoKey` is not in the ES lib). */
export type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const ENC = new TextEncoder();
const DEC = new TextDecoder();
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_INDEX = new Int16Array(128).fill(-1);
const B64_CODES = Array.from(B64URL, (c) => c.charCodeAt(0));
for (let i = 0; i < B64URL.length; i++) B64_INDEX[B64URL.charCodeAt(i)] = i;

export function utf8(text: string): Uint8Array<ArrayBuffer> {
	return ENC.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
	return DEC.decode(bytes);
}

export function b64url(bytes: Uint8Array): string {
	// char codes first, one String.fromCharCode at the end: a flat string (no rope of small
	// concatenations), which keeps stored hashes small in memory
	const codes = new Array<number>(Math.ceil((bytes.length * 4) / 3));
	let o = 0;
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n =
			((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
		codes[o++] = B64_CODES[n >>> 18] as number;
		codes[o++] = B64_CODES[(n >>> 12) & 63] as number;
		codes[o++] = B64_CODES[(n >>> 6) & 63] as number;
		codes[o++] = B64_CODES[n & 63] as number;
	}
	const rest = bytes.length - i;
	if (rest > 0) {
		const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
		codes[o++] = B64_CODES[n >>> 18] as number;
		codes[o++] = B64_CODES[(n >>> 12) & 63] as number;
		if (rest === 2) codes[o++] = B64_CODES[(n >>> 6) & 63] as number;
	}
	codes.length = o;
	return String.fromCharCode.apply(null, codes);
}

/** Decodes unpadded base64url; returns undefined on any character outside the alphabet. */
export function fromB64url(text: string): Uint8Array<ArrayBuffer> | undefined {
	if (text.length % 4 === 1) return undefined;
	const out = new Uint8Array(Math.floor((text.length * 3) / 4));
	let bits = 0;
	let acc = 0;
	let o = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		const v = c < 128 ? (B64_INDEX[c] as number) : -1;
		if (v < 0) return undefined;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (acc >>> bits) & 0xff;
		}
	}
	return out;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(length);
	crypto.getRandomValues(out);
	return out;
}

export async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
	return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/** SHA-256 of a text, base64url (43 chars). What the store keeps instead of a token. */
export async function hashText(text: string): Promise<string> {
	return b64url(await sha256(utf8(text)));
}

export async function hmacKey(secret: Uint8Array<ArrayBuffer>): Promise<Key> {
	return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function hmac(key: Key, text: string): Promise<Uint8Array<ArrayBuffer>> {
	return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(text)));
}

/** Constant-time equality of two byte strings (length is not secret). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
	return diff === 0;
}

/** Constant-time equality of two ASCII strings (hashes); length is not secret. */
export function timingSafeEqualText(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}

const SEAL_SALT = utf8("xshl-session-store/grace-successor/v1");

async function sealKey(secret: Uint8Array<ArrayBuffer>, info: string): Promise<Key> {
	const ikm = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
	return crypto.subtle.deriveKey(
		{ name: "HKDF", hash: "SHA-256", salt: SEAL_SALT, info: utf8(info) },
		ikm,
		{ name: "AES-GCM", length: 256 },
		false,
		["encrypt", "decrypt"],
	);
}

/**
 * Encrypts `plaintext` under a key derived (HKDF-SHA-256) from `secret`, bound to `context`
 * as both HKDF info and AES-GCM additional data. Output: base64url(iv ‖ ciphertext ‖ tag).
 */
export async function seal(
	secret: Uint8Array<ArrayBuffer>,
	context: string,
	plaintext: string,
): Promise<string> {
	const key = await sealKey(secret, context);
	const iv = randomBytes(12);
	const ct = new Uint8Array(
		await crypto.subtle.encrypt(
			{ name: "AES-GCM", iv, additionalData: utf8(context) },
			key,
			utf8(plaintext),
		),
	);
	const out = new Uint8Array(iv.length + ct.length);
	out.set(iv);
	out.set(ct, iv.length);
	return b64url(out);
}

/** Inverse of {@link seal}; undefined when the key or context is wrong or data was altered. */
export async function open(
	secret: Uint8Array<ArrayBuffer>,
	context: string,
	sealed: string,
): Promise<string | undefined> {
	const bytes = fromB64url(sealed);
	if (bytes === undefined || bytes.length < 12 + 16) return undefined;
	try {
		const key = await sealKey(secret, context);
		const pt = await crypto.subtle.decrypt(
			{ name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: utf8(context) },
			key,
			bytes.subarray(12),
		);
		return fromUtf8(new Uint8Array(pt));
	} catch {
		return undefined;
	}
}
