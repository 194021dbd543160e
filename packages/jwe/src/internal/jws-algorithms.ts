/**
 * The asymmetric JWS algorithms an inner token may use by default (the same list as
 * `@xshl/session-core`). `none` and `HS*` can never be allowed for a nested token.
 *
 * @default ["EdDSA","Ed25519","ES256","ES384","ES512","PS256","PS384","PS512","RS256","RS384","RS512"]
 * @example
 * ```ts
 * import { DEFAULT_JWS_ALGORITHMS } from '@xshl/jwe'
 * console.log(DEFAULT_JWS_ALGORITHMS.includes('ES256')) // true
 * ```
 */
export const DEFAULT_JWS_ALGORITHMS: readonly string[] = Object.freeze([
	"EdDSA",
	"Ed25519",
	"ES256",
	"ES384",
	"ES512",
	"PS256",
	"PS384",
	"PS512",
	"RS256",
	"RS384",
	"RS512",
]);
