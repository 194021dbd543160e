// Crypto helpers: base64url, random, SHA-256, HMAC tags, HKDF + AES-GCM sealing, and
// constant-time comparison. On Node (and Bun) they are synchronous `node:crypto` calls, found
// with `process.getBuiltinModule` so no runtime needs the import; elsewhere (edge runtimes)
// Web Crypto. Both give byte-identical outputs (tested), so stored data stays valid. Callers
// `await` every result: a plain value costs one microtask, a Web Crypto call a threadpool hop.

type NodeCrypto = typeof import("node:crypto");

/** A value now (node:crypto) or later (Web Crypto). */
export type MaybePromise<T> = T | Promise<T>;

/** The Web Crypto key type (global `CryptoKey` is not in the ES lib). */
type WebKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** An HMAC-SHA-256 key: the raw secret, and its Web Crypto key once imported (fallback only). */
export interface Key {
	readonly raw: Uint8Array<ArrayBuffer>;
	web: Promise<WebKey> | undefined;
	/** node:crypto's KeyObject, made once (faster than raw bytes per HMAC). */
	node: import("node:crypto").KeyObject | undefined;
}

function loadNodeCrypto(): NodeCrypto | undefined {
	const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
	try {
		const m = p?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
		return typeof m?.createHmac === "function" && typeof m.createCipheriv === "function"
			? m
			: undefined;
	} catch {
		return undefined;
	}
}

const NODE = loadNodeCrypto();

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

/** Random bytes are drawn from the CSPRNG in blocks of this size (one call per many tokens). */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let poolAt = 0;

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
	if (length > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(length));
	if (poolAt + length > pool.length) {
		pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
		poolAt = 0;
	}
	// a copy: no two callers ever share (or see) the same bytes
	const out = pool.slice(poolAt, poolAt + length);
	pool.fill(0, poolAt, poolAt + length);
	poolAt += length;
	return out;
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

/** The primitives, one implementation per runtime family. */
export interface Primitives {
	sha256(data: Uint8Array<ArrayBuffer>): MaybePromise<Uint8Array<ArrayBuffer>>;
	hmac(key: Key, text: string): MaybePromise<Uint8Array<ArrayBuffer>>;
	/** HKDF-SHA-256 → AES-256-GCM encrypt; returns iv ‖ ciphertext ‖ tag. */
	seal(
		secret: Uint8Array<ArrayBuffer>,
		context: string,
		plaintext: string,
		iv: Uint8Array<ArrayBuffer>,
	): MaybePromise<Uint8Array<ArrayBuffer>>;
	/** Inverse of `seal`; undefined when the key, context or data is wrong. */
	open(
		secret: Uint8Array<ArrayBuffer>,
		context: string,
		bytes: Uint8Array<ArrayBuffer>,
	): MaybePromise<string | undefined>;
}

const SEAL_SALT = utf8("xshl-session-store/grace-successor/v1");
const ONE = new Uint8Array([1]);

async function webSealKey(secret: Uint8Array<ArrayBuffer>, info: string): Promise<WebKey> {
	const ikm = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
	return crypto.subtle.deriveKey(
		{ name: "HKDF", hash: "SHA-256", salt: SEAL_SALT, info: utf8(info) },
		ikm,
		{ name: "AES-GCM", length: 256 },
		false,
		["encrypt", "decrypt"],
	);
}

/** Web Crypto: every runtime. */
export const WEB_PRIMITIVES: Primitives = {
	async sha256(data) {
		return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
	},
	async hmac(key, text) {
		key.web ??= crypto.subtle.importKey("raw", key.raw, { name: "HMAC", hash: "SHA-256" }, false, [
			"sign",
		]);
		return new Uint8Array(await crypto.subtle.sign("HMAC", await key.web, utf8(text)));
	},
	async seal(secret, context, plaintext, iv) {
		const key = await webSealKey(secret, context);
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
		return out;
	},
	async open(secret, context, bytes) {
		try {
			const key = await webSealKey(secret, context);
			const pt = await crypto.subtle.decrypt(
				{ name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: utf8(context) },
				key,
				bytes.subarray(12),
			);
			return fromUtf8(new Uint8Array(pt));
		} catch {
			return undefined;
		}
	},
};

function nodePrimitives(c: NodeCrypto): Primitives {
	const view = (b: Uint8Array): Uint8Array<ArrayBuffer> =>
		new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
	// HKDF-SHA-256 (RFC 5869) for a 32-byte output is two HMACs: PRK = HMAC(salt, ikm), then
	// OKM = HMAC(PRK, info ‖ 0x01). Written out because hkdfSync costs several KeyObjects.
	const sealKey = (secret: Uint8Array, context: string): Uint8Array => {
		const prk = c.createHmac("sha256", SEAL_SALT).update(secret).digest();
		return c.createHmac("sha256", prk).update(context, "utf8").update(ONE).digest();
	};
	return {
		sha256: (data) => view(c.createHash("sha256").update(data).digest()),
		hmac(key, text) {
			key.node ??= c.createSecretKey(key.raw);
			return view(c.createHmac("sha256", key.node).update(text, "utf8").digest());
		},
		seal(secret, context, plaintext, iv) {
			const cipher = c.createCipheriv("aes-256-gcm", sealKey(secret, context), iv);
			cipher.setAAD(utf8(context));
			const head = cipher.update(plaintext, "utf8");
			const last = cipher.final();
			const tag = cipher.getAuthTag();
			const out = new Uint8Array(iv.length + head.length + last.length + tag.length);
			out.set(iv);
			out.set(head, iv.length);
			out.set(last, iv.length + head.length);
			out.set(tag, iv.length + head.length + last.length);
			return out;
		},
		open(secret, context, bytes) {
			try {
				const decipher = c.createDecipheriv(
					"aes-256-gcm",
					sealKey(secret, context),
					bytes.subarray(0, 12),
				);
				decipher.setAAD(utf8(context));
				decipher.setAuthTag(bytes.subarray(bytes.length - 16));
				const text = decipher.update(bytes.subarray(12, bytes.length - 16), undefined, "utf8");
				return text + decipher.final("utf8");
			} catch {
				return undefined;
			}
		},
	};
}

/** `node:crypto` (Node, Bun), or undefined where it is missing. */
export const NODE_PRIMITIVES: Primitives | undefined = NODE && nodePrimitives(NODE);

const P: Primitives = NODE_PRIMITIVES ?? WEB_PRIMITIVES;

export function sha256(data: Uint8Array<ArrayBuffer>): MaybePromise<Uint8Array<ArrayBuffer>> {
	return P.sha256(data);
}

/** SHA-256 of a text, base64url (43 chars). What the store keeps instead of a token. */
export function hashText(text: string): MaybePromise<string> {
	if (NODE !== undefined) return NODE.createHash("sha256").update(text, "utf8").digest("base64url");
	return Promise.resolve(WEB_PRIMITIVES.sha256(utf8(text))).then(b64url);
}

export function hmacKey(secret: Uint8Array<ArrayBuffer>): Key {
	return { raw: secret, web: undefined, node: undefined };
}

export function hmac(key: Key, text: string): MaybePromise<Uint8Array<ArrayBuffer>> {
	return P.hmac(key, text);
}

/**
 * Encrypts `plaintext` under a key derived (HKDF-SHA-256) from `secret`, bound to `context`
 * as both HKDF info and AES-GCM additional data. Output: base64url(iv ‖ ciphertext ‖ tag).
 */
export function seal(
	secret: Uint8Array<ArrayBuffer>,
	context: string,
	plaintext: string,
	primitives: Primitives = P,
	iv: Uint8Array<ArrayBuffer> = randomBytes(12),
): MaybePromise<string> {
	const out = primitives.seal(secret, context, plaintext, iv);
	return out instanceof Promise ? out.then(b64url) : b64url(out);
}

/** Inverse of {@link seal}; undefined when the key or context is wrong or data was altered. */
export function open(
	secret: Uint8Array<ArrayBuffer>,
	context: string,
	sealed: string,
	primitives: Primitives = P,
): MaybePromise<string | undefined> {
	const bytes = fromB64url(sealed);
	if (bytes === undefined || bytes.length < 12 + 16) return undefined;
	return primitives.open(secret, context, bytes);
}
