// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as plugin from "@xshl/fastify";
import fastifyPkg from "@xshl/fastify/package.json" with { type: "json" };
import { KeyRing } from "@xshl/keys/ring";

// fastify is the plugin's peer dependency: resolve it the way the plugin does
const Fastify = createRequire(import.meta.resolve("@xshl/fastify"))("fastify");
const ring = await KeyRing.generate({ signing: "EdDSA" });
const app = Fastify();
await app.register(plugin.xshl, {
	keys: ring.keySet("xshl"),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
});
app.get("/me", { onRequest: app.xshl.authenticate }, async (request) => request.session);
const res = await app.inject({ url: "/me" });
assert.equal(res.statusCode, 401);
assert.equal(res.headers["www-authenticate"], 'Bearer realm="xshl"');
assert.equal(res.json().code, "ERR_HTTP_TOKEN_MISSING");
await app.close();
assert.equal(fastifyPkg.name, "@xshl/fastify");

console.log("ok");
