// Quick start for @xshl/jwe: run with `node examples/quick-start.mjs` after `pnpm build`.
import { deserialize, JweError, serialize } from "@xshl/jwe";
import { generateKeyPair } from "jose";

// The recipient's encryption key pair (with @xshl/keys: KeyRing.generate({ encryption: ... })).
const { publicKey, privateKey } = await generateKeyPair("ECDH-ES+A256KW");

// The sender looks the recipient's public key up by kid, with use "enc", in a key set.
// Any @xshl/keys KeySet has this getKey(); here a one-key stand-in.
/** @type {import("@xshl/jwe").RecipientKeySet} */
const keys = {
	async getKey({ kid, use, alg }) {
		if (kid !== "enc-1" || use !== "enc" || alg !== "ECDH-ES+A256KW") throw new Error("no key");
		return publicKey;
	},
};

const token = await serialize(
	{ hello: "world" },
	{ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "enc-1" },
	{ keys },
);
console.log("parts:", token.split(".").length);

// The recipient decrypts with its private key(s), picked by kid (several for rotation).
const result = await deserialize(token, { keys: [{ kid: "enc-1", privateKey }] });
console.log("json:", result.json());

// Anything outside the strict defaults is refused with a typed error.
try {
	await deserialize(token.replace(/^[^.]+/, "eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMjU2R0NNIn0"), {
		keys: privateKey,
	});
} catch (e) {
	if (e instanceof JweError) console.log("RSA1_5:", e.code);
}
