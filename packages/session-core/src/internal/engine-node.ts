import { errors } from "jose";
import { checkJwtFast, type ParsedJson } from "./compact";
import type { VerifiedJws, VerifyEngine } from "./engine-jose";
import { joseError, keySetError } from "./errors-map";
import { normalizeTyp } from "./typ";
import { algorithmAllowlist, type CompiledVerifyOptions } from "./verify-options";

// ---- the parts of node:crypto and node:buffer this engine uses (the package has no Node types) ----

/** A `node:crypto` `KeyObject`, opaque here. */
export interface NodeKeyObject {
	readonly type: string;
}

interface NodeBuffer extends Uint8Array {
	toString(encoding?: string): string;
}

/** The members of `node:crypto` and `node:buffer` the engine calls. */
export interface NodeCrypto {
	readonly KeyObject: { from(key: CryptoKey): NodeKeyObject };
	verify(
		algorithm: string | null,
		data: Uint8Array,
		key:
			| NodeKeyObject
			| { key: NodeKeyObject; dsaEncoding?: string; padding?: number; saltLength?: number },
		signature: Uint8Array,
	): boolean;
	createSecretKey(key: Uint8Array): NodeKeyObject;
	createHmac(
		algorithm: string,
		key: NodeKeyObject,
	): { update(data: Uint8Array): { digest(): Uint8Array } };
	timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
	readonly constants: { readonly RSA_PKCS1_PSS_PADDING: number };
	readonly Buffer: { from(text: string, encoding: string): NodeBuffer };
	/** `node:buffer`'s `isUtf8` (strict UTF-8 check, native). */
	readonly isUtf8: (bytes: Uint8Array) => boolean;
}

/**
 * `node:crypto` (with `Buffer`) when the runtime has it (Node 20.16+, Bun, Deno), through
 * `process.getBuiltinModule`: synchronous, no import a web bundler would follow, nothing on
 * other runtimes.
 */
export function detectNodeCrypto(): NodeCrypto | undefined {
	try {
		// workerd (Cloudflare Workers) and Vercel's edge runtime expose a partial `node:crypto`
		// through `process.getBuiltinModule` (workerd even without `nodejs_compat`), whose
		// `verify` refuses valid signatures: there, jose stays the engine.
		const g = globalThis as { navigator?: { userAgent?: unknown }; EdgeRuntime?: unknown };
		if (g.navigator?.userAgent === "Cloudflare-Workers" || g.EdgeRuntime !== undefined) {
			return undefined;
		}
		const get = (
			globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } | undefined }
		).process?.getBuiltinModule;
		if (typeof get !== "function") return undefined;
		const crypto = get("node:crypto") as Omit<NodeCrypto, "Buffer"> | undefined;
		const buffer = get("node:buffer") as
			| { Buffer?: NodeCrypto["Buffer"]; isUtf8?: NodeCrypto["isUtf8"] }
			| undefined;
		if (
			typeof crypto?.verify !== "function" ||
			typeof crypto.KeyObject?.from !== "function" ||
			typeof crypto.createHmac !== "function" ||
			typeof buffer?.Buffer?.from !== "function" ||
			typeof buffer.isUtf8 !== "function"
		) {
			return undefined;
		}
		return Object.freeze({
			...crypto,
			Buffer: buffer.Buffer,
			isUtf8: buffer.isUtf8,
		}) as NodeCrypto;
	} catch {
		return undefined;
	}
}

// ---- binding a resolved key to the algorithm (exactly jose's checks, then node parameters) ----

/** How one verification runs on `node:crypto`, fixed by the key (and its algorithm). */
export type NodeVerifier = (
	crypto: NodeCrypto,
	input: Uint8Array,
	signature: Uint8Array,
) => boolean;

interface AlgSpec {
	readonly name: string;
	readonly hash?: string;
	readonly namedCurve?: string;
	readonly secret?: true;
}

const SPEC: Readonly<Record<string, AlgSpec>> = {
	HS256: { name: "HMAC", hash: "SHA-256", secret: true },
	HS384: { name: "HMAC", hash: "SHA-384", secret: true },
	HS512: { name: "HMAC", hash: "SHA-512", secret: true },
	RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
	RS384: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
	RS512: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" },
	PS256: { name: "RSA-PSS", hash: "SHA-256" },
	PS384: { name: "RSA-PSS", hash: "SHA-384" },
	PS512: { name: "RSA-PSS", hash: "SHA-512" },
	ES256: { name: "ECDSA", namedCurve: "P-256" },
	ES384: { name: "ECDSA", namedCurve: "P-384" },
	ES512: { name: "ECDSA", namedCurve: "P-521" },
	EdDSA: { name: "Ed25519" },
	Ed25519: { name: "Ed25519" },
};

const NODE_HASH: Readonly<Record<string, string>> = {
	"SHA-256": "sha256",
	"SHA-384": "sha384",
	"SHA-512": "sha512",
};
const CURVE_HASH: Readonly<Record<string, string>> = {
	"P-256": "sha256",
	"P-384": "sha384",
	"P-521": "sha512",
};
const HASH_BYTES: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };

function unusable(message: string): TypeError {
	return new TypeError(message);
}

function isCryptoKey(key: unknown): key is CryptoKey {
	return (key as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag] === "CryptoKey";
}

/**
 * jose's key checks for `alg` (`prepareKey`, `checkCryptoKey`, `checkModulusLength`), then the
 * `node:crypto` verification the KEY's algorithm calls for: the algorithm is bound to the key
 * (its `name`, `hash`, `namedCurve`), never taken from the header alone. Throws the TypeError
 * jose throws for a key that does not fit (mapped to `ERR_SESSION_SIGNATURE_INVALID`).
 */
export type KeyBinder = (
	crypto: NodeCrypto,
	key: CryptoKey | Uint8Array,
	alg: string,
	keyObject: (key: CryptoKey) => NodeKeyObject,
) => NodeVerifier;

/** The strict {@link KeyBinder}. */
export const bindKey: KeyBinder = (crypto, key, alg, keyObject) => {
	const spec = SPEC[alg];
	if (spec === undefined) throw new errors.JOSENotSupported(`alg ${alg} is not supported`);
	if (key instanceof Uint8Array) {
		// jose imports a raw secret only for HS*; WebCrypto refuses an empty HMAC key
		if (spec.secret !== true || key.length === 0) {
			throw unusable(`Key for the ${alg} algorithm must be of type CryptoKey`);
		}
		return hmacVerifier(crypto.createSecretKey(key), spec.hash as string);
	}
	const expectedType = spec.secret === true ? "secret" : "public";
	if (key.type !== expectedType) {
		throw unusable(
			`CryptoKey instances must be of type "${expectedType}" for the ${alg} algorithm`,
		);
	}
	const a = key.algorithm as {
		name: string;
		hash?: { name: string };
		namedCurve?: string;
		modulusLength?: number;
	};
	if (a.name !== spec.name) throw unusable(`its algorithm.name must be ${spec.name}`);
	if (spec.hash !== undefined && a.hash?.name !== spec.hash) {
		throw unusable(`its algorithm.hash must be ${spec.hash}`);
	}
	if (spec.namedCurve !== undefined && a.namedCurve !== spec.namedCurve) {
		throw unusable(`its algorithm.namedCurve must be ${spec.namedCurve}`);
	}
	if (!key.usages.includes("verify")) throw unusable("its usages must include verify");
	if (
		(a.name === "RSASSA-PKCS1-v1_5" || a.name === "RSA-PSS") &&
		(typeof a.modulusLength !== "number" || a.modulusLength < 2048)
	) {
		throw unusable(`${alg} requires key modulusLength to be 2048 bits or larger`);
	}
	return verifierFor(crypto, keyObject(key), a);
};

/** The node call for a key's WebCrypto algorithm (checked to fit the alg). */
export function verifierFor(
	crypto: NodeCrypto,
	ko: NodeKeyObject,
	a: { name: string; hash?: { name: string }; namedCurve?: string },
): NodeVerifier {
	switch (a.name) {
		case "ECDSA": {
			const hash = CURVE_HASH[a.namedCurve as string] as string;
			const key = { key: ko, dsaEncoding: "ieee-p1363" };
			return (c, input, sig) => c.verify(hash, input, key, sig);
		}
		case "Ed25519":
			return (c, input, sig) => c.verify(null, input, ko, sig);
		case "RSASSA-PKCS1-v1_5": {
			const hash = NODE_HASH[a.hash?.name as string] as string;
			return (c, input, sig) => c.verify(hash, input, ko, sig);
		}
		case "RSA-PSS": {
			const hash = NODE_HASH[a.hash?.name as string] as string;
			const key = {
				key: ko,
				padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
				saltLength: HASH_BYTES[hash] as number,
			};
			return (c, input, sig) => c.verify(hash, input, key, sig);
		}
		case "HMAC":
			return hmacVerifier(ko, a.hash?.name as string);
		default:
			throw unusable(`unsupported key algorithm ${a.name}`);
	}
}

function hmacVerifier(ko: NodeKeyObject, webHash: string): NodeVerifier {
	const hash = NODE_HASH[webHash] as string;
	return (c, input, sig) => {
		const mac = c.createHmac(hash, ko).update(input).digest();
		return mac.length === sig.length && c.timingSafeEqual(mac, sig);
	};
}

// ---- the engine ----

/** `KeyObject.from` refused a key (a runtime with a partial `node:crypto`). */
class NoKeyObject extends Error {
	constructor(cause: unknown) {
		super("KeyObject.from refused the key", { cause });
	}
}

const JWS_RECOGNIZED: Readonly<Record<string, true>> = { __proto__: null, b64: true } as never;

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== "object" || value === null) return false;
	if (Object.prototype.toString.call(value) !== "[object Object]") return false;
	const proto = Object.getPrototypeOf(value);
	return proto === null || Object.getPrototypeOf(proto) === null;
}

/** jose's `JWTClaimValidationFailed` for `claim`, mapped to our error. */
function claimFailed(
	c: Record<string, unknown>,
	claim: string,
	reason = "check_failed",
	message = `unexpected "${claim}" claim value`,
): never {
	throw joseError(new errors.JWTClaimValidationFailed(message, c, claim, reason));
}

/** A NumericDate claim as jose reads it: absent (not `iat`), or a number, or refused. */
function numericClaim(c: Record<string, unknown>, claim: string): number | undefined {
	const value = c[claim];
	if (value === undefined && claim !== "iat") return undefined;
	if (typeof value !== "number")
		claimFailed(c, claim, "invalid", `"${claim}" claim must be a number`);
	return value;
}

/** Largest time value a `Date` holds (ms); beyond it `new Date(ms)` is invalid. */
const MAX_DATE_MS = 8.64e15;

/**
 * jose's `epoch(new Date(ms))` (whole seconds, floored) without a `Date` per call: a `Date`
 * truncates its time value toward zero, so the same for every number it holds; anything else
 * (NaN, out of range, not a number) goes through `Date` and gives NaN as before.
 */
function epochSeconds(ms: number): number {
	if (typeof ms === "number" && ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS) {
		return Math.floor(Math.trunc(ms) / 1000);
	}
	return Math.floor(new Date(ms).getTime() / 1000);
}

/** A header segment seen on a verified token, with what the checks made of it. */
interface KnownHeader {
	readonly header: Readonly<Record<string, unknown>>;
	readonly b64: boolean;
	readonly json: ParsedJson;
}

/** How many distinct verified header segments an engine keeps. */
const KNOWN_HEADERS = 32;

/** The alternative for keys the node path does not take (a resolver returning a JWK, ...). */
export type ResolvedFallback = (token: string, key: unknown) => Promise<VerifiedJws>;

/**
 * The `node:crypto` engine: the shared format gate, then jose's `jwtVerify` steps in jose's
 * order with jose's errors (so every rejection maps to the same code), the key resolved by the
 * key set exactly as on the jose path, converted once to a `KeyObject` (cached per key), and
 * one synchronous `crypto.verify` on the event loop instead of a WebCrypto job on the
 * threadpool. A resolved key that is neither a `CryptoKey` nor HMAC bytes goes to jose.
 */
export function nodeEngine(
	o: CompiledVerifyOptions,
	crypto: NodeCrypto,
	fallback: ResolvedFallback,
	bind: KeyBinder = bindKey,
): VerifyEngine {
	const allow = algorithmAllowlist(o, (list) => ({ list, set: new Set(list) }));
	const keys = o.keys;
	const hmacSecret = o.hmacSecret;
	const maxTokenBytes = o.maxTokenBytes;
	const typ = o.typ === undefined ? undefined : normalizeTyp(o.typ);
	const issuer =
		o.issuer === undefined ? undefined : typeof o.issuer === "string" ? [o.issuer] : o.issuer;
	const audience = o.audience;
	// jose's presence order: requiredClaims, iat (maxTokenAge), aud, iss; reversed, deduplicated
	const presence = [
		...new Set(
			[
				...o.requiredClaims,
				"iat",
				...(audience === undefined ? [] : ["aud"]),
				...(issuer === undefined ? [] : ["iss"]),
			].reverse(),
		),
	];
	const leeway = o.leeway;
	const maxTokenAge = o.maxTokenAge;
	const clockMs = o.clockMs;
	const Buffer = crypto.Buffer;

	// one KeyObject per CryptoKey, and one verifier per (key, alg)
	const keyObjects = new WeakMap<CryptoKey, NodeKeyObject>();
	const toKeyObject = (key: CryptoKey): NodeKeyObject => {
		let ko = keyObjects.get(key);
		if (ko === undefined) {
			try {
				ko = crypto.KeyObject.from(key);
			} catch (cause) {
				throw new NoKeyObject(cause);
			}
			keyObjects.set(key, ko);
		}
		return ko;
	};
	const bound = new WeakMap<object, Map<string, NodeVerifier>>();
	function verifierOf(key: CryptoKey | Uint8Array, alg: string): NodeVerifier {
		let byAlg = bound.get(key);
		let v = byAlg?.get(alg);
		if (v !== undefined) return v;
		v = bind(crypto, key, alg, toKeyObject);
		if (byAlg === undefined) {
			byAlg = new Map();
			bound.set(key, byAlg);
		}
		byAlg.set(alg, v);
		return v;
	}

	// Header segments of tokens whose signature verified, with their parsed and checked header:
	// a server sees a handful (one per signing key), so the next token with the same segment
	// skips its decoding, JSON parse and duplicate-member scan. Only headers of primitive values
	// (a shallow copy per call is then a full copy), at most KNOWN_HEADERS, the oldest evicted;
	// entries come only from verified tokens, so a forger cannot fill it.
	const knownHeaders = new Map<string, KnownHeader>();
	function remember(segment: string, h: Record<string, unknown>, b64: boolean): void {
		for (const key in h) {
			const v = h[key];
			if (typeof v === "object" && v !== null) return;
		}
		if (knownHeaders.size >= KNOWN_HEADERS) {
			knownHeaders.delete(knownHeaders.keys().next().value as string);
		}
		const header = Object.freeze({ ...h });
		knownHeaders.set(segment, { header, b64, json: { ok: true, value: header } });
	}

	function fail(error: unknown): never {
		throw joseError(error);
	}

	function header(json: ParsedJson): Record<string, unknown> {
		if (!json.ok)
			fail(new errors.JWSInvalid("JWS Protected Header is invalid", { cause: json.error }));
		const parsed = json.value;
		if (!isPlainObject(parsed)) fail(new errors.JWSInvalid("JWS Protected Header is invalid"));
		return parsed;
	}

	/** jose's `validateCrit` (no `crit` option) and `validateB64`: returns `b64`. */
	function crit(h: Record<string, unknown>): boolean {
		const list = h.crit;
		if (list === undefined) return true;
		if (
			!Array.isArray(list) ||
			list.length === 0 ||
			list.some((p) => typeof p !== "string" || p.length === 0)
		) {
			fail(
				new errors.JWSInvalid(
					'"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present',
				),
			);
		}
		for (const p of list as string[]) {
			if (!(p in JWS_RECOGNIZED)) {
				fail(new errors.JOSENotSupported(`Extension Header Parameter "${p}" is not recognized`));
			}
			if (!Object.hasOwn(h, p) || h[p] === undefined) {
				fail(new errors.JWSInvalid(`Extension Header Parameter "${p}" is missing`));
			}
		}
		if ((list as string[]).includes("b64")) {
			if (typeof h.b64 !== "boolean") {
				fail(
					new errors.JWSInvalid(
						'The "b64" (base64url-encode payload) Header Parameter must be a boolean',
					),
				);
			}
			return h.b64;
		}
		return true;
	}

	const resolveSync = keys.resolveSync;
	/** The key set's key (or the HMAC secret, as is), as jose would await it; errors mapped. */
	function resolve(
		h: Record<string, unknown>,
		parts: { payload: string; protected: string; signature: string },
	): unknown {
		if (hmacSecret !== undefined && (h.alg as string).startsWith("HS")) return hmacSecret;
		if (resolveSync !== undefined) {
			// the key at hand, with no promise; anything else is the resolver's to answer
			let key: unknown;
			try {
				key = resolveSync(h as { kid?: string; alg?: string });
			} catch {
				key = undefined;
			}
			if (isCryptoKey(key)) return key;
		}
		try {
			return keys.resolver(h as { kid?: string; alg?: string }, parts);
		} catch (error) {
			return Promise.reject(error);
		}
	}
	function onKeyError(error: unknown): never {
		throw keySetError(error);
	}

	/** jose's `validateClaimsSet` with our options (typ, presence, iss, aud, times). */
	function claims(h: Record<string, unknown>, json: ParsedJson): Record<string, unknown> {
		if (!json.ok) {
			fail(
				new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object", {
					cause: json.error,
				}),
			);
		}
		const set = json.value;
		if (!isPlainObject(set))
			fail(new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object"));
		const c = set;
		if (typ !== undefined && (typeof h.typ !== "string" || normalizeTyp(h.typ) !== typ)) {
			claimFailed(c, "typ", "check_failed", 'unexpected "typ" JWT header value');
		}
		for (let i = 0; i < presence.length; i++) {
			const claim = presence[i] as string;
			if (!Object.hasOwn(c, claim))
				claimFailed(c, claim, "missing", `missing required "${claim}" claim`);
		}
		if (issuer !== undefined && !issuer.includes(c.iss as string)) claimFailed(c, "iss");
		if (audience !== undefined) {
			const aud = c.aud;
			const ok =
				typeof aud === "string"
					? audience.includes(aud)
					: Array.isArray(aud)
						? audience.some((a) => aud.includes(a))
						: false;
			if (!ok) claimFailed(c, "aud");
		}
		const now = epochSeconds(clockMs());
		if (!Number.isFinite(now)) fail(new TypeError("Invalid currentDate option input"));
		const iat = numericClaim(c, "iat") as number;
		const nbf = numericClaim(c, "nbf");
		if (nbf !== undefined && nbf > now + leeway) {
			claimFailed(c, "nbf", "check_failed", '"nbf" claim timestamp check failed');
		}
		const exp = numericClaim(c, "exp");
		if (exp !== undefined && exp <= now - leeway) {
			fail(new errors.JWTExpired('"exp" claim timestamp check failed', c, "exp", "check_failed"));
		}
		const age = now - iat;
		if (age - leeway > maxTokenAge) {
			fail(
				new errors.JWTExpired(
					'"iat" claim timestamp check failed (too far in the past)',
					c,
					"iat",
					"check_failed",
				),
			);
		}
		if (age < -leeway) {
			claimFailed(
				c,
				"iat",
				"check_failed",
				'"iat" claim timestamp check failed (it should be in the past)',
			);
		}
		return c;
	}

	function verifyThen<R>(token: string, next: (result: VerifiedJws) => R): Promise<R> {
		let h: Record<string, unknown>;
		let b64: boolean;
		let parts: { payload: string; protected: string; signature: string };
		let segments: ReturnType<typeof checkJwtFast>;
		let known: KnownHeader | undefined;
		let first: number;
		try {
			first = typeof token === "string" ? token.indexOf(".") : -1;
			known = first > 0 ? knownHeaders.get(token.slice(0, first)) : undefined;
			segments = checkJwtFast(token, maxTokenBytes, crypto, known?.json);
			if (known !== undefined) {
				// a header segment a verified token had: the gate, crit and alg checks passed for it
				h = { ...known.header };
				b64 = known.b64;
			} else {
				h = header(segments.headerJson);
				b64 = crit(h);
			}
			const alg = h.alg;
			if (typeof alg !== "string" || alg.length === 0) {
				fail(new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid'));
			}
			if (!allow().set.has(alg)) {
				fail(new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed'));
			}
			const second = segments.second;
			parts = {
				payload: token.slice(first + 1, second),
				protected: token.slice(0, first),
				signature: token.slice(second + 1),
			};
		} catch (error) {
			return Promise.reject(error);
		}
		const finish = (key: unknown): R | Promise<R> => {
			if (!isCryptoKey(key) && !(key instanceof Uint8Array)) return fallback(token, key).then(next);
			const alg = h.alg as string;
			const second = segments.second;
			let verified = false;
			let run: NodeVerifier;
			try {
				run = verifierOf(key, alg);
			} catch (error) {
				// a runtime whose KeyObject cannot take this CryptoKey: jose verifies it
				if (error instanceof NoKeyObject) return fallback(token, key).then(next);
				fail(error);
			}
			try {
				verified = run(crypto, Buffer.from(token.slice(0, second), "latin1"), segments.signature);
			} catch (cause) {
				fail(new errors.JWSSignatureVerificationFailed(undefined, { cause }));
			}
			if (!verified) fail(new errors.JWSSignatureVerificationFailed());
			if (!b64) fail(new errors.JWTInvalid("JWTs MUST NOT use unencoded payload"));
			if (known === undefined) remember(parts.protected, h, b64);
			return next({
				payload: claims(h, segments.payloadJson),
				protectedHeader: h as VerifiedJws["protectedHeader"],
			});
		};
		const key = resolve(h, parts);
		if (typeof (key as PromiseLike<unknown> | null)?.then === "function") {
			return (key as Promise<unknown>).then(finish, onKeyError);
		}
		// a plain value (the HMAC secret, or a resolver that does not return a promise)
		try {
			return Promise.resolve(finish(key));
		} catch (error) {
			return Promise.reject(error);
		}
	}

	const same = (result: VerifiedJws): VerifiedJws => result;
	const verify = (token: string): Promise<VerifiedJws> => verifyThen(token, same);

	return { name: "node", verify, verifyThen, algorithms: () => allow().list };
}
