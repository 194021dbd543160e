/**
 * The key ring at rest: when instances share the ring through Redis, its snapshot (private
 * keys) is stored encrypted with a key-encryption key (KEK) the operator supplies, so a
 * reader of Redis gets ciphertext and cannot mint tokens. A KMS plugs in through the same
 * two functions.
 */

/** Wraps and unwraps the ring snapshot text (a local secret, or a KMS behind it). */
export interface RingWrapper {
	/** Encrypt the snapshot text for storage. */
	wrap(plaintext: string): Promise<string>;
	/** Decrypt what `wrap` stored. @throws {Error} when it was not wrapped by this KEK. */
	unwrap(stored: string): Promise<string>;
}

const PREFIX = "xkek1";
const enc = new TextEncoder();
const dec = new TextDecoder();

function b64u(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString("base64url");
}

/**
 * AES-256-GCM with a 32-byte secret (`RING_KEK`, base64url). Stored form:
 * `xkek1.<iv>.<ciphertext+tag>`; the context (the Redis key) is authenticated as AAD, so a
 * blob copied under another key does not open.
 *
 * @param secret - the 32-byte KEK.
 * @param context - bound as additional authenticated data.
 * @returns the wrapper.
 * @throws {Error} when the secret is not 32 bytes.
 */
export async function secretRingWrapper(
	secret: Uint8Array<ArrayBuffer>,
	context: string,
): Promise<RingWrapper> {
	if (secret.byteLength !== 32) throw new Error("RING_KEK must be 32 bytes");
	const key = await crypto.subtle.importKey("raw", secret, "AES-GCM", false, [
		"encrypt",
		"decrypt",
	]);
	const aad = enc.encode(`xshl-demo-keyring:${context}`);
	return {
		async wrap(plaintext) {
			const iv = crypto.getRandomValues(new Uint8Array(12));
			const ct = await crypto.subtle.encrypt(
				{ name: "AES-GCM", iv, additionalData: aad },
				key,
				enc.encode(plaintext),
			);
			return `${PREFIX}.${b64u(iv)}.${b64u(new Uint8Array(ct))}`;
		},
		async unwrap(stored) {
			const [p, iv, ct] = stored.split(".");
			if (p !== PREFIX || !iv || !ct) throw new Error("the stored key ring is not wrapped (xkek1)");
			try {
				const pt = await crypto.subtle.decrypt(
					{ name: "AES-GCM", iv: Buffer.from(iv, "base64url"), additionalData: aad },
					key,
					Buffer.from(ct, "base64url"),
				);
				return dec.decode(pt);
			} catch {
				throw new Error("the stored key ring does not open with this RING_KEK");
			}
		},
	};
}
