/**
 * Shared types of `@xshl/keys`: the {@link KeySet} contract every key set implements, the
 * lookup query and the public JWK shapes.
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

/** What a key is for: `sig` (verify JWS) or `enc` (encrypt a JWE to its owner). */
export type KeyUse = "sig" | "enc";

/** A key lookup: by `kid`, narrowed by `alg` and `use`. */
export interface KeyQuery {
	/** Key id from the token header. Absent: only accepted when exactly one key fits. */
	kid?: string;
	/** JWA algorithm from the token header (e.g. `ES256`, `RSA-OAEP-256`). */
	alg?: string;
	/** Purpose: `sig` for verification keys, `enc` for encryption (recipient) keys. */
	use?: KeyUse;
}

/** Options of the synchronous {@link KeySet.get}. */
export interface KeyGetOptions {
	/** Purpose of the key. */
	use?: KeyUse;
	/** JWA algorithm the key will be used with. */
	alg?: string;
}

/** Options of {@link KeySet.load}. */
export interface KeySetLoadOptions {
	/** Start a refresh and return at once, without waiting (errors go to events). @default false */
	background?: boolean;
}

/** The protected header fields a resolver reads: only `kid` and `alg`, never `jwk`, `jku` or `x5u`. */
export interface ResolverHeader {
	/** Key id. */
	kid?: string;
	/** JWA algorithm. */
	alg?: string;
}

/**
 * What every key set offers; `@xshl/session-core` and `@xshl/jwe` depend only on this shape.
 *
 * @example
 * ```ts
 * import { jwtVerify } from 'jose'
 * import type { KeySet } from '@xshl/keys'
 * async function verify(token: string, keys: KeySet) {
 *   return jwtVerify(token, keys.resolver, { algorithms: keys.algorithms('sig') })
 * }
 * ```
 */
export interface KeySet {
	/** Name of the set; feeds the session id. Non-empty. */
	readonly name: string;
	/** Load (or refresh) the keys; see the implementation for details. */
	load(options?: KeySetLoadOptions): Promise<void>;
	/** Synchronous cache lookup; `undefined` when no single key fits or none is loaded yet. */
	get(kid: string, options?: KeyGetOptions): CryptoKey | undefined;
	/** Asynchronous lookup; may refresh on an unknown kid; throws a typed `KeysError`. */
	getKey(query: KeyQuery): Promise<CryptoKey>;
	/** jose key argument for `jwtVerify`/`compactVerify`: resolves signing keys by header kid/alg. */
	readonly resolver: (protectedHeader: ResolverHeader, token?: unknown) => Promise<CryptoKey>;
	/** `alg`s of the loaded keys for a use (e.g. `["ES256","EdDSA"]`); `[]` before the first load. */
	algorithms(use: KeyUse): string[];
}

/** A public JSON Web Key as this package reads and publishes it (RFC 7517). */
export interface PublicJwk {
	/** Key type: `RSA`, `EC` or `OKP`. */
	kty: string;
	/** Key id. */
	kid?: string;
	/** Intended use. */
	use?: string;
	/** Permitted operations. */
	key_ops?: string[];
	/** Algorithm the key is meant for. */
	alg?: string;
	/** RSA modulus. */
	n?: string;
	/** RSA public exponent. */
	e?: string;
	/** EC/OKP curve. */
	crv?: string;
	/** EC/OKP x coordinate or public key. */
	x?: string;
	/** EC y coordinate. */
	y?: string;
}

/** A JSON Web Key Set of public keys. */
export interface PublicJwks {
	/** The keys. */
	keys: PublicJwk[];
}

/** A key dropped while reading a JWKS, with the reason (catalog KEY-07/KEY-08). */
export interface RejectedKey {
	/** Zero-based position in the `keys` array. */
	index: number;
	/** The key's `kid`, truncated to 64 characters, when it had a string one. */
	kid: string | undefined;
	/** Why it was dropped, e.g. `RSA key is 1024 bits, at least 2048 required`. */
	reason: string;
}
