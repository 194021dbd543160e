// The part of every `xshl keys …` report that describes a ring.
import type { PublicJwks } from "@xshl/keys";
import type { KeyRing, RingKeyInfo } from "@xshl/keys/ring";

/** The ring as the `keys` commands report it: public metadata and the public JWKS. */
export interface RingDescription {
	/** Every published key: kid, alg, use, state, timestamps (ms since the epoch). */
	keys: RingKeyInfo[];
	/** The public JWKS to serve. */
	jwks: PublicJwks;
}

/** Public metadata and JWKS of a ring. */
export function describeRing(ring: KeyRing): RingDescription {
	return { keys: ring.list(), jwks: ring.jwks() };
}
