// Nested JWT with @xshl/jwe: sign, then encrypt; decrypt, then verify.
// Run with `node examples/nested.mjs` after `pnpm build`.
import { decryptThenVerify, deserialize, jwtVerifier, signThenEncrypt } from "@xshl/jwe";
import { generateKeyPair } from "jose";

const signing = await generateKeyPair("ES256"); // the issuer's signing key
const encryption = await generateKeyPair("RSA-OAEP-256"); // the recipient's encryption key

const token = await signThenEncrypt(
	{ sub: "user-123", iss: "urn:example:issuer" },
	{ alg: "RSA-OAEP-256", enc: "A256GCM", kid: "enc-1" },
	{
		key: encryption.publicKey,
		signingKey: signing.privateKey,
		signingHeader: { alg: "ES256", kid: "sig-1" },
	},
);

// Decrypting alone gives bytes, never trusted claims...
const { protectedHeader } = await deserialize(token, { keys: encryption.privateKey });
console.log("cty:", protectedHeader.cty);

// ...the claims come only from the verifier, after the signature is checked.
const claims = await decryptThenVerify(token, {
	keys: encryption.privateKey,
	verify: jwtVerifier({
		key: signing.publicKey,
		algorithms: ["ES256"],
		issuer: "urn:example:issuer",
	}),
});
console.log("sub:", claims.sub);
