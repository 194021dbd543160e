/**
 * `@xshl/keys`: JWKS key sets for verifiers (remote, reference and local), Web Crypto only.
 * The issuer key ring lives in `@xshl/keys/ring`; a Node fetch with a custom CA in
 * `@xshl/keys/node`.
 *
 * @module
 */

export * from "./errors";
export type { KeySetEvents, KeySetEventType, KeySetListener } from "./events";
export type { FetchLike } from "./internal/http";
export { MAX_PUBLISHED_KEYS } from "./limits";
export type { LocalKeySetOptions } from "./local-key-set";
export { LocalKeySet } from "./local-key-set";
export type { ReferenceKeysOptions, XshlTarget } from "./reference-keys";
export { API_REFERENCE, ReferenceKeys, referenceUrl } from "./reference-keys";
export { RemoteKeySet } from "./remote-key-set";
export type { RemoteKeySetOptions } from "./remote-key-set-options";
export type {
	KeySetHealth,
	KeySetSnapshot,
	KeySetState,
	RemoteKeySetStats,
} from "./remote-key-set-types";
export * from "./types";
