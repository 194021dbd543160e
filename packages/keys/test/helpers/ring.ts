// Key ring fixtures: sign with a ring's active key; the public members each kty may publish.
import { SignJWT } from "jose";
import type { KeyRing } from "../../src/ring";

/** A JWT signed with the ring's active signing key (2 h lifetime). */
export async function signWith(
	ring: KeyRing,
	claims: Record<string, unknown> = { sub: "u1" },
): Promise<string> {
	const { privateKey, header } = ring.signingKey();
	return new SignJWT(claims)
		.setProtectedHeader(header)
		.setIssuedAt()
		.setExpirationTime("2h")
		.sign(privateKey);
}

/** The members a published JWK may carry, by kty. */
export const PUBLIC_MEMBERS: Record<string, string[]> = {
	RSA: ["alg", "e", "kid", "kty", "n", "use"],
	EC: ["alg", "crv", "kid", "kty", "use", "x", "y"],
	OKP: ["alg", "crv", "kid", "kty", "use", "x"],
};
