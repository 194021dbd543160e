// The `revocations` option: a structural source answered synchronously from memory (e.g.
// `RevocationFeedClient` of `@xshl/keys/revocations`), asked after the signature and the
// claims, and on every hit of the verified-token cache.
import { SessionRevokedError } from "../errors";

/** What a revocation source is asked about: the token's identifiers and its `iat`. */
export interface RevocationClaims {
	/** The token's `sid`. */
	sid: string;
	/** The token's `jti`. */
	jti: string;
	/** The token's `sub`, when it has one. */
	sub?: string;
	/** The token's `iat`, NumericDate seconds. */
	iat: number;
}

/** A source of revocations: any object with a synchronous `isRevoked`. */
export interface RevocationSource {
	/** True when the token must be refused. Must not throw; a throw refuses the token. */
	isRevoked(claims: RevocationClaims): boolean;
}

/** Refuses the token when the source says it is revoked (or throws). */
export function checkRevoked(
	claims: Record<string, unknown>,
	source: RevocationSource | undefined,
): void {
	if (source === undefined) return;
	const query: RevocationClaims = {
		sid: claims.sid as string,
		jti: claims.jti as string,
		iat: claims.iat as number,
	};
	if (typeof claims.sub === "string") query.sub = claims.sub;
	let revoked: boolean;
	try {
		revoked = source.isRevoked(query) !== false;
	} catch (error) {
		throw new SessionRevokedError("the revocation source failed: the token is refused", {
			cause: error,
		});
	}
	if (revoked) throw new SessionRevokedError("the token has been revoked");
}
