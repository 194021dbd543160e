// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import * as http from "@xshl/http";
import * as client from "@xshl/http/client";
import * as httpErrors from "@xshl/http/errors";
import httpPkg from "@xshl/http/package.json" with { type: "json" };
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";

const server = http.createSessionServer({
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
	authenticate: async ({ username }) => (username === "ada" ? { sub: "ada" } : null),
});
const login = await server.handle(
	new Request("https://id.example/auth/login", {
		method: "POST",
		headers: { "x-xshl-request": "1", "content-type": "application/json" },
		body: JSON.stringify({ username: "ada", password: "pw" }),
	}),
);
assert.equal(login.status, 200);
assert.equal(login.headers.get("cache-control"), "no-store");
const missing = http.errorResponse(new httpErrors.HttpTokenMissingError("no token"));
assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="xshl"');
assert.equal(http.HttpError, httpErrors.HttpError);
assert.equal(httpErrors.HTTP_ERROR_CODES.ERR_HTTP_CSRF.status, 403);
assert.equal(typeof new client.SessionClient({ locks: null, channel: null }).refresh, "function");
assert.equal(httpPkg.name, "@xshl/http");

console.log("ok");
