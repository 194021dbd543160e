// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const jwe = require("@xshl/jwe");
const jweErrors = require("@xshl/jwe/errors");
const jwePkg = require("@xshl/jwe/package.json");

async function main() {
	const { publicKey, privateKey } = await crypto.subtle.generateKey(
		{ name: "ECDH", namedCurve: "P-256" },
		false,
		["deriveBits"],
	);
	const keys = {
		getKey: async ({ kid, use }) => (kid === "enc-1" && use === "enc" ? publicKey : undefined),
	};
	const header = { alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "enc-1" };
	const token = await jwe.serialize("hello", header, { keys });
	const result = await jwe.deserialize(token, { keys: [{ kid: "enc-1", privateKey }] });
	assert.equal(result.text(), "hello");
	await assert.rejects(jwe.deserialize(token, { keys: privateKey, maxTokenBytes: 100 }), {
		code: "ERR_JWE_TOKEN_TOO_LARGE",
	});
	assert.equal(jwe.JweError, jweErrors.JweError);
	assert.equal(typeof jweErrors.JWE_ERROR_CODES.ERR_JWE_INVALID.meaning, "string");
	assert.equal(jwePkg.name, "@xshl/jwe");
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
