// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as ex from "@xshl/express";
import expressPkg from "@xshl/express/package.json" with { type: "json" };
import { KeyRing } from "@xshl/keys/ring";

// express is the middleware's peer dependency: resolve it the way the middleware does
const express = createRequire(import.meta.resolve("@xshl/express"))("express");
const ring = await KeyRing.generate({ signing: "EdDSA" });
const auth = ex.xshl({
	keys: ring.keySet("xshl"),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
});
const app = express();
app.get("/me", auth, (req, res) => res.json(req.session));
app.use(ex.xshlErrorHandler());
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const res = await fetch(`http://127.0.0.1:${server.address().port}/me`);
assert.equal(res.status, 401);
assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="xshl"');
assert.deepEqual(await res.json(), {
	error: { code: "ERR_HTTP_TOKEN_MISSING", message: "Authorization: Bearer token required" },
});
server.closeAllConnections();
server.close();
assert.equal(typeof ex.toWebRequest, "function");
assert.equal(auth.router, undefined);
assert.equal(expressPkg.name, "@xshl/express");

console.log("ok");
