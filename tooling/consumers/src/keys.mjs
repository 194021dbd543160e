// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as keys from "@xshl/keys";
import * as keysErrors from "@xshl/keys/errors";
import * as node from "@xshl/keys/node";
import keysPkg from "@xshl/keys/package.json" with { type: "json" };
import * as revocations from "@xshl/keys/revocations";
import * as ring from "@xshl/keys/ring";

const ALG = { name: "ECDSA", hash: "SHA-256" };
const kr = await ring.KeyRing.generate({ signing: "ES256" });
const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
/** A feed document signed with Web Crypto (ES256 signatures are raw r||s, as JWS wants). */
async function feedDocument(payload) {
	const { privateKey, header } = kr.signingKey();
	const input = `${b64(JSON.stringify({ ...header, typ: revocations.FEED_TYPE }))}.${b64(JSON.stringify(payload))}`;
	return `${input}.${b64(await crypto.subtle.sign(ALG, privateKey, new TextEncoder().encode(input)))}`;
}
let feedBody = "";
const server = createServer(async (req, res) => {
	if (req.url?.startsWith("/feed")) {
		res.writeHead(200, { "content-type": "application/json", etag: '"7"' }).end(feedBody);
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
	// the renamed API: snapshot()/restore(), on() returning off(), withdraw(kid), the cap
	const copy = await ring.KeyRing.restore(await kr.snapshot({ format: "pem" }));
	const rotations = [];
	const off = copy.on("rotate", (e) => rotations.push(e.rotations.length));
	await copy.rotate();
	off();
	assert.deepEqual(rotations, [2]);
	await assert.rejects(copy.rotate(), { code: "ERR_KEYS_ROTATION_TOO_SOON", status: 409 });
	assert.equal(ring.MAX_PUBLISHED_KEYS, keys.MAX_PUBLISHED_KEYS);
	// ./revocations: a signed feed lists a sid; an older seq is a rollback
	const feed = new revocations.RevocationFeedClient({
		url: `http://127.0.0.1:${server.address().port}/feed`,
		keys: remote,
		fetch: node.createNodeFetch(),
	});
	const salt = "consumer-salt-0123456789";
	feedBody = JSON.stringify({
		feed: await feedDocument({
			v: 1,
			seq: 7,
			iat: 1,
			salt,
			sids: { s1: 4e9 },
			jtis: {},
			users: {},
		}),
	});
	await feed.load();
	assert.equal(feed.isRevoked({ sid: "s1", jti: "j", iat: 1 }), true);
	assert.equal(feed.isRevoked({ sid: "s2", jti: "j", iat: 1 }), false);
	assert.equal(feed.health().state, "fresh");
	feedBody = JSON.stringify({
		feed: await feedDocument({ v: 1, seq: 6, iat: 1, salt, sids: {}, jtis: {}, users: {} }),
	});
	await assert.rejects(feed.load(), { code: "ERR_KEYS_FEED_ROLLBACK", status: 503 });
	assert.equal(feed.isRevoked({ sid: "s1", jti: "j", iat: 1 }), true);
	feed.close();
	remote.close();
} finally {
	server.close();
}
assert.throws(() => new keys.RemoteKeySet({ name: "", url: "https://x.example" }), {
	code: "ERR_KEYS_CONFIG_INVALID",
});
assert.equal(
	keys.referenceUrl(
		{ spot: "s", base: "b", entity: "e", "@context": { source: "k", path: "p" } },
		"https://t.example",
	).href,
	"https://t.example/1/k/p?target=s:e@b",
);
assert.equal(keys.KeysError, keysErrors.KeysError);
assert.equal(keysErrors.KEYS_ERROR_CODES.ERR_KEYS_UNAVAILABLE.status, 503);
assert.equal(new keys.KeysUnavailableError("closed", "m").status, 503);
assert.equal(keysPkg.name, "@xshl/keys");

console.log("ok");
