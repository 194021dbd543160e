/**
 * The algorithm allowlists and limits `@xshl/jwe` applies by default, and every algorithm it
 * can be told to allow. Import from `@xshl/jwe`.
 *
 * @module
 */

/**
 * Every JWE key management algorithm (`alg`) that can be put in an allowlist. `RSA1_5` is not
 * here: it is refused at construction (padding oracles, RFC 8725 §3.2; jose removed it).
 * `PBES2-*` are here but never in the default list.
 *
 * @example
 * ```ts
 * import { KEY_MANAGEMENT_ALGORITHMS } from '@xshl/jwe'
 * console.log(KEY_MANAGEMENT_ALGORITHMS.includes('RSA-OAEP-256')) // true
 * ```
 */
export const KEY_MANAGEMENT_ALGORITHMS = [
	"RSA-OAEP",
	"RSA-OAEP-256",
	"RSA-OAEP-384",
	"RSA-OAEP-512",
	"ECDH-ES",
	"ECDH-ES+A128KW",
	"ECDH-ES+A192KW",
	"ECDH-ES+A256KW",
	"A128KW",
	"A192KW",
	"A256KW",
	"A128GCMKW",
	"A192GCMKW",
	"A256GCMKW",
	"dir",
	"PBES2-HS256+A128KW",
	"PBES2-HS384+A192KW",
	"PBES2-HS512+A256KW",
] as const;

/** A JWE key management algorithm that can be allowed. */
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number];

/**
 * Every JWE content encryption algorithm (`enc`) that can be put in an allowlist.
 *
 * @example
 * ```ts
 * import { CONTENT_ENCRYPTION_ALGORITHMS } from '@xshl/jwe'
 * console.log(CONTENT_ENCRYPTION_ALGORITHMS.length) // 6
 * ```
 */
export const CONTENT_ENCRYPTION_ALGORITHMS = [
	"A128GCM",
	"A192GCM",
	"A256GCM",
	"A128CBC-HS256",
	"A192CBC-HS384",
	"A256CBC-HS512",
] as const;

/** A JWE content encryption algorithm that can be allowed. */
export type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION_ALGORITHMS)[number];

/**
 * Default `alg` allowlist: RSA-OAEP with SHA-256, and ECDH-ES (direct, or with AES-256 key
 * wrap). These are the algorithms `@xshl/keys`' key ring issues encryption keys for.
 *
 * @default ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A256KW"]
 * @example
 * ```ts
 * import { DEFAULT_KEY_MANAGEMENT_ALGORITHMS } from '@xshl/jwe'
 * console.log(DEFAULT_KEY_MANAGEMENT_ALGORITHMS) // ['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A256KW']
 * ```
 */
export const DEFAULT_KEY_MANAGEMENT_ALGORITHMS: readonly KeyManagementAlgorithm[] = Object.freeze([
	"RSA-OAEP-256",
	"ECDH-ES",
	"ECDH-ES+A256KW",
] as const);

/**
 * Default `enc` allowlist: AES-256-GCM only.
 *
 * @default ["A256GCM"]
 * @example
 * ```ts
 * import { DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS } from '@xshl/jwe'
 * console.log(DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS) // ['A256GCM']
 * ```
 */
export const DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS: readonly ContentEncryptionAlgorithm[] =
	Object.freeze(["A256GCM"] as const);

/**
 * Default maximum compact JWE size, in bytes (8 KiB; a compact JWE is ASCII, one byte per
 * character), checked before any decoding;
 * `serialize()` refuses to produce a longer token. Same as the JWT input limit of the session
 * design; a cookie holds at most 4096 bytes.
 *
 * @default 8192
 * @example
 * ```ts
 * import { DEFAULT_MAX_TOKEN_BYTES } from '@xshl/jwe'
 * console.log(DEFAULT_MAX_TOKEN_BYTES) // 8192
 * ```
 */
export const DEFAULT_MAX_TOKEN_BYTES = 8192 as const;

/**
 * Largest `maxPBES2Count` accepted when PBES2 is explicitly allowed (draft-ietf-oauth-rfc8725bis:
 * at most 1 200 000 iterations).
 *
 * @example
 * ```ts
 * import { MAX_PBES2_COUNT } from '@xshl/jwe'
 * console.log(MAX_PBES2_COUNT) // 1200000
 * ```
 */
export const MAX_PBES2_COUNT = 1_200_000 as const;
