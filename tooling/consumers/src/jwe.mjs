// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import * as jwe from "@xshl/jwe";
import * as jweErrors from "@xshl/jwe/errors";
import jwePkg from "@xshl/jwe/package.json" with { type: "json" };

const { publicKey, privateKey } = await crypto.subtle.generateKey(
	{ name: "ECDH", namedCurve: "P-256" },
	false,
	["deriveBits"],
);
const keys = {
	getKey: async ({ kid, use }) => (kid === "enc-1" && use === "enc" ? publicKey : undefined),
};
const header = { alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "enc-1" };
const token = await jwe.serialize({ hello: "world" }, header, { keys });
const result = await jwe.deserialize(token, { keys: [{ kid: "enc-1", privateKey }] });
assert.deepEqual(result.json(), { hello: "world" });
assert.equal(result.protectedHeader.kid, "enc-1");
await assert.rejects(jwe.deserialize(`${token.slice(0, -4)}AAAA`, { keys: privateKey }), {
	code: "ERR_JWE_DECRYPTION_FAILED",
});
assert.equal(jwe.JweError, jweErrors.JweError);
assert.equal(typeof jweErrors.JWE_ERROR_CODES.ERR_JWE_ZIP_REFUSED.meaning, "string");
assert.equal(jwePkg.name, "@xshl/jwe");

console.log("ok");
