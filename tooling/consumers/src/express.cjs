// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const { createRequire } = require("node:module");
const ex = require("@xshl/express");
const expressPkg = require("@xshl/express/package.json");

async function main() {
	const express = createRequire(require.resolve("@xshl/express"))("express");
	const auth = ex.xshl({
		keys: {
			name: "xshl",
			resolver: async () => undefined,
			algorithms: () => [],
			getKey: async () => undefined,
		},
		issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		audience: "api",
	});
	const app = express();
	app.get("/me", auth, (_req, res) => res.json({ ok: true }));
	app.use(ex.xshlErrorHandler());
	const server = app.listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	const res = await fetch(`http://127.0.0.1:${server.address().port}/me`, {
		headers: { authorization: "bearer x" },
	});
	assert.equal(res.status, 401);
	assert.equal(res.headers.get("cache-control"), "no-store");
	assert.deepEqual(await res.json(), {
		error: { code: "ERR_HTTP_TOKEN_MALFORMED", message: "Authorization header is malformed" },
	});
	server.closeAllConnections();
	server.close();
	assert.equal(expressPkg.name, "@xshl/express");
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
