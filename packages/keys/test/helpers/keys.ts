// Test keys and tokens, made with jose.
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface TestKey {
	kid: string;
	alg: string;
	privateKey: CryptoKey;
	publicJwk: JWK;
}

export async function makeKey(
	kid: string,
	alg = "ES256",
	extra: Partial<JWK> = {},
): Promise<TestKey> {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
	const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig", ...extra };
	return { kid, alg, privateKey: privateKey as CryptoKey, publicJwk };
}

export async function sign(
	key: TestKey,
	claims: Record<string, unknown> = { sub: "u1" },
	header: Record<string, unknown> = {},
): Promise<string> {
	return new SignJWT(claims)
		.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
		.setIssuedAt()
		.setExpirationTime("2h")
		.sign(key.privateKey);
}
