// Every public entry, required as CommonJS from the built output, with one real call each.
const assert = require("node:assert/strict");
const cli = require("@xshl/cli");
const cliErrors = require("@xshl/cli/errors");
const cliPkg = require("@xshl/cli/package.json");

async function main() {
	let out = "";
	const io = { ...cli.nodeIO(), stdout: (t) => (out += t), stderr: () => {} };
	assert.equal(await cli.run(["--help"], io), 0);
	assert.match(out, /^Usage: xshl <command>/);
	// {"alg":"ES256"}.{"exp":1}: decoded without a key, expired since 1970
	const report = await cli.inspectToken({ token: "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.AA" });
	assert.equal(report.expired, true);
	assert.equal(report.ok, false);
	await assert.rejects(cli.inspectToken({ token: "a.b" }), { code: "ERR_CLI_TOKEN_MALFORMED" });
	assert.equal(cli.CliError, cliErrors.CliError);
	assert.equal(cliPkg.bin.xshl, "./dist/bin.js");
	console.log("ok");
}

main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
