// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const core = require("@xshl/session-core");
const coreErrors = require("@xshl/session-core/errors");
const corePkg = require("@xshl/session-core/package.json");
const { Trace } = require("@xshl/trace");

async function main() {
	const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, false, [
		"sign",
		"verify",
	]);
	const keys = {
		name: "session_name",
		resolver: async () => publicKey,
		algorithms: () => ["EdDSA"],
		getKey: async () => publicKey,
	};
	const config = await core.SessionConfig.create({
		keys,
		audience: ["api"],
		header: { alg: "EdDSA", kid: "k1" },
		key: privateKey,
	});
	const session = new core.Session(config, "ua", "salt");
	session.sub = "user-1";
	session.aud = "api";
	const token = await session.jwt();
	const claims = await core.verifySession(token, {
		keys,
		trace: new Trace("ua", "salt"),
		audience: ["api"],
	});
	assert.equal(claims.sub, "user-1");
	const result = await new core.Session(config, "other-ua", "salt").tryMerge(token);
	assert.equal(result.ok, false);
	assert.equal(result.error.code, "ERR_SESSION_SID_MISMATCH");
	assert.equal(core.SessionError, coreErrors.SessionError);
	assert.equal(core.Trace, Trace);
	assert.equal(core.DEFAULT_UID, "00000000-0000-0000-0000-000000000000");
	assert.equal(corePkg.name, "@xshl/session-core");
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
