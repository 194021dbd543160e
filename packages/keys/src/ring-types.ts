/**
 * The shapes of the issuer key ring: algorithms, options, snapshots, key metadata, and the
 * framework-neutral JWKS response.
 *
 * Import from `@xshl/keys/ring`.
 *
 * @module
 */

import type { MAX_PUBLISHED_KEYS } from "./limits";
import type { KeyRing } from "./ring";
import type { KeyUse } from "./types";

/** Signing algorithms the ring generates and imports. */
export type SigningAlg = "RS256" | "PS256" | "ES256" | "EdDSA" | "Ed25519";
/** Encryption (key management) algorithms the ring generates and imports. */
export type EncryptionAlg = "RSA-OAEP-256" | "ECDH-ES+A256KW";

/** Options shared by {@link KeyRing.generate} and {@link KeyRing.restore}. */
export interface KeyRingOptions {
	/** How long a retired key stays published after `rotate()`, in ms. At least the token lifetime + leeway + the verifiers' max TTL. @default 86400000 (24 h) */
	graceMs?: number;
	/** Clock, in ms since the epoch. @default Date.now */
	now?: () => number;
	/** RSA modulus length for RS256/PS256/RSA-OAEP-256 keys, in bits. @default 2048 */
	modulusLength?: 2048 | 3072 | 4096;
	/** Curve of ECDH-ES+A256KW keys. @default "P-256" */
	encryptionCurve?: "P-256" | "X25519";
	/** Whether generated private keys can be exported (needed by `snapshot()`). @default true */
	extractable?: boolean;
	/**
	 * How long verifiers may cache {@link KeyRing.jwksResponse}, in ms; sent as
	 * `Cache-Control: max-age` in whole seconds (rounded down).
	 * @default 600000 (10 min)
	 */
	maxAgeMs?: number;
	/**
	 * Rotations closer than this to the previous switch are refused with
	 * `ERR_KEYS_ROTATION_TOO_SOON`, in ms. With the default `graceMs` (24 h) a ring then
	 * publishes at most 52 keys (2 uses × (active + next + 24 retired)).
	 * @default 3600000 (1 h)
	 */
	minRotationIntervalMs?: number;
	/**
	 * The most keys the ring publishes (every use, every state), at most
	 * {@link MAX_PUBLISHED_KEYS}: beyond it the oldest retired keys are dropped before their
	 * grace ends (`evict` event); at 80 % of it a `capacityWarning` event fires.
	 * @default MAX_PUBLISHED_KEYS (100)
	 */
	maxPublishedKeys?: number;
}

/** Options of {@link KeyRing.generate}. */
export interface KeyRingGenerateOptions extends KeyRingOptions {
	/**
	 * Signing algorithm. For Ed25519 keys, `EdDSA` (RFC 8037) is what every verifier knows;
	 * `Ed25519` (RFC 9864, fully specified) names the same signature and is what the keys
	 * are published with when chosen.
	 */
	signing: SigningAlg;
	/** Encryption algorithm, or `false` for a signing-only ring. @default "ECDH-ES+A256KW" */
	encryption?: EncryptionAlg | false;
}

/** One key of a ring snapshot. Timestamps in ms since the epoch. */
export interface KeyRingSnapshotKey {
	/** RFC 7638 thumbprint; checked on restore. */
	kid: string;
	/** The key's algorithm. */
	alg: SigningAlg | EncryptionAlg;
	/** `sig` or `enc`. */
	use: KeyUse;
	/** The private key: PKCS#8 PEM or a private JWK. */
	privateKey: string | Record<string, unknown>;
	/** When the key was created. */
	createdAt: number;
	/** When it became (or becomes) active; absent for the published next key. */
	activateAt?: number;
	/** When it was retired. */
	retireAt?: number;
	/** When it stops being published. */
	removeAt?: number;
}

/** A ring saved with {@link KeyRing.snapshot}: secret material, handle as such. */
export interface KeyRingSnapshot {
	/** Format version. */
	version: 1;
	/** The keys. */
	keys: KeyRingSnapshotKey[];
}

/** The state of one ring key at a given time. */
export type RingKeyState = "next" | "active" | "retired";

/** Public metadata of one ring key (see {@link KeyRing.list}). */
export interface RingKeyInfo {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: SigningAlg | EncryptionAlg;
	/** `sig` or `enc`. */
	use: KeyUse;
	/** `next` (published, not yet used), `active` or `retired` (published during the grace). */
	state: RingKeyState;
	/** Timestamps in ms since the epoch. */
	createdAt: number;
	/** When it became active. */
	activateAt: number | undefined;
	/** When it was retired. */
	retireAt: number | undefined;
	/** When it stops being published. */
	removeAt: number | undefined;
}

/** The active signing key. */
export interface SigningKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: SigningAlg;
	/** Private key for jose's `SignJWT#sign`. */
	privateKey: CryptoKey;
	/** Protected header to sign with. */
	header: { alg: SigningAlg; kid: string };
}

/** A decryption key (private half of a published encryption key). */
export interface DecryptionKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: EncryptionAlg;
	/** Private key for jose's `compactDecrypt`. */
	privateKey: CryptoKey;
}

/** The active encryption (recipient) key. */
export interface EncryptionKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: EncryptionAlg;
	/** Public key for jose's `CompactEncrypt`. */
	publicKey: CryptoKey;
}

/** A request as {@link KeyRing.jwksResponse} reads it: only `If-None-Match`. */
export interface JwksRequestLike {
	/** Request headers (a `Headers`, or a Node-style record). */
	headers?: Headers | Record<string, string | string[] | undefined>;
}

/** An HTTP response for a JWKS endpoint, framework-neutral. */
export interface JwksResponse {
	/** 200, or 304 when `If-None-Match` matched. */
	status: 200 | 304;
	/** `content-type`, `cache-control`, `etag`. */
	headers: Record<string, string>;
	/** The JWKS JSON text ("" on 304). */
	body: string;
}
