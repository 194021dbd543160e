import { CompactEncrypt, exportJWK, generateKeyPair, type JWK } from "jose";
import type { RecipientKeySet } from "../src/index";

export interface EncPair {
	kid: string;
	alg: string;
	publicKey: CryptoKey;
	privateKey: CryptoKey;
}

export async function encPair(alg: string, kid: string = `${alg}-key`): Promise<EncPair> {
	const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
	return { kid, alg, publicKey, privateKey };
}

/** A minimal recipient key set (the structural shape @xshl/keys' KeySet satisfies). */
export function keySetOf(...pairs: EncPair[]): RecipientKeySet & { queries: unknown[] } {
	const queries: unknown[] = [];
	return {
		queries,
		async getKey(query) {
			queries.push(query);
			const found = pairs.find((p) => p.kid === query.kid && (!query.alg || p.alg === query.alg));
			if (!found || query.use !== "enc") {
				throw Object.assign(new Error("no matching key"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
			}
			return found.publicKey;
		},
	};
}

export async function publicJwk(pair: EncPair): Promise<JWK> {
	return { ...(await exportJWK(pair.publicKey)), kid: pair.kid, alg: pair.alg, use: "enc" };
}

export async function privateJwk(pair: EncPair): Promise<JWK> {
	return { ...(await exportJWK(pair.privateKey)), kid: pair.kid, alg: pair.alg, use: "enc" };
}

/** Raw jose encryption, for tokens our serialize() would refuse to produce. */
export async function joseEncrypt(
	plaintext: string,
	header: Record<string, unknown>,
	key: CryptoKey | Uint8Array,
): Promise<string> {
	return new CompactEncrypt(new TextEncoder().encode(plaintext))
		.setProtectedHeader(header as never)
		.encrypt(key);
}
