/**
 * `serialize(payload, header, options)`: encrypt to a recipient public key picked by `kid`.
 * Import from `@xshl/jwe`.
 *
 * @module
 */

import { CompactEncrypt, errors, type JWK } from "jose";
import * as z from "zod";
import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from "./algorithms";
import {
	JweAlgNotAllowedError,
	JweConfigError,
	JweEncryptionFailedError,
	JweHeaderInvalidError,
	JweNoMatchingKeyError,
	JwePayloadInvalidError,
	JweTokenTooLargeError,
	JweZipRefusedError,
} from "./errors";
import { cached, configError, type Policy, parsePolicy } from "./internal/policy";

/** What a recipient lookup is asked for. */
export interface RecipientKeyQuery {
	/** The header's `kid`. */
	kid?: string;
	/** The header's `alg`. */
	alg?: string;
	/** Always `"enc"` from this package. */
	use?: "sig" | "enc";
}

/**
 * A recipient key lookup. Structural: any `@xshl/keys` `KeySet` (`RemoteKeySet`,
 * `LocalKeySet`, `KeyRing#keySet()`) satisfies it; `@xshl/jwe` has no runtime dependency on it.
 */
export interface RecipientKeySet {
	/** Resolves the public key for `{kid, use: "enc", alg}`; throws when there is none. */
	getKey(query: RecipientKeyQuery): Promise<CryptoKey>;
}

/** JSON values a payload may be (encoded with `JSON.stringify`). */
export type JsonValue =
	| string
	| number
	| boolean
	| null
	| readonly JsonValue[]
	| { readonly [key: string]: JsonValue | undefined };

/**
 * A payload: a `string` is encrypted as its UTF-8 bytes (not JSON-quoted), a `Uint8Array` as
 * is, anything else as its `JSON.stringify` text.
 */
export type JwePayload = string | Uint8Array | JsonValue;

/** The protected header `serialize()` needs: `alg`, `enc` and the recipient's `kid`. */
export interface JweProtectedHeaderInput {
	/** Key management algorithm; must be in the allowlist. */
	alg: string;
	/** Content encryption algorithm; must be in the allowlist. */
	enc: string;
	/** The recipient key's id, looked up with `use: "enc"`. */
	kid: string;
	/** Content type, e.g. `"JWT"` for a nested token. */
	cty?: string;
	/** Media type of the whole JWE. */
	typ?: string;
	/** Other protected parameters (never `zip`). */
	[parameter: string]: unknown;
}

/** Options of {@link serialize}. The object is validated once per identity and cached. */
export interface SerializeOptions {
	/** The recipient key set, asked `getKey({kid, use: "enc", alg})`. Give this or `key`. */
	keys?: RecipientKeySet;
	/** A fixed recipient key (public CryptoKey or JWK, or a secret for `dir`/`A*KW`). */
	key?: CryptoKey | JWK | Uint8Array;
	/**
	 * Allowed `alg` values: serialize refuses to produce what deserialize would refuse.
	 * @default ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A256KW"]
	 */
	keyManagementAlgorithms?: readonly KeyManagementAlgorithm[];
	/**
	 * Allowed `enc` values.
	 * @default ["A256GCM"]
	 */
	contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[];
	/**
	 * Maximum size of the produced token, in bytes (never silently chunked); 64 to 16 MiB.
	 * @default 8192
	 */
	maxTokenBytes?: number;
}

interface Normalized {
	readonly policy: Policy;
	readonly keys: RecipientKeySet | undefined;
	readonly key: CryptoKey | JWK | Uint8Array | undefined;
}

const optionsSchema = z
	.object({
		keys: z
			.custom<RecipientKeySet>(
				(v) =>
					typeof v === "object" &&
					v !== null &&
					typeof (v as RecipientKeySet).getKey === "function",
				{ error: "keys must have a getKey({kid, use, alg}) method (e.g. an @xshl/keys KeySet)" },
			)
			.optional(),
		key: z
			.custom<CryptoKey | JWK | Uint8Array>(
				(v) => typeof v === "object" && v !== null && !Array.isArray(v),
				{ error: "key must be a CryptoKey, a JWK or a Uint8Array" },
			)
			.optional(),
	})
	.refine((o) => (o.keys === undefined) !== (o.key === undefined), {
		error: "give exactly one of keys (a key set) or key (a fixed recipient key)",
	});
const normalizedCache = new WeakMap<object, Normalized>();

function normalize(options: SerializeOptions): Normalized {
	if (typeof options !== "object" || options === null) {
		throw new JweConfigError("serialize options must be an object", [
			{ path: "", message: "expected an object" },
		]);
	}
	return cached(normalizedCache, options, (o) => {
		const parsed = optionsSchema.safeParse(o);
		if (!parsed.success) throw configError("serialize", parsed.error);
		return Object.freeze({
			policy: parsePolicy(o, "serialize"),
			keys: parsed.data.keys,
			key: parsed.data.key,
		});
	});
}

const encoder = new TextEncoder();

/**
 * The bytes `serialize()` encrypts for a payload: a string as UTF-8 (not JSON-quoted), a
 * `Uint8Array` as is, anything else as its `JSON.stringify` text.
 *
 * @param payload - a string, bytes or a JSON value.
 * @returns the plaintext bytes.
 * @throws {JwePayloadInvalidError} `ERR_JWE_PAYLOAD_INVALID` when the value has no JSON form (undefined, a function, a bigint, a cycle).
 * @example
 * ```ts
 * import { encodePayload } from '@xshl/jwe'
 * new TextDecoder().decode(encodePayload({ a: 1 })) // '{"a":1}'
 * ```
 */
export function encodePayload(payload: JwePayload): Uint8Array {
	if (typeof payload === "string") return encoder.encode(payload);
	if (payload instanceof Uint8Array) return payload;
	let text: string | undefined;
	try {
		text = JSON.stringify(payload);
	} catch (cause) {
		throw new JwePayloadInvalidError("the payload cannot be encoded as JSON", { cause });
	}
	if (text === undefined) {
		throw new JwePayloadInvalidError("the payload has no JSON form (undefined or a function)");
	}
	return encoder.encode(text);
}

/** Checks the header given to serialize; returns it (a shallow copy, so later edits don't race). */
function checkHeader(
	header: JweProtectedHeaderInput,
	policy: Policy,
	options: { requireKid: boolean },
): JweProtectedHeaderInput {
	if (typeof header !== "object" || header === null || Array.isArray(header)) {
		throw new JweHeaderInvalidError("the protected header must be an object");
	}
	const copy = { ...header };
	for (const name of ["alg", "enc", "kid"] as const) {
		if (name === "kid" && !options.requireKid && copy.kid === undefined) continue;
		if (typeof copy[name] !== "string" || copy[name] === "") {
			throw new JweHeaderInvalidError(
				`the protected header must name "${name}" (a non-empty string)`,
			);
		}
	}
	if (Object.hasOwn(copy, "zip")) {
		throw new JweZipRefusedError('compressed JWE ("zip") is never produced', {
			cause: new errors.JOSENotSupported(
				'JWE "zip" (Compression Algorithm) Header Parameter is not supported.',
			),
		});
	}
	if (!policy.algSet.has(copy.alg)) {
		throw new JweAlgNotAllowedError(
			"alg",
			`JWE "alg" is not allowed; allowed: ${policy.keyManagementAlgorithms.join(", ")}`,
		);
	}
	if (!policy.encSet.has(copy.enc)) {
		throw new JweAlgNotAllowedError(
			"enc",
			`JWE "enc" is not allowed; allowed: ${policy.contentEncryptionAlgorithms.join(", ")}`,
		);
	}
	return copy;
}

/**
 * Encrypts a payload to the recipient public key named by the header's `kid`, looked up with
 * `use: "enc"` in a key set (the Python original raised a bare `ValueError` for a missing key;
 * this throws {@link JweNoMatchingKeyError}). The header must name `alg`, `enc` and `kid`, both
 * algorithms must be in the allowlists, and `zip` is refused.
 *
 * @param payload - a string (UTF-8), bytes, or a JSON value.
 * @param header - the protected header: `alg`, `enc`, `kid`, optionally `cty`/`typ`/others.
 * @param options - the recipient key set (or a fixed key), allowlists and size limit.
 * @returns the compact JWE.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` for bad options.
 * @throws {JweHeaderInvalidError} `ERR_JWE_HEADER_INVALID` when `alg`, `enc` or `kid` is missing.
 * @throws {JweZipRefusedError} `ERR_JWE_ZIP_REFUSED` when the header has `zip`.
 * @throws {JweAlgNotAllowedError} `ERR_JWE_ALG_NOT_ALLOWED` for an `alg`/`enc` outside the allowlists.
 * @throws {JwePayloadInvalidError} `ERR_JWE_PAYLOAD_INVALID` when the payload has no JSON form.
 * @throws {JweNoMatchingKeyError} `ERR_JWE_NO_MATCHING_KEY` when the key set has no key (cause: its error).
 * @throws {JweEncryptionFailedError} `ERR_JWE_ENCRYPTION_FAILED` when jose refuses the key.
 * @throws {JweTokenTooLargeError} `ERR_JWE_TOKEN_TOO_LARGE` when the token would exceed `maxTokenBytes`.
 * @example
 * ```ts
 * import { serialize } from '@xshl/jwe'
 * const token = await serialize({ hello: 'world' }, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid }, { keys: keySet })
 * ```
 */
export async function serialize(
	payload: JwePayload,
	header: JweProtectedHeaderInput,
	options: SerializeOptions,
): Promise<string> {
	const { policy, keys, key: fixedKey } = normalize(options);
	const protectedHeader = checkHeader(header, policy, { requireKid: keys !== undefined });
	const plaintext = encodePayload(payload);
	let key: CryptoKey | JWK | Uint8Array;
	if (keys !== undefined) {
		let found: CryptoKey | undefined;
		try {
			found = await keys.getKey({ kid: protectedHeader.kid, use: "enc", alg: protectedHeader.alg });
		} catch (cause) {
			throw new JweNoMatchingKeyError(
				"the key set has no encryption key for the header's kid and alg",
				{ cause },
			);
		}
		if (found === undefined || found === null) {
			throw new JweNoMatchingKeyError(
				"the key set returned no encryption key for the header's kid",
			);
		}
		key = found;
	} else {
		key = fixedKey!;
	}
	let token: string;
	try {
		token = await new CompactEncrypt(plaintext)
			.setProtectedHeader(protectedHeader as never)
			.encrypt(key);
	} catch (cause) {
		throw new JweEncryptionFailedError("jose could not encrypt with the recipient key", {
			cause,
		});
	}
	if (token.length > policy.maxTokenBytes) {
		throw new JweTokenTooLargeError(token.length, policy.maxTokenBytes);
	}
	return token;
}
