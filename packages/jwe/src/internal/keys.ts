import { importPKCS8, type JWK } from "jose";
import type { DecryptionKey, DecryptionKeyInput, DecryptionKeyMaterial } from "../deserialize";
import { JweConfigError } from "../errors";

/** A decryption key, normalized. */
export interface KeyEntry {
	readonly kid: string | undefined;
	readonly alg: string | undefined;
	/** The key for jose, for the token's alg (a PEM is imported once per alg). */
	readonly resolve: (alg: string) => CryptoKey | Uint8Array | JWK | Promise<CryptoKey>;
}

const DECRYPT_USAGES = ["decrypt", "unwrapKey", "deriveBits", "deriveKey"];

function isCryptoKey(value: unknown): value is CryptoKey {
	return (
		typeof value === "object" &&
		value !== null &&
		typeof (value as CryptoKey).type === "string" &&
		Array.isArray((value as CryptoKey).usages) &&
		typeof (value as CryptoKey).algorithm === "object"
	);
}

function isJwk(value: unknown): value is JWK {
	return (
		typeof value === "object" &&
		value !== null &&
		!Array.isArray(value) &&
		typeof (value as JWK).kty === "string"
	);
}

function isDecryptionKey(value: unknown): value is DecryptionKey {
	return typeof value === "object" && value !== null && "privateKey" in value;
}

type Problem = { path: PropertyKey[]; message: string };

function checkMaterial(
	material: unknown,
	path: PropertyKey[],
	problems: Problem[],
): material is DecryptionKeyMaterial {
	if (material instanceof Uint8Array) {
		if (material.byteLength < 16) {
			problems.push({ path, message: "a symmetric key must be at least 16 bytes" });
			return false;
		}
		return true;
	}
	if (typeof material === "string") {
		if (!material.includes("-----BEGIN PRIVATE KEY-----")) {
			problems.push({ path, message: "a PEM string must be a PKCS#8 private key" });
			return false;
		}
		return true;
	}
	if (isCryptoKey(material)) {
		if (material.type === "public") {
			problems.push({ path, message: "a public CryptoKey cannot decrypt; pass the private key" });
			return false;
		}
		if (!material.usages.some((u) => DECRYPT_USAGES.includes(u))) {
			problems.push({
				path,
				message:
					"the CryptoKey has no decryption usage (decrypt, unwrapKey, deriveBits or deriveKey); a signing key cannot decrypt",
			});
			return false;
		}
		return true;
	}
	if (isJwk(material)) {
		if (material.use !== undefined && material.use !== "enc") {
			problems.push({ path, message: 'the JWK has "use" other than "enc"' });
			return false;
		}
		if (
			material.key_ops !== undefined &&
			!(
				Array.isArray(material.key_ops) &&
				material.key_ops.some((op) => DECRYPT_USAGES.includes(op))
			)
		) {
			problems.push({ path, message: 'the JWK "key_ops" allow no decryption operation' });
			return false;
		}
		if (material.kty !== "oct" && material.d === undefined && material.priv === undefined) {
			problems.push({ path, message: "a public JWK cannot decrypt; pass the private key" });
			return false;
		}
		return true;
	}
	problems.push({
		path,
		message: "expected a CryptoKey, a Uint8Array secret, a private JWK or a PKCS#8 PEM string",
	});
	return false;
}

function entryFor(
	material: DecryptionKeyMaterial,
	kid: string | undefined,
	alg: string | undefined,
): KeyEntry {
	if (typeof material === "string") {
		const imported = new Map<string, Promise<CryptoKey>>();
		return {
			kid,
			alg,
			resolve: (tokenAlg) => {
				let p = imported.get(tokenAlg);
				if (p === undefined) {
					p = importPKCS8(material, tokenAlg);
					imported.set(tokenAlg, p);
				}
				return p;
			},
		};
	}
	return { kid, alg, resolve: () => material };
}

/** Validates and normalizes the `keys` option of deserialize. */
export function normalizeKeys(input: DecryptionKeyInput): readonly KeyEntry[] {
	const problems: Problem[] = [];
	const list: readonly unknown[] = Array.isArray(input) ? input : [input];
	if (list.length === 0) problems.push({ path: ["keys"], message: "at least one key is required" });
	const entries: KeyEntry[] = [];
	list.forEach((item, i) => {
		const path: PropertyKey[] = Array.isArray(input) ? ["keys", i] : ["keys"];
		if (isDecryptionKey(item) && !isJwk(item)) {
			const { kid, alg, privateKey } = item;
			if (kid !== undefined && (typeof kid !== "string" || kid === "")) {
				problems.push({ path: [...path, "kid"], message: "kid must be a non-empty string" });
				return;
			}
			if (alg !== undefined && typeof alg !== "string") {
				problems.push({ path: [...path, "alg"], message: "alg must be a string" });
				return;
			}
			if (checkMaterial(privateKey, [...path, "privateKey"], problems)) {
				entries.push(entryFor(privateKey, kid, alg));
			}
			return;
		}
		if (checkMaterial(item, path, problems)) {
			const jwk = isJwk(item) ? item : undefined;
			entries.push(entryFor(item, jwk?.kid, undefined));
		}
	});
	if (problems.length > 0) {
		throw new JweConfigError(
			`invalid decryption keys: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`,
			problems.map((p) => ({ path: p.path.map(String).join("."), message: p.message })),
		);
	}
	return Object.freeze(entries);
}

/**
 * The keys worth trying for a token: matching `kid` (or keys without a kid), and matching
 * `alg` when the key declares one. Keys with the exact kid come first.
 */
export function candidates(
	entries: readonly KeyEntry[],
	kid: unknown,
	alg: string,
): readonly KeyEntry[] {
	if (entries.length === 1) {
		const only = entries[0]!;
		return (only.kid === undefined || typeof kid !== "string" || only.kid === kid) &&
			(only.alg === undefined || only.alg === alg)
			? entries
			: [];
	}
	const exact: KeyEntry[] = [];
	const wildcard: KeyEntry[] = [];
	for (const e of entries) {
		if (e.alg !== undefined && e.alg !== alg) continue;
		if (e.kid === undefined) wildcard.push(e);
		else if (typeof kid !== "string" || e.kid === kid) exact.push(e);
	}
	return exact.length === 0 ? wildcard : wildcard.length === 0 ? exact : [...exact, ...wildcard];
}
