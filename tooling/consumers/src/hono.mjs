// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as hono from "@xshl/hono";
import honoPkg from "@xshl/hono/package.json" with { type: "json" };
import * as honoResource from "@xshl/hono/resource";
import { KeyRing } from "@xshl/keys/ring";

// hono is the middleware's peer dependency: resolve it the way the middleware does
const { Hono } = createRequire(import.meta.resolve("@xshl/hono"))("hono");
const ring = await KeyRing.generate({ signing: "EdDSA" });
const auth = hono.xshl({
	keys: ring.keySet("xshl"),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
});
const app = new Hono().get("/me", auth, (c) => c.json(c.var.session));
// the error is an HTTPException carrying @xshl/http's answer
app.onError((err) => err.getResponse());
const res = await app.request("/me");
assert.equal(res.status, 401);
assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="xshl"');
assert.deepEqual(await res.json(), {
	error: { code: "ERR_HTTP_TOKEN_MISSING", message: "Authorization: Bearer token required" },
});
assert.equal(auth.server(), undefined);
assert.equal(honoPkg.name, "@xshl/hono");

// the resource-server entry: the same middleware without the issuer routes
const resource = honoResource.xshl({
	keys: ring.keySet("xshl"),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
});
assert.deepEqual(Object.keys(resource), ["requireScopes"]);
const api = new Hono().get("/me", resource.requireScopes("orders"), (c) => c.json(c.var.session));
api.onError((err) => err.getResponse());
const refused = await api.request("/me", { headers: { authorization: "bearer x" } });
assert.equal(refused.status, 401);
assert.deepEqual(await refused.json(), {
	error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
});

console.log("ok");
