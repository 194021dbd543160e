// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const { createServer } = require("node:http");
const keys = require("@xshl/keys");
const keysErrors = require("@xshl/keys/errors");
const node = require("@xshl/keys/node");
const keysPkg = require("@xshl/keys/package.json");
const ring = require("@xshl/keys/ring");

const ALG = { name: "Ed25519" };

async function main() {
	const kr = await ring.KeyRing.generate({ signing: "EdDSA", encryption: false });
	const server = createServer(async (req, res) => {
		const r = await kr.jwksResponse({ headers: req.headers });
		res.writeHead(r.status, r.headers).end(r.body);
	});
	await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
	try {
		const url = `http://127.0.0.1:${server.address().port}/jwks.json`;
		const remote = new keys.RemoteKeySet({
			name: "session_name",
			url,
			fetch: node.createNodeFetch(),
		});
		await remote.load();
		const { privateKey, header } = kr.signingKey();
		// sign and verify with Web Crypto (jose is not a dependency of this consumer)
		const data = new TextEncoder().encode("payload");
		const sig = await crypto.subtle.sign(ALG, privateKey, data);
		assert.equal(await crypto.subtle.verify(ALG, await remote.resolver(header), sig, data), true);
		const local = new keys.LocalKeySet({ name: "local", jwks: kr.jwks() });
		assert.equal(await crypto.subtle.verify(ALG, await local.resolver(header), sig, data), true);
		await assert.rejects(remote.getKey({ kid: "nope" }), { code: "ERR_KEYS_NO_MATCHING_KEY" });
		// the renamed API: snapshot()/restore(), on() returning off(), withdraw(kid)
		const copy = await ring.KeyRing.restore(await kr.snapshot(), { minRotationIntervalMs: 0 });
		assert.equal(copy.signingKey().kid, header.kid);
		const withdrawn = [];
		const off = copy.on("withdraw", (e) => withdrawn.push(e.kid));
		await copy.withdraw(header.kid);
		off();
		assert.deepEqual(withdrawn, [header.kid]);
		assert.notEqual(copy.signingKey().kid, header.kid);
		const snap = remote.snapshot();
		const restored = new keys.RemoteKeySet({ name: "session_name", url });
		assert.equal(await restored.restore(snap), true);
		assert.equal(restored.algorithms("sig").join(","), "Ed25519,EdDSA");
		restored.close();
		remote.close();
	} finally {
		server.close();
	}
	assert.throws(() => new keys.RemoteKeySet({ name: "", url: "https://x.example" }), {
		code: "ERR_KEYS_CONFIG_INVALID",
	});
	assert.equal(keys.KeysError, keysErrors.KeysError);
	assert.equal(keysErrors.KEYS_ERROR_CODES.ERR_KEYS_UNAVAILABLE.status, 503);
	assert.equal(new keys.KeysUnavailableError("closed", "m").status, 503);
	assert.equal(keysPkg.name, "@xshl/keys");
	console.log("ok");
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
