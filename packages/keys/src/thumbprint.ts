/**
 * The RFC 7638 thumbprint that names every key of a `KeyRing`.
 *
 * Import from `@xshl/keys/ring`.
 *
 * @module
 */

import { calculateJwkThumbprint } from "jose";
import type { PublicJwk } from "./types";

/**
 * The SHA-256 RFC 7638 thumbprint of a public JWK (the ring's `kid`).
 *
 * @param jwk - a public JWK.
 * @returns the base64url thumbprint.
 * @example
 * ```ts
 * import { jwkThumbprint } from '@xshl/keys/ring'
 * await jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '...', y: '...' })
 * ```
 */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
	return calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256");
}
