// One run, in process (`app.request`, no sockets): the cost of a verified request through
// @xshl/hono/resource, against @xshl/http's authenticate() alone (the glue's cost) and against
// hono/jwk, the reference (it checks the signature and exp only: no trace binding, no claims
// schema). With a remote JWKS, hono/jwk fetches it on every request (no cache unless `fetch`
// caches); xshl's RemoteKeySet fetches it once. hono/jwk accepts only `typ: JWT`, so it gets the
// same claims signed by the same key with that header. Run after `pnpm build`: node bench/middleware.mjs
import { serve } from "@hono/node-server";
import { xshl as xshlIssuer } from "@xshl/hono";
import { xshl } from "@xshl/hono/resource";
import { createAuthenticator } from "@xshl/http";
import { RemoteKeySet } from "@xshl/keys";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import { CompactSign } from "jose";

const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
const UA = "Mozilla/5.0 bench";
const ring = await KeyRing.generate({ signing: "EdDSA" });
const issuer = new Hono().route(
	"/",
	xshlIssuer({
		ring,
		store: new MemoryStore(),
		issuer: ISSUER,
		audience: "api",
		rateLimit: false,
		authenticate: async () => ({ sub: "u1" }),
	}).routes,
);
const login = await issuer.request("/auth/login", {
	method: "POST",
	headers: { "x-xshl-request": "1", "content-type": "application/json", "user-agent": UA },
	body: JSON.stringify({ username: "u", password: "p" }),
});
const token = (await login.json()).access_token;
const cookie = login.headers
	.getSetCookie()
	.map((c) => c.split(";")[0])
	.join("; ");
const { keys: publicKeys } = await (await issuer.request("/.well-known/jwks.json")).json();
const server = await new Promise((resolve) => {
	const s = serve({ fetch: issuer.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
});
const jwksUrl = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;

const { privateKey, header } = ring.signingKey();
const plain = await new CompactSign(Buffer.from(token.split(".")[1], "base64url"))
	.setProtectedHeader({ ...header, typ: "JWT" })
	.sign(privateKey);

const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
const plainHeaders = { ...headers, authorization: `Bearer ${plain}` };
const ok = (c) => c.text("ok");
const options = { keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" };
const remote = new RemoteKeySet({ name: "xshl", url: jwksUrl });
const apps = {
	none: new Hono().get("/x", ok),
	xshl: new Hono().get("/x", xshl(options), ok),
	xshlRemote: new Hono().get("/x", xshl({ ...options, keys: remote }), ok),
	honoJwk: new Hono().get("/x", jwk({ keys: publicKeys, alg: ["EdDSA"] }), ok),
	honoJwkRemote: new Hono().get("/x", jwk({ jwks_uri: jwksUrl, alg: ["EdDSA"] }), ok),
};
const { authenticate } = createAuthenticator(options);
const request = new Request("https://api/x", { headers });

const call =
	(app, h = headers) =>
	async () => {
		const res = await app.request("/x", { headers: h });
		if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
	};
const cases = [
	["@xshl/http authenticate(request), one Request reused", () => authenticate(request), 200],
	["Hono without auth (app.request: Request, routing, Response)", call(apps.none), 200],
	["@xshl/hono/resource, local key set", call(apps.xshl), 200],
	["hono/jwk, keys given", call(apps.honoJwk, plainHeaders), 200],
	["@xshl/hono/resource, RemoteKeySet (cached)", call(apps.xshlRemote), 200],
	["hono/jwk, jwks_uri (fetched per request)", call(apps.honoJwkRemote, plainHeaders), 50],
];
// interleaved rounds, so a busy machine's drift hits every case alike
const spent = cases.map(() => 0);
const done = cases.map(() => 0);
for (const [, fn] of cases) for (let i = 0; i < 100; i++) await fn();
for (let round = 0; round < 10; round++) {
	for (const [i, [, fn, n]] of cases.entries()) {
		const t = performance.now();
		for (let k = 0; k < n; k++) await fn();
		spent[i] += performance.now() - t;
		done[i] += n;
	}
}
const ops = cases.map((_, i) => done[i] / (spent[i] / 1000));
for (const [i, [name]] of cases.entries()) console.log(`${name}: ${Math.round(ops[i])} ops/s`);
const [, , a, b, c, d] = ops;
console.log(`ratio @xshl/hono/hono-jwk (keys given): ${(a / b).toFixed(2)}`);
console.log(`ratio @xshl/hono/hono-jwk (remote JWKS): ${(c / d).toFixed(2)}`);
remote.close();
server.close();
