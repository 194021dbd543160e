import { importJWK, importPKCS8, type JWK } from "jose";
import { HMAC_ALGORITHMS } from "../constants";
import { SessionKeyError } from "../errors";

/** What a session accepts as its private (or, with `allowHmac`, secret) key. */
export type SessionKeyInput = string | Uint8Array | JWK | CryptoKey;

/** Minimum HMAC secret length per alg, in bytes (RFC 7518 §3.2, catalog ALG-15). */
const HMAC_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

export function isHmac(alg: string): boolean {
	return (HMAC_ALGORITHMS as readonly string[]).includes(alg);
}

interface KeyShape {
	kty: "RSA" | "EC" | "OKP" | "oct";
	crv?: string;
	webcrypto: string;
	hash?: string;
}

/** The key type each algorithm needs (catalog ALG-10: only these pairings are valid). */
export function keyShape(alg: string): KeyShape {
	const bits = alg.slice(2);
	switch (alg.slice(0, 2)) {
		case "RS":
			return { kty: "RSA", webcrypto: "RSASSA-PKCS1-v1_5", hash: `SHA-${bits}` };
		case "PS":
			return { kty: "RSA", webcrypto: "RSA-PSS", hash: `SHA-${bits}` };
		case "ES": {
			const crv = bits === "256" ? "P-256" : bits === "384" ? "P-384" : "P-521";
			return { kty: "EC", crv, webcrypto: "ECDSA" };
		}
		case "HS":
			return { kty: "oct", webcrypto: "HMAC", hash: `SHA-${bits}` };
		default:
			return { kty: "OKP", crv: "Ed25519", webcrypto: "Ed25519" };
	}
}

const decoder = new TextDecoder();
const PEM_LABEL = /^-----BEGIN ([A-Z0-9 ]+)-----/;

function pemLabel(text: string): string | undefined {
	return PEM_LABEL.exec(text.trimStart())?.[1];
}

function looksLikeKeyText(text: string): boolean {
	const t = text.trimStart();
	return t.includes("-----BEGIN") || t.startsWith("{");
}

/**
 * Checks, synchronously, that `key` is a private key (or an HMAC secret when allowed) that
 * fits `alg`. Returns a message naming the problem, or `undefined` when the key is fine.
 * The import itself (async) happens later and can still refuse it.
 */
export function checkKeyInput(key: unknown, alg: string): string | undefined {
	const shape = keyShape(alg);
	const hmac = shape.kty === "oct";
	if (typeof key === "string" || key instanceof Uint8Array) {
		const text = typeof key === "string" ? key : decoder.decode(key);
		const label = pemLabel(text);
		if (hmac) {
			if (typeof key === "string")
				return "an HMAC secret must be a Uint8Array of random bytes, not a string";
			if (label !== undefined || looksLikeKeyText(text)) {
				return "an HMAC secret must be random bytes, not a PEM or JWK (algorithm confusion, catalog ALG-04)";
			}
			const min = HMAC_MIN_BYTES[alg] ?? 32;
			if (key.length < min)
				return `an ${alg} secret must be at least ${min} bytes, got ${key.length}`;
			return undefined;
		}
		if (label === undefined) {
			return typeof key === "string"
				? "a string key must be a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)"
				: "a byte key must hold a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)";
		}
		if (label === "PRIVATE KEY") return undefined;
		if (label === "PUBLIC KEY" || label === "RSA PUBLIC KEY" || label === "CERTIFICATE") {
			return `a public key (${label}) was given where a private key is needed`;
		}
		if (label === "ENCRYPTED PRIVATE KEY")
			return "encrypted PEM keys are not supported: decrypt it first";
		if (label === "RSA PRIVATE KEY" || label === "EC PRIVATE KEY") {
			return `${label} (PKCS#1/SEC1) PEM is not supported: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)`;
		}
		return `unsupported PEM block ${label}: expected PRIVATE KEY (PKCS#8)`;
	}
	if (typeof CryptoKey !== "undefined" && key instanceof CryptoKey) {
		if (hmac) {
			if (key.type !== "secret" || key.algorithm.name !== "HMAC")
				return `an ${alg} key must be an HMAC secret key`;
		} else if (key.type !== "private") {
			return `a ${key.type} CryptoKey was given where a private key is needed`;
		}
		const algorithm = key.algorithm as {
			name: string;
			namedCurve?: string;
			hash?: { name: string };
		};
		if (
			algorithm.name !== shape.webcrypto &&
			!(shape.kty === "OKP" && algorithm.name === "EdDSA")
		) {
			return `a ${algorithm.name} key does not fit ${alg} (expected ${shape.webcrypto})`;
		}
		if (shape.crv !== undefined && shape.kty === "EC" && algorithm.namedCurve !== shape.crv) {
			return `a ${algorithm.namedCurve} key does not fit ${alg} (expected ${shape.crv})`;
		}
		if (
			shape.hash !== undefined &&
			algorithm.hash !== undefined &&
			algorithm.hash.name !== shape.hash
		) {
			return `a ${algorithm.hash.name} key does not fit ${alg} (expected ${shape.hash})`;
		}
		if (!key.usages.includes("sign")) return 'the CryptoKey cannot sign (its usages lack "sign")';
		return undefined;
	}
	if (key !== null && typeof key === "object" && !Array.isArray(key)) {
		const jwk = key as Record<string, unknown>;
		if (typeof jwk.kty !== "string") return "a key object must be a JWK (with kty) or a CryptoKey";
		if (jwk.kty !== shape.kty)
			return `a ${jwk.kty} JWK does not fit ${alg} (expected kty ${shape.kty})`;
		if (shape.crv !== undefined && jwk.crv !== shape.crv) {
			return `a JWK on curve ${String(jwk.crv)} does not fit ${alg} (expected ${shape.crv})`;
		}
		if (jwk.alg !== undefined && jwk.alg !== alg)
			return `the JWK is for alg ${String(jwk.alg)}, not ${alg}`;
		if (hmac) {
			if (typeof jwk.k !== "string") return "an oct JWK needs k";
			const min = HMAC_MIN_BYTES[alg] ?? 32;
			if (Math.floor((jwk.k.length * 3) / 4) < min)
				return `an ${alg} secret must be at least ${min} bytes`;
			return undefined;
		}
		if (jwk.d === undefined) return "a public JWK (no d) was given where a private key is needed";
		return undefined;
	}
	return "expected a PKCS#8 PEM (string or bytes), a private JWK or a private CryptoKey";
}

/** Imports the (already checked) key for signing with `alg`. */
export async function importSigningKey(
	key: SessionKeyInput,
	alg: string,
): Promise<CryptoKey | Uint8Array> {
	let imported: CryptoKey | Uint8Array;
	try {
		if (typeof key === "string") imported = await importPKCS8(key, alg);
		else if (key instanceof Uint8Array) {
			imported = isHmac(alg) ? key.slice() : await importPKCS8(decoder.decode(key), alg);
		} else if (typeof CryptoKey !== "undefined" && key instanceof CryptoKey) imported = key;
		else imported = await importJWK(key as JWK, alg);
	} catch (cause) {
		throw new SessionKeyError(`the signing key cannot be imported for ${alg}`, { cause });
	}
	if (imported instanceof Uint8Array) {
		if (!isHmac(alg)) throw new SessionKeyError(`a secret key cannot sign ${alg}`);
		return imported;
	}
	if (imported.type !== "private" && !isHmac(alg)) {
		throw new SessionKeyError(`a ${imported.type} key was given where a private key is needed`);
	}
	const modulusLength = (imported.algorithm as { modulusLength?: number }).modulusLength;
	if (modulusLength !== undefined && modulusLength < 2048) {
		throw new SessionKeyError(`RSA keys must be at least 2048 bits, got ${modulusLength}`);
	}
	return imported;
}
