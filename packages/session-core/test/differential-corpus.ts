// The differential corpus (issue 13 §2): keys, key sets, option sets and token generators
// shared by test/differential.test.ts (a seeded, bounded run) and `pnpm fuzz` (the long run).
// Public vectors are read from ../shared/vectors, never copied.
import {
	constants,
	createHmac,
	generateKeyPairSync,
	type KeyObject as NodeKeyObject,
	sign as nodeSign,
} from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sessionId, Trace } from "@xshl/trace";
import { importJWK, type JWK } from "jose";
import type { SessionKeySet, VerifySessionOptions } from "../src/index";
import { APP, NOW, SALT, UA } from "./helpers";

// ---- a seeded PRNG (mulberry32) ----

export type Rng = () => number;

export function rng(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function pick<T>(r: Rng, list: readonly T[]): T {
	return list[Math.floor(r() * list.length)] as T;
}

// ---- keys: WebCrypto public keys for the key sets, node private keys to sign anything ----

export interface DiffKey {
	kid: string;
	/** The alg the key is published for. */
	alg: string;
	/** The public CryptoKey a key set returns. */
	publicKey: CryptoKey;
	/** The private key material (for signing under any scheme). */
	privateKey: NodeKeyObject;
}

const B64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");

async function webPublic(jwk: JWK, alg: string): Promise<CryptoKey> {
	return (await importJWK(jwk, alg)) as CryptoKey;
}

function pair(kind: "ec" | "rsa" | "ed25519", opts: Record<string, unknown>) {
	const { privateKey, publicKey } = generateKeyPairSync(kind as "ec", opts as never);
	return {
		privateKey: privateKey as unknown as NodeKeyObject,
		jwk: (publicKey as unknown as NodeKeyObject).export({ format: "jwk" }) as JWK,
	};
}

/** Every key the corpus signs with, each published for one alg (kid = alg-ish name). */
export async function makeKeys(): Promise<DiffKey[]> {
	const p256 = pair("ec", { namedCurve: "P-256" });
	const p384 = pair("ec", { namedCurve: "P-384" });
	const p521 = pair("ec", { namedCurve: "P-521" });
	const rsa = pair("rsa", { modulusLength: 2048 });
	const rsa2 = pair("rsa", { modulusLength: 2048 });
	const rsaSmall = pair("rsa", { modulusLength: 1024 });
	const ed = pair("ed25519", {});
	const k = async (kid: string, alg: string, p: ReturnType<typeof pair>): Promise<DiffKey> => ({
		kid,
		alg,
		publicKey: await webPublic(p.jwk, alg === "RS1024" ? "RS256" : alg),
		privateKey: p.privateKey,
	});
	return [
		await k("es256", "ES256", p256),
		await k("es384", "ES384", p384),
		await k("es512", "ES512", p521),
		await k("rs256", "RS256", rsa),
		// the same RSA material published for PSS and for RS384 (alg confusion needs one key, two algs)
		await k("ps256", "PS256", rsa),
		await k("rs384", "RS384", rsa),
		await k("ps512", "PS512", rsa2),
		await k("rs1024", "RS1024", rsaSmall),
		await k("eddsa", "EdDSA", ed),
		await k("ed25519", "Ed25519", ed),
	];
}

/** A key set like @xshl/keys: kid and alg must both match. */
export function strictKeySet(keys: readonly DiffKey[], name = "diff_set"): SessionKeySet {
	const byKid = new Map(keys.map((k) => [k.kid, k]));
	const noMatch = () =>
		Object.assign(new Error("no matching key"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
	const getKey = async (q: { kid?: string; alg?: string }) => {
		const k = q.kid === undefined ? undefined : byKid.get(q.kid);
		const ed = k?.alg === "EdDSA" && q.alg === "Ed25519";
		if (k === undefined || (q.alg !== undefined && k.alg !== q.alg && !ed)) throw noMatch();
		return k.publicKey;
	};
	return {
		name,
		resolver: (h) => getKey({ kid: h.kid, alg: h.alg }),
		getKey,
		algorithms: () => [...new Set(keys.map((k) => k.alg).filter((a) => a !== "RS1024"))],
	};
}

/**
 * A careless key set: the key of the `kid`, whatever `alg` the header names (binding is the
 * verifier's job), also through `resolveSync`.
 */
export function laxKeySet(keys: readonly DiffKey[], name = "diff_set"): SessionKeySet {
	const byKid = new Map(keys.map((k) => [k.kid, k]));
	const getKey = async (q: { kid?: string }) => {
		const k = q.kid === undefined ? undefined : byKid.get(q.kid);
		if (k === undefined) {
			throw Object.assign(new Error("unknown kid"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
		}
		return k.publicKey;
	};
	return {
		name,
		resolver: (h) => getKey({ kid: h.kid }),
		// the node engine takes the synchronous lookup (the lax and hmac sets), jose the resolver:
		// the comparison covers both ways of reaching a key
		resolveSync: (h) => (typeof h.kid === "string" ? byKid.get(h.kid)?.publicKey : undefined),
		getKey,
		algorithms: () => [],
	};
}

export const HMAC_SECRET = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
export const NOW_MS_DIFF = NOW * 1000;
export const trace = new Trace(UA, SALT);

/** The option sets every token is verified under (each by both engines). */
export function optionSets(
	keys: readonly DiffKey[],
	hmacKey: CryptoKey,
): Record<string, VerifySessionOptions> {
	const now = () => NOW_MS_DIFF;
	return {
		strict: {
			keys: strictKeySet(keys),
			trace,
			audience: ["service-api", "admin-api"],
			issuer: APP,
			now,
		},
		lax: {
			keys: laxKeySet(keys),
			acceptedTypes: ["xshl-session+jwt", "JWT"],
			requireAuthTime: true,
			leewayMs: 0,
			maxTokenAgeMs: 60_000,
			now,
		},
		hmac: {
			keys: laxKeySet(keys),
			hmacSecret: HMAC_SECRET,
			algorithms: [
				"HS256",
				"HS384",
				"ES256",
				"ES384",
				"RS256",
				"RS384",
				"PS256",
				"PS512",
				"EdDSA",
				"Ed25519",
			],
			issuer: [APP, "other"],
			now,
		},
		// an HMAC CryptoKey for SHA-256 only: HS384 over the same secret must fail in both engines
		hmacKey: {
			keys: strictKeySet(keys),
			hmacSecret: hmacKey,
			algorithms: ["HS256", "HS384", "ES256", "EdDSA"],
			now,
		},
	};
}

/** {@link HMAC_SECRET} as a WebCrypto HMAC key bound to SHA-256. */
export function hmacCryptoKey(): Promise<CryptoKey> {
	return crypto.subtle.importKey("raw", HMAC_SECRET, { name: "HMAC", hash: "SHA-256" }, false, [
		"sign",
		"verify",
	]);
}

// ---- signing anything with any scheme ----

export type Scheme =
	| "ES256"
	| "ES384"
	| "ES512"
	| "RS256"
	| "RS384"
	| "RS512"
	| "PS256"
	| "PS384"
	| "PS512"
	| "EdDSA"
	| "HS256"
	| "HS384"
	| "ES256-DER";

export const SCHEMES: readonly Scheme[] = [
	"ES256",
	"ES384",
	"ES512",
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"EdDSA",
	"HS256",
	"HS384",
	"ES256-DER",
];

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** Signs `input` with `key` under `scheme`; `undefined` when the key cannot (wrong type). */
export function signWith(
	scheme: Scheme,
	key: NodeKeyObject | Uint8Array,
	input: string,
): Uint8Array | undefined {
	const data = Buffer.from(input, "latin1");
	try {
		if (scheme.startsWith("HS")) {
			const secret =
				key instanceof Uint8Array ? key : (key.export({ format: "der", type: "pkcs8" }) as Buffer);
			return createHmac(HASH[scheme.slice(2)] as string, secret)
				.update(data)
				.digest();
		}
		if (key instanceof Uint8Array) return undefined;
		if (scheme === "EdDSA") return nodeSign(null, data, key);
		if (scheme === "ES256-DER") return nodeSign("sha256", data, key);
		const hash = HASH[scheme.slice(2)] as string;
		if (scheme.startsWith("ES")) return nodeSign(hash, data, { key, dsaEncoding: "ieee-p1363" });
		if (scheme.startsWith("RS")) return nodeSign(hash, data, key);
		return nodeSign(hash, data, {
			key,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: Number(scheme.slice(2)) / 8,
		});
	} catch {
		return undefined;
	}
}

export function b64text(text: string | Uint8Array): string {
	return typeof text === "string" ? Buffer.from(text, "utf8").toString("base64url") : B64(text);
}

/** `header.payload.signature` from raw texts, signed under `scheme` (or with `signature` as is). */
export function assemble(
	headerText: string | Uint8Array,
	payloadText: string | Uint8Array,
	signer: { scheme: Scheme; key: NodeKeyObject | Uint8Array } | Uint8Array,
): string {
	const input = `${b64text(headerText)}.${b64text(payloadText)}`;
	const sig = signer instanceof Uint8Array ? signer : signWith(signer.scheme, signer.key, input);
	return `${input}.${sig === undefined ? "" : B64(sig)}`;
}

// ---- valid claims and tokens ----

export function claimsFor(
	jti: string,
	overrides: Record<string, unknown> = {},
): Record<string, unknown> {
	const base: Record<string, unknown> = {
		iss: APP,
		sub: "user-1",
		aud: "service-api",
		exp: NOW + 60,
		nbf: NOW - 1,
		iat: NOW - 1,
		jti,
		sid: sessionId("diff_set", trace),
		version: 1,
		trace: trace.get(jti),
		auth_time: NOW - 30,
		scope: ["read"],
		_payloads: { plan: "pro", nested: { list: [1, 2] } },
	};
	for (const [k, v] of Object.entries(overrides)) {
		if (v === undefined) delete base[k];
		else base[k] = v;
	}
	return base;
}

/** The scheme a key's published alg signs with. */
export function schemeOf(alg: string): Scheme {
	if (alg === "Ed25519" || alg === "EdDSA") return "EdDSA";
	if (alg === "RS1024") return "RS256";
	return alg as Scheme;
}

export function validToken(k: DiffKey, jti: string, typ = "xshl-session+jwt"): string {
	return assemble(
		JSON.stringify({ alg: k.alg === "RS1024" ? "RS256" : k.alg, kid: k.kid, typ }),
		JSON.stringify(claimsFor(jti)),
		{
			scheme: schemeOf(k.alg),
			key: k.privateKey,
		},
	);
}

// ---- public vectors and literal tokens ----

const SHARED = fileURLToPath(new URL("../../../../shared/vectors/", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface VectorToken {
	label: string;
	token: string;
	/** The key a lax resolver returns for it. */
	key: CryptoKey | Uint8Array;
}

/** Wycheproof JWS (compact cases) and RFC 7520 §4.1–4.4 + RFC 8037, each with its key. */
export async function vectorTokens(): Promise<VectorToken[]> {
	const out: VectorToken[] = [];
	const wp = JSON.parse(
		readFileSync(`${SHARED}wycheproof/json_web_signature_test.json`, "utf8"),
	) as {
		testGroups: {
			comment: string;
			public?: JWK;
			private?: JWK;
			tests: { tcId: number; jws: unknown }[];
		}[];
	};
	for (const g of wp.testGroups) {
		const jwk = (g.public ?? g.private) as JWK | undefined;
		if (jwk === undefined || g.comment.includes("encryption")) continue;
		const alg = jwk.alg === "ES521" ? "ES512" : (jwk.alg ?? "ES256");
		let key: CryptoKey | Uint8Array;
		try {
			key = (await importJWK(publicPart(jwk), alg)) as CryptoKey | Uint8Array;
		} catch {
			continue;
		}
		for (const t of g.tests) {
			if (typeof t.jws === "string")
				out.push({ label: `wycheproof ${g.comment} tc${t.tcId}`, token: t.jws, key });
		}
	}
	for (const file of [
		"jws/4_1.rsa_v15_signature.json",
		"jws/4_2.rsa-pss_signature.json",
		"jws/4_3.ecdsa_signature.json",
		"jws/4_4.hmac-sha2_integrity_protection.json",
		"curve25519/jws.json",
	]) {
		const v = JSON.parse(readFileSync(`${SHARED}rfc7520/${file}`, "utf8"));
		const key = (await importJWK(publicPart(v.input.key), v.input.alg)) as CryptoKey | Uint8Array;
		out.push({ label: `rfc7520 ${file}`, token: v.output.compact, key });
	}
	return out;
}

function publicPart(jwk: JWK): JWK {
	if (jwk.kty === "oct") return jwk;
	const {
		d: _d,
		p: _p,
		q: _q,
		dp: _dp,
		dq: _dq,
		qi: _qi,
		key_ops: _o,
		...rest
	} = jwk as JWK & Record<string, unknown>;
	return rest as JWK;
}

/** Every literal compact token written in the repository's test files (packages and the demo). */
export function literalTokens(): string[] {
	const found = new Set<string>();
	const walk = (dir: string): void => {
		let names: string[];
		try {
			names = readdirSync(dir);
		} catch {
			return;
		}
		for (const name of names) {
			if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
			const path = `${dir}/${name}`;
			if (statSync(path).isDirectory()) walk(path);
			else if (
				/\.test\.(ts|mjs|js)$|helpers?\.ts$/.test(name) &&
				!name.startsWith("differential")
			) {
				const text = readFileSync(path, "utf8");
				for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g)) {
					found.add(m[0]);
				}
			}
		}
	};
	walk(`${REPO}packages`);
	walk(`${REPO}apps`);
	return [...found];
}

// ---- mutations ----

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALGS = [
	"ES256",
	"ES384",
	"ES512",
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"EdDSA",
	"Ed25519",
	"HS256",
	"HS384",
	"HS512",
	"none",
	"",
	"ES256K",
	"RS1",
	"ML-DSA-44",
	1,
	null,
];
const TYPS = [
	"xshl-session+jwt",
	"application/xshl-session+jwt",
	"XSHL-Session+JWT",
	"JWT",
	"jwt",
	"application/jwt",
	"at+jwt",
	"",
	1,
	null,
	undefined,
];
const HEADER_EXTRAS: [string, unknown][] = [
	["crit", ["b64"]],
	["crit", ["exp"]],
	["crit", []],
	["crit", "b64"],
	["crit", [""]],
	["crit", ["b64", "b64"]],
	["b64", false],
	["b64", true],
	["b64", "false"],
	["jku", "https://evil.example/jwks"],
	["jwk", { kty: "oct", k: "AAAA" }],
	["x5u", "https://evil.example/x5u"],
	["x5c", ["MII"]],
	["x5t", "abc"],
	["cty", "JWT"],
	["zip", "DEF"],
	["enc", "A256GCM"],
	["__proto__", { alg: "none" }],
	["extra", { deep: [1, 2, { x: null }] }],
];
const NUMBERS = [
	NOW,
	NOW - 1,
	NOW + 1,
	NOW - 5,
	NOW + 5,
	NOW - 6,
	NOW + 6,
	NOW - 61,
	NOW - 899,
	NOW - 906,
	NOW + 120,
	0,
	-1,
	1.5,
	NOW + 0.5,
	2 ** 53 + 1,
	"1800000000",
	null,
	true,
	[NOW],
	{ n: NOW },
];
const AUDS = [
	"service-api",
	"admin-api",
	["other", "service-api"],
	["other"],
	"other",
	[],
	[1],
	"",
	1,
	null,
];

/** A base token the mutations start from: its parts as objects, and the key that signed it. */
export interface Base {
	header: Record<string, unknown>;
	claims: Record<string, unknown>;
	key: DiffKey;
}

export function bases(keys: readonly DiffKey[], r: Rng, count: number): Base[] {
	const out: Base[] = [];
	for (let i = 0; i < count; i++) {
		const key = keys[i % keys.length] as DiffKey;
		const jti = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
		out.push({
			header: {
				alg: key.alg === "RS1024" ? "RS256" : key.alg,
				kid: key.kid,
				typ: pick(r, ["xshl-session+jwt", "JWT"]),
			},
			claims: claimsFor(jti),
			key,
		});
	}
	return out;
}

function editHeader(
	r: Rng,
	h: Record<string, unknown>,
	keys: readonly DiffKey[],
): Record<string, unknown> {
	const out = { ...h };
	switch (Math.floor(r() * 5)) {
		case 0:
			out.alg = pick(r, ALGS);
			break;
		case 1:
			out.kid = pick(r, [...keys.map((k) => k.kid), "unknown", "", 1, undefined]);
			break;
		case 2:
			out.typ = pick(r, TYPS);
			break;
		case 3: {
			const [name, value] = pick(r, HEADER_EXTRAS);
			if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true });
			else out[name] = value;
			break;
		}
		default:
			delete out[pick(r, ["alg", "kid", "typ"])];
	}
	for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
	return out;
}

function editClaims(r: Rng, c: Record<string, unknown>): Record<string, unknown> {
	const out = { ...c };
	switch (Math.floor(r() * 8)) {
		case 0:
			delete out[
				pick(r, [
					"iss",
					"aud",
					"exp",
					"nbf",
					"iat",
					"jti",
					"sid",
					"version",
					"trace",
					"auth_time",
					"sub",
				])
			];
			break;
		case 1:
			out[pick(r, ["exp", "nbf", "iat", "auth_time"])] = pick(r, NUMBERS);
			break;
		case 2:
			out.aud = pick(r, AUDS);
			break;
		case 3:
			out.iss = pick(r, [APP, "other", "", [APP], 1, null]);
			break;
		case 4:
			out.version = pick(r, [1, 2, "1", 1.0, 0, null]);
			break;
		case 5:
			out[pick(r, ["sid", "trace", "jti"])] = pick(r, [
				"",
				"x",
				"00000000-0000-5000-8000-000000000000",
				1,
				null,
			]);
			break;
		case 6:
			out[pick(r, ["scope", "_scope", "_payloads", "sub", "location", "type"])] = pick(r, [
				["a", "b"],
				"a",
				{ a: 1 },
				[1],
				null,
				1,
				"",
			]);
			break;
		default:
			out.exp = NOW + 60;
			out.iat = NOW - 1;
			out.nbf = NOW - 1;
	}
	return out;
}

/** Raw JSON text edits that objects cannot express. */
function rawText(r: Rng, text: string): string | Uint8Array {
	switch (Math.floor(r() * 12)) {
		case 0: {
			// duplicate the first member
			const m = /^\{("[^"]*"):([^,}]*)/.exec(text);
			return m ? `{${m[1]}:${m[2]},${text.slice(1)}` : text;
		}
		case 1:
			// the first member name's first letter as a \uXXXX escape (same name, other text)
			return text.replace(
				/^\{"(\w)/,
				(_m, c: string) => `{"\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
			);
		case 2:
			return ` ${text.replace(/,/g, " , ")}\n`;
		case 3:
			return `\ufeff${text}`;
		case 4:
			return Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe])]);
		case 5:
			return pick(r, ["[]", "null", "1", '"x"', "{", "", "{}", "[{}]", "true"]);
		case 6:
			return text
				.replace(/("exp":)\d+/, "$11e999")
				.replace(/("iat":)\d+/, `$1${pick(r, ["1.8e9", "-0", "1E3"])}`);
		case 7:
			return text.replace(/}$/, ',"_payloads":{"a":1,"a":2}}');
		case 8:
			return text.replace(/"/g, (q) => (r() < 0.02 ? "'" : q));
		case 9:
			return text.replace(/"sub":"[^"]*"/, '"sub":"\\ud800"');
		case 10:
			return text.replace(/^\{/, '{"s\\u0075b":"x",');
		default:
			return text.slice(0, Math.floor(r() * text.length));
	}
}

function flipChar(r: Rng, token: string): string {
	if (token.length === 0) return token;
	const i = Math.floor(r() * token.length);
	const c = r() < 0.9 ? pick(r, [...ALPHABET]) : pick(r, [".", "=", "+", "/", " ", "\u00e9"]);
	return token.slice(0, i) + c + token.slice(i + 1);
}

function spareBits(r: Rng, token: string): string {
	const parts = token.split(".");
	const i = Math.floor(r() * parts.length);
	const p = parts[i] ?? "";
	const rest = p.length % 4;
	if (rest < 2) return token;
	const v = ALPHABET.indexOf(p.at(-1) as string) | (1 + Math.floor(r() * (rest === 2 ? 15 : 3)));
	parts[i] = p.slice(0, -1) + ALPHABET[v & 63];
	return parts.join(".");
}

function signatureEdit(r: Rng, token: string, other: string): string {
	const [h, p, s = ""] = token.split(".");
	const sig = Buffer.from(s, "base64url");
	switch (Math.floor(r() * 7)) {
		case 0:
			return `${h}.${p}.`;
		case 1:
			return `${h}.${p}.${sig.subarray(0, Math.max(0, sig.length - 1 - Math.floor(r() * 4))).toString("base64url")}`;
		case 2:
			return `${h}.${p}.${Buffer.concat([sig, Buffer.from([0])]).toString("base64url")}`;
		case 3: {
			if (sig.length > 0) {
				const at = Math.floor(r() * sig.length);
				sig[at] = (sig[at] as number) ^ (1 << Math.floor(r() * 8));
			}
			return `${h}.${p}.${sig.toString("base64url")}`;
		}
		case 4:
			return `${h}.${p}.${other.split(".")[2] ?? ""}`;
		case 5: {
			// ECDSA high-S: s -> n - s on P-256 (other curves: a no-op flip of the last byte)
			if (sig.length === 64) {
				const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
				const sv = BigInt(`0x${sig.subarray(32).toString("hex")}`);
				const hs = (n - sv).toString(16).padStart(64, "0");
				return `${h}.${p}.${Buffer.concat([sig.subarray(0, 32), Buffer.from(hs, "hex")]).toString("base64url")}`;
			}
			return token;
		}
		default:
			return `${h}.${p}.${Buffer.alloc(sig.length).toString("base64url")}`;
	}
}

/**
 * One mutated token from a base: 1 to 3 edits among bit flips, non-canonical base64, header and
 * claim edits (re-signed by the right key, another key, another scheme, or not at all), raw
 * JSON re-encodings, signature edits and segment edits.
 */
export function mutate(r: Rng, base: Base, keys: readonly DiffKey[], other: string): string {
	let header = base.header;
	let claims = base.claims;
	let headerText: string | Uint8Array = "";
	let payloadText: string | Uint8Array = "";
	let raw = false;
	const steps = 1 + Math.floor(r() * 3);
	for (let i = 0; i < steps; i++) {
		const op = r();
		if (op < 0.3) header = editHeader(r, header, keys);
		else if (op < 0.6) claims = editClaims(r, claims);
		else if (op < 0.75) raw = true;
	}
	headerText = JSON.stringify(header);
	payloadText = JSON.stringify(claims);
	if (raw) {
		if (r() < 0.3) headerText = rawText(r, headerText);
		else payloadText = rawText(r, payloadText);
	}
	// the signer: usually the right key and scheme; sometimes another key, scheme or HMAC secret
	const s = r();
	let signer: { scheme: Scheme; key: NodeKeyObject | Uint8Array } | Uint8Array;
	if (s < 0.55) signer = { scheme: schemeOf(base.key.alg), key: base.key.privateKey };
	else if (s < 0.7) signer = { scheme: pick(r, SCHEMES), key: base.key.privateKey };
	else if (s < 0.8) {
		const k = pick(r, keys);
		signer = { scheme: r() < 0.5 ? schemeOf(k.alg) : pick(r, SCHEMES), key: k.privateKey };
	} else if (s < 0.9) signer = { scheme: pick(r, ["HS256", "HS384"] as const), key: HMAC_SECRET };
	else signer = Buffer.from(other.split(".")[2] ?? "", "base64url");
	// a header alg that follows the scheme actually used (re-signed variants with other algorithms)
	if (!raw && !(signer instanceof Uint8Array) && r() < 0.3) {
		header = {
			...header,
			alg:
				signer.scheme === "ES256-DER"
					? "ES256"
					: signer.scheme === "EdDSA"
						? pick(r, ["EdDSA", "Ed25519"])
						: signer.scheme,
		};
		headerText = JSON.stringify(header);
	}
	let token = assemble(headerText, payloadText, signer);
	const post = r();
	if (post < 0.12) token = flipChar(r, token);
	else if (post < 0.2) token = spareBits(r, token);
	else if (post < 0.3) token = signatureEdit(r, token, other);
	else if (post < 0.34) {
		const parts = token.split(".");
		token = pick(r, [
			parts.slice(0, 2).join("."),
			`${token}.`,
			`${parts[1]}.${parts[0]}.${parts[2]}`,
			`${token}=`,
			token.replace(".", ".."),
			`${parts[0]}..${parts[2]}`,
			`.${parts[1]}.${parts[2]}`,
		]);
	}
	return token;
}
