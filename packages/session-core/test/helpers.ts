// Test helpers: an in-test key set satisfying SessionKeySet, key generation, raw token crafting.
import { base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWK } from "jose";
import type { SessionKeySet } from "../src/index";

export const NOW_MS = 1_800_000_000_000;
export const NOW: number = NOW_MS / 1000;
export const APP = "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a";
export const UA = "Mozilla/5.0 (X11; Linux x86_64)";
export const SALT = "per-login-salt";
export const now = (): number => NOW_MS;

/** A static key set: kid -> (alg, public CryptoKey); unknown kid or wrong alg throws like @xshl/keys. */
export class TestKeySet implements SessionKeySet {
	readonly name: string;
	readonly #keys = new Map<string, { alg: string; key: CryptoKey }>();
	#algs: string[] = [];
	resolverCalls = 0;

	constructor(name = "session_name") {
		this.name = name;
	}

	add(kid: string, alg: string, key: CryptoKey): this {
		this.#keys.set(kid, { alg, key });
		this.#algs = [...new Set([...this.#keys.values()].map((k) => k.alg))];
		return this;
	}

	algorithms(use: "sig" | "enc"): string[] {
		return use === "sig" ? this.#algs : [];
	}

	readonly resolver = async (header: { kid?: string; alg?: string }): Promise<CryptoKey> => {
		this.resolverCalls++;
		return this.getKey({ kid: header.kid, alg: header.alg });
	};

	async getKey(query: { kid?: string; alg?: string }): Promise<CryptoKey> {
		const entry = query.kid === undefined ? undefined : this.#keys.get(query.kid);
		if (entry === undefined || (query.alg !== undefined && entry.alg !== query.alg)) {
			throw Object.assign(new Error("no matching key"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
		}
		return entry.key;
	}
}

export interface TestKey {
	alg: string;
	kid: string;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	privateJwk: JWK;
	publicJwk: JWK;
	pkcs8: string;
	spki: string;
}

export async function makeKey(alg: string, kid = `${alg.toLowerCase()}-1`): Promise<TestKey> {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
	return {
		alg,
		kid,
		privateKey,
		publicKey,
		privateJwk: await exportJWK(privateKey),
		publicJwk: await exportJWK(publicKey),
		pkcs8: await exportPKCS8(privateKey),
		spki: await exportSPKI(publicKey),
	};
}

const enc = new TextEncoder();

export function b64json(value: unknown): string {
	return base64url.encode(enc.encode(typeof value === "string" ? value : JSON.stringify(value)));
}

const SUBTLE: Record<string, (key: CryptoKey) => AlgorithmIdentifier | EcdsaParams | RsaPssParams> =
	{
		ES256: () => ({ name: "ECDSA", hash: "SHA-256" }),
		RS256: () => ({ name: "RSASSA-PKCS1-v1_5" }),
		PS256: () => ({ name: "RSA-PSS", saltLength: 32 }),
		EdDSA: () => ({ name: "Ed25519" }),
		HS256: () => ({ name: "HMAC" }),
	};

/** Signs raw header/payload text (or objects) with a key through WebCrypto: any header we like. */
export async function craft(
	header: unknown,
	payload: unknown,
	key: CryptoKey | undefined,
	alg = "ES256",
): Promise<string> {
	const input = `${b64json(header)}.${b64json(payload)}`;
	if (key === undefined) return `${input}.`;
	const sig = await crypto.subtle.sign(SUBTLE[alg]!(key), key, enc.encode(input));
	return `${input}.${base64url.encode(new Uint8Array(sig))}`;
}

/** Returns what `fn` threw (or rejected with); fails when it did not. */
export async function caught(
	fn: () => unknown,
): Promise<{ code?: string; name?: string; claim?: string; cause?: { code?: string } } & Error> {
	try {
		await fn();
	} catch (e) {
		return e as never;
	}
	throw new Error("expected a rejection");
}

import { SessionConfig, type SessionConfigInput } from "../src/index";

export interface Fixture {
	key: TestKey;
	keys: TestKeySet;
	config: SessionConfig;
}

const keyCache = new Map<string, Promise<TestKey>>();

/** One cached key per alg (RSA generation is slow), a key set holding it, and a config. */
export async function fixture(
	alg = "ES256",
	overrides: Partial<SessionConfigInput> = {},
	name = "session_name",
): Promise<Fixture> {
	let pending = keyCache.get(alg);
	if (pending === undefined) {
		pending = makeKey(alg);
		keyCache.set(alg, pending);
	}
	const key = await pending;
	const keys = new TestKeySet(name).add(key.kid, alg, key.publicKey);
	const config = new SessionConfig({
		keys,
		app: APP,
		audience: ["service-api", "admin-api"],
		header: { alg, kid: key.kid },
		key: key.privateKey,
		now,
		...overrides,
	});
	return { key, keys, config };
}

/** The same token with the first signature byte flipped (deterministic, never a no-op). */
export function tamper(token: string): string {
	const [h, p, s] = token.split(".") as [string, string, string];
	const sig = base64url.decode(s);
	sig[0] = sig[0]! ^ 0xff;
	return `${h}.${p}.${base64url.encode(sig)}`;
}
