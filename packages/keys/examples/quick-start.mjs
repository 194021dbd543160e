// Quick start for @xshl/keys: run with `node examples/quick-start.mjs` after `pnpm build`.
import { createServer } from "node:http";
import { RemoteKeySet } from "@xshl/keys";
import { KeyRing } from "@xshl/keys/ring";
import { jwtVerify, SignJWT } from "jose";

// Issuer: a key ring, its public JWKS served over HTTP (ETag, Cache-Control, 304).
const ring = await KeyRing.generate({ signing: "ES256" });
const server = createServer(async (req, res) => {
	const r = await ring.jwksResponse({ headers: req.headers });
	res.writeHead(r.status, r.headers).end(r.body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
const url = `http://127.0.0.1:${port}/.well-known/jwks.json`;

async function issue() {
	const { privateKey, header } = ring.signingKey();
	return new SignJWT({ sub: "user-123" })
		.setProtectedHeader(header)
		.setExpirationTime("2m")
		.sign(privateKey);
}

// Verifier: a remote key set (timeouts, size limit, cooldown, stale-while-revalidate).
const keys = new RemoteKeySet({ name: "session_name", url });
await keys.load();
/** @param {string} token */
const verify = (token) => jwtVerify(token, keys.resolver, { algorithms: keys.algorithms("sig") });

const before = await issue();
console.log("verified:", (await verify(before)).payload.sub);

await ring.rotate(); // the next key (already published) becomes active
const after = await issue();
console.log("after rotate:", (await verify(after)).payload.sub);
console.log("old token still valid during the grace:", (await verify(before)).payload.sub);

try {
	await keys.getKey({ kid: "unknown-kid" });
} catch (e) {
	console.log("unknown kid:", /** @type {import("@xshl/keys").KeysError} */ (e).code);
}
console.log("fetches:", keys.stats().requests);

keys.close();
server.close();
