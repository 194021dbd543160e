// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const { createRequire } = require("node:module");
const hono = require("@xshl/hono");
const honoPkg = require("@xshl/hono/package.json");
const honoResource = require("@xshl/hono/resource");

async function main() {
	const { Hono } = createRequire(require.resolve("@xshl/hono"))("hono");
	const auth = hono.xshl({
		keys: {
			name: "xshl",
			resolver: async () => undefined,
			algorithms: () => [],
			getKey: async () => undefined,
		},
		issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		audience: "api",
	});
	const app = new Hono().get("/me", auth, (c) => c.json({ ok: true }));
	const res = await app.request("/me", { headers: { authorization: "bearer x" } });
	assert.equal(res.status, 401);
	assert.equal(res.headers.get("cache-control"), "no-store");
	assert.deepEqual(await res.json(), {
		error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
	});
	assert.equal(honoPkg.name, "@xshl/hono");
	// the resource-server entry: the same middleware without the issuer routes
	const resource = honoResource.xshl({
		keys: {
			name: "xshl",
			resolver: async () => undefined,
			algorithms: () => [],
			getKey: async () => undefined,
		},
		issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		audience: "api",
	});
	assert.deepEqual(Object.keys(resource), ["requireScopes"]);
	const api = new Hono().get("/me", resource, (c) => c.json({ ok: true }));
	const missing = await api.request("/me");
	assert.equal(missing.status, 401);
	assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="xshl"');
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
