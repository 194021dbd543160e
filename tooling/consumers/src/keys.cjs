// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const { createServer } = require("node:http");
const keys = require("@xshl/keys");
const keysErrors = require("@xshl/keys/errors");
const node = require("@xshl/keys/node");
const keysPkg = require("@xshl/keys/package.json");
const revocations = require("@xshl/keys/revocations");
const ring = require("@xshl/keys/ring");

const ALG = { name: "Ed25519" };

async function main() {
	const kr = await ring.KeyRing.generate({ signing: "EdDSA", encryption: false });
	let feedBody = "";
	const server = createServer(async (req, res) => {
		if (req.url?.startsWith("/feed")) {
			res.writeHead(200, { "content-type": "application/json" }).end(feedBody);
			return;
		}
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
		// ./revocations: a logout everywhere refuses the older tokens of the user, not the newer
		const feed = new revocations.RevocationFeedClient({
			url: `http://127.0.0.1:${server.address().port}/feed`,
			keys: remote,
			fetch: node.createNodeFetch(),
		});
		assert.equal(feed.isRevoked({ sid: "s", jti: "j", iat: 1 }), true); // empty: fail-closed
		const salt = "consumer-salt-0123456789";
		const tag = Buffer.from(
			await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${salt}u1`)),
		).toString("base64url");
		const b64 = (v) => Buffer.from(v).toString("base64url");
		const input = `${b64(JSON.stringify({ ...header, typ: revocations.FEED_TYPE }))}.${b64(
			JSON.stringify({ v: 1, seq: 3, iat: 1, salt, users: { [tag]: [2_000_000, 4e9] } }),
		)}`;
		const feedSig = b64(await crypto.subtle.sign(ALG, privateKey, new TextEncoder().encode(input)));
		feedBody = JSON.stringify({ feed: `${input}.${feedSig}` });
		await feed.load();
		assert.equal(feed.isRevoked({ sid: "s", jti: "j", sub: "u1", iat: 2000 }), true);
		assert.equal(feed.isRevoked({ sid: "s", jti: "j", sub: "u1", iat: 2001 }), false);
		assert.equal(feed.isRevoked({ sid: "s", jti: "j", sub: "u2", iat: 1 }), false);
		feedBody = JSON.stringify({ feed: `${input}.${feedSig.slice(0, -4)}AAAA` });
		await assert.rejects(feed.load(), { code: "ERR_KEYS_FEED_INVALID" });
		feed.close();
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
