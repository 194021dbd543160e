/**
 * Limits shared by the verifier and the issuer side, so that a key ring never publishes more
 * than a {@link RemoteKeySet} accepts.
 *
 * Import from `@xshl/keys` or `@xshl/keys/ring`.
 *
 * @module
 */

import type { RemoteKeySet } from "./remote-key-set";

/**
 * The most keys a JWKS may hold: the default `maxKeys` of a {@link RemoteKeySet}, and the
 * cap of the keys a `KeyRing` publishes (active + next + retired, every use). A ring warns
 * (`capacityWarning` event) at 80 % of it and drops its oldest retired keys beyond it.
 *
 * @example
 * ```ts
 * import { MAX_PUBLISHED_KEYS } from '@xshl/keys'
 * MAX_PUBLISHED_KEYS // 100
 * ```
 */
export const MAX_PUBLISHED_KEYS = 100;
