// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const http = require("@xshl/http");
const client = require("@xshl/http/client");
const httpErrors = require("@xshl/http/errors");
const httpPkg = require("@xshl/http/package.json");

async function main() {
	const recipe = http.defineTraceRecipe({ name: "shop-web", version: 2 });
	assert.equal(recipe.id, "shop-web@2");
	const answer = http.errorAnswer(new httpErrors.HttpInsufficientScopeError(["admin"]));
	assert.equal(answer.status, 403);
	assert.match(answer.headers["www-authenticate"], /error="insufficient_scope"/);
	assert.equal(http.ipRateLimitKey("2001:db8::1"), "ip:2001:db8:0:0:0:0:0:0/64");
	assert.equal(http.HttpError, httpErrors.HttpError);
	assert.equal(typeof client.SessionClient, "function");
	assert.equal(httpPkg.name, "@xshl/http");
	console.log("ok");
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
