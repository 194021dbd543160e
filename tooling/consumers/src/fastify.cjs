// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const { createRequire } = require("node:module");
const plugin = require("@xshl/fastify");
const fastifyPkg = require("@xshl/fastify/package.json");

async function main() {
	const Fastify = createRequire(require.resolve("@xshl/fastify"))("fastify");
	const app = Fastify();
	app.setErrorHandler(plugin.xshlErrorHandler);
	await app.register(plugin.xshl, {
		keys: {
			name: "xshl",
			resolver: async () => undefined,
			algorithms: () => [],
			getKey: async () => undefined,
		},
		issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		audience: "api",
	});
	app.get("/me", { onRequest: app.xshl.authenticate }, async () => ({ ok: true }));
	const res = await app.inject({ url: "/me", headers: { authorization: "bearer x" } });
	assert.equal(res.statusCode, 401);
	assert.deepEqual(res.json(), {
		error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
	});
	await app.close();
	assert.equal(typeof plugin.toWebRequest, "function");
	assert.equal(fastifyPkg.name, "@xshl/fastify");
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
