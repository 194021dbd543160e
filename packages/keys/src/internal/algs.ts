// The algorithms this package knows, the use each belongs to, and the ones a key can have.
import type { KeyUse, PublicJwk } from "../types";

/** The two names of the Ed25519 signature: RFC 8037's `EdDSA` and RFC 9864's `Ed25519`. */
export const ED25519_ALGS: readonly string[] = ["EdDSA", "Ed25519"];

const RSA_SIG = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const RSA_ENC = ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"];
const ECDH = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"];
const EC_SIG: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const SIG_ALGS: ReadonlySet<string> = new Set([
	...RSA_SIG,
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
	"Ed25519",
]);
const ENC_ALGS: ReadonlySet<string> = new Set([...RSA_ENC, ...ECDH]);

/** The use an algorithm belongs to, or undefined when this package does not support it. */
export function algUse(alg: string): KeyUse | undefined {
	if (SIG_ALGS.has(alg)) return "sig";
	if (ENC_ALGS.has(alg)) return "enc";
	return undefined;
}

/** The algs a key may have by kty/crv, or the reason it is unsupported. */
export function candidateAlgs(jwk: Record<string, unknown>): string[] | string {
	switch (jwk.kty) {
		case "RSA":
			return [...RSA_SIG, ...RSA_ENC];
		case "EC": {
			const sig = typeof jwk.crv === "string" ? EC_SIG[jwk.crv] : undefined;
			if (sig === undefined)
				return `unsupported EC curve ${JSON.stringify(String(jwk.crv).slice(0, 20))}`;
			return [sig, ...ECDH];
		}
		case "OKP":
			if (jwk.crv === "Ed25519") return ["EdDSA", "Ed25519"];
			if (jwk.crv === "X25519") return [...ECDH];
			return `unsupported OKP curve ${JSON.stringify(String(jwk.crv).slice(0, 20))}`;
		default:
			return "unsupported kty";
	}
}

/** The alg a lookup uses for a key when it names none. */
export function defaultAlgFor(jwk: PublicJwk, algs: string[], use: KeyUse): string | undefined {
	const mine = algs.filter((a) => algUse(a) === use);
	if (mine.length === 0) return undefined;
	if (jwk.alg !== undefined) return jwk.alg;
	const preferred =
		use === "sig"
			? jwk.kty === "RSA"
				? "RS256"
				: jwk.kty === "OKP"
					? "EdDSA"
					: mine[0]
			: jwk.kty === "RSA"
				? "RSA-OAEP-256"
				: "ECDH-ES+A256KW";
	return preferred !== undefined && mine.includes(preferred) ? preferred : mine[0];
}
