/**
 * `deserialize(token, options)`: decrypt a compact JWE with strict defaults. Import from
 * `@xshl/jwe`.
 *
 * @module
 */

import { type CompactJWEHeaderParameters, compactDecrypt, errors, type JWK } from "jose";
import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from "./algorithms";
import {
	JweAlgNotAllowedError,
	JweConfigError,
	JweDecryptionFailedError,
	JweInvalidError,
	JweNoMatchingKeyError,
	JweNotSupportedError,
	JwePayloadInvalidError,
	JweZipRefusedError,
} from "./errors";
import { precheck } from "./internal/compact";
import { candidates, type KeyEntry, normalizeKeys } from "./internal/keys";
import { cached, type Policy, parsePolicy } from "./internal/policy";

/**
 * Key material that can decrypt: a private `CryptoKey` (with a decrypt, unwrapKey, deriveBits
 * or deriveKey usage), a symmetric secret as `Uint8Array` (for `dir` / `A*KW`, only when those
 * algorithms are allowed), a private JWK (its `use`, if present, must be `"enc"`), or a PKCS#8
 * PEM string (imported once per `alg`, for parity with the Python original's PEM keys).
 */
export type DecryptionKeyMaterial = CryptoKey | Uint8Array | JWK | string;

/**
 * One decryption key with the `kid` tokens name it by. `@xshl/keys`' `KeyRing#decryptionKeys()`
 * returns exactly this shape.
 */
export interface DecryptionKey {
	/** Tokens whose header `kid` equals this are tried with this key first. Absent: any kid. */
	readonly kid?: string | undefined;
	/** When set, the key is only used for tokens with this `alg`. */
	readonly alg?: string | undefined;
	/** The key material. */
	readonly privateKey: DecryptionKeyMaterial;
}

/** What `keys` accepts: one key (bare or with its kid) or several, for rotation. */
export type DecryptionKeyInput =
	| DecryptionKeyMaterial
	| DecryptionKey
	| readonly (DecryptionKey | DecryptionKeyMaterial)[];

/** Options of {@link deserialize}. The object is validated once per identity and cached. */
export interface DeserializeOptions {
	/** The private key(s); several for rotation, picked by the token's `kid` (and `alg`). */
	keys: DecryptionKeyInput;
	/**
	 * Allowed `alg` values. Never `RSA1_5` (refused as a config error).
	 * @default ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A256KW"]
	 */
	keyManagementAlgorithms?: readonly KeyManagementAlgorithm[];
	/**
	 * Allowed `enc` values.
	 * @default ["A256GCM"]
	 */
	contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[];
	/**
	 * Maximum token size in bytes (a compact JWE is ASCII: one byte per character), checked
	 * before any decoding; 64 to 16 MiB.
	 * @default 8192
	 */
	maxTokenBytes?: number;
	/**
	 * Maximum PBES2 iteration count (`p2c`), only relevant when a PBES2 alg is allowed; at most
	 * 1 200 000.
	 * @default 10000 (jose's default)
	 */
	maxPBES2Count?: number;
}

/** JWE protected header of a decrypted token. */
export type JweHeader = CompactJWEHeaderParameters;

/**
 * A decrypted JWE. The plaintext is **not** trusted claims: it was encrypted to us, but anyone
 * with our public key can do that. Use {@link decryptThenVerify} for tokens that carry claims.
 */
export interface DeserializeResult {
	/** The decrypted bytes. */
	readonly plaintext: Uint8Array;
	/** The token's protected header (`alg`, `enc`, `kid`, `cty`, ...). */
	readonly protectedHeader: JweHeader;
	/** The plaintext as UTF-8 text; throws `ERR_JWE_PAYLOAD_INVALID` on invalid UTF-8. */
	text(): string;
	/** The plaintext parsed as JSON; throws `ERR_JWE_PAYLOAD_INVALID` when it is not JSON. */
	json<T = unknown>(): T;
}

interface Normalized {
	readonly policy: Policy;
	readonly keys: readonly KeyEntry[];
	readonly decryptOptions: {
		keyManagementAlgorithms: string[];
		contentEncryptionAlgorithms: string[];
		maxDecompressedLength: 0;
		maxPBES2Count?: number;
	};
}

const normalizedCache = new WeakMap<object, Normalized>();

function normalize(options: DeserializeOptions): Normalized {
	if (typeof options !== "object" || options === null) {
		throw new JweConfigError("deserialize options must be an object", [
			{ path: "", message: "expected an object with keys" },
		]);
	}
	return cached(normalizedCache, options, (o) => {
		const policy = parsePolicy(o, "deserialize");
		const keys = normalizeKeys(o.keys);
		const decryptOptions: Normalized["decryptOptions"] = {
			keyManagementAlgorithms: [...policy.keyManagementAlgorithms],
			contentEncryptionAlgorithms: [...policy.contentEncryptionAlgorithms],
			maxDecompressedLength: 0,
		};
		if (policy.maxPBES2Count !== undefined) decryptOptions.maxPBES2Count = policy.maxPBES2Count;
		return Object.freeze({ policy, keys, decryptOptions });
	});
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

class Result implements DeserializeResult {
	readonly plaintext: Uint8Array;
	readonly protectedHeader: JweHeader;
	constructor(plaintext: Uint8Array, protectedHeader: JweHeader) {
		this.plaintext = plaintext;
		this.protectedHeader = protectedHeader;
	}
	// arrow properties, so `const { text } = await deserialize(...)` works
	readonly text = (): string => {
		try {
			return textDecoder.decode(this.plaintext);
		} catch (cause) {
			throw new JwePayloadInvalidError("the plaintext is not valid UTF-8", { cause });
		}
	};
	readonly json = <T = unknown>(): T => {
		const text = this.text();
		try {
			return JSON.parse(text) as T;
		} catch (cause) {
			throw new JwePayloadInvalidError("the plaintext is not JSON", { cause });
		}
	};
}

/** Maps a jose error that does not depend on the key to our typed error, or returns undefined. */
function keyIndependent(error: unknown): Error | undefined {
	if (error instanceof errors.JWEInvalid) {
		return new JweInvalidError("malformed JWE", { cause: error });
	}
	if (error instanceof errors.JOSEAlgNotAllowed) {
		const parameter = error.message.startsWith('"enc"') ? "enc" : "alg";
		return new JweAlgNotAllowedError(parameter, `JWE "${parameter}" is not allowed`, {
			cause: error,
		});
	}
	if (error instanceof errors.JOSENotSupported) {
		return /zip/i.test(error.message)
			? new JweZipRefusedError('compressed JWE ("zip") is always refused', { cause: error })
			: new JweNotSupportedError("the JWE uses an algorithm or parameter jose does not support", {
					cause: error,
				});
	}
	return undefined;
}

/**
 * Decrypts a compact JWE. Before any key is touched it checks, in order: the token is a string
 * no longer than `maxTokenBytes` (before any split or decode), it has five parts, its protected
 * header is JSON, it has no `zip`, and its `alg`/`enc` are in the allowlists. The private key is
 * picked by the header's `kid` (and `alg`); several keys support rotation. Every decryption
 * failure (wrong key, modified encrypted key, IV, ciphertext or tag) throws the same
 * {@link JweDecryptionFailedError}.
 *
 * @param token - the compact JWE (five base64url parts).
 * @param options - keys, allowlists and limits; see {@link DeserializeOptions}.
 * @returns the plaintext bytes with `text()` and `json()` helpers and the protected header.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` for bad options (e.g. `RSA1_5` listed, a signing key).
 * @throws {JweTokenTooLargeError} `ERR_JWE_TOKEN_TOO_LARGE` when longer than `maxTokenBytes`.
 * @throws {JweInvalidError} `ERR_JWE_INVALID` for a malformed token.
 * @throws {JweZipRefusedError} `ERR_JWE_ZIP_REFUSED` when the header has `zip`.
 * @throws {JweAlgNotAllowedError} `ERR_JWE_ALG_NOT_ALLOWED` for an `alg`/`enc` outside the allowlists.
 * @throws {JweNoMatchingKeyError} `ERR_JWE_NO_MATCHING_KEY` when no configured key fits the `kid`/`alg`.
 * @throws {JweDecryptionFailedError} `ERR_JWE_DECRYPTION_FAILED` for every decryption failure.
 * @example
 * ```ts
 * import { deserialize } from '@xshl/jwe'
 * const { text } = await deserialize(token, { keys: ring.decryptionKeys() })
 * console.log(text())
 * ```
 */
export async function deserialize(
	token: string,
	options: DeserializeOptions,
): Promise<DeserializeResult> {
	const { policy, keys, decryptOptions } = normalize(options);
	const header = precheck(token, policy);
	const alg = header.alg as string;
	const tryKeys = candidates(keys, header.kid, alg);
	if (tryKeys.length === 0) {
		throw new JweNoMatchingKeyError(
			typeof header.kid === "string"
				? "no configured decryption key matches the token's kid and alg"
				: "no configured decryption key matches the token's alg",
		);
	}
	for (const entry of tryKeys) {
		try {
			const key = await entry.resolve(alg);
			const { plaintext, protectedHeader } = await compactDecrypt(token, key, decryptOptions);
			return new Result(plaintext, protectedHeader as JweHeader);
		} catch (error) {
			const mapped = keyIndependent(error);
			if (mapped !== undefined) throw mapped;
			// Anything else (tag mismatch, wrong key type, WebCrypto OperationError, bad point):
			// this key did not decrypt the token; try the next one.
		}
	}
	throw new JweDecryptionFailedError();
}
