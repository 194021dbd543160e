// Every public entry, imported as ESM from the built output, with one real call each.
import assert from "node:assert/strict";
import * as core from "@xshl/session-core";
import * as coreErrors from "@xshl/session-core/errors";
import corePkg from "@xshl/session-core/package.json" with { type: "json" };
import { Trace } from "@xshl/trace";

const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, false, [
	"sign",
	"verify",
]);
const keys = {
	name: "session_name",
	resolver: async ({ kid, alg }) => {
		if (kid !== "k1" || alg !== "EdDSA")
			throw Object.assign(new Error("no key"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
		return publicKey;
	},
	algorithms: () => ["EdDSA"],
	getKey: async () => publicKey,
};
const config = await core.SessionConfig.create({
	keys,
	audience: ["api"],
	header: { alg: "EdDSA", kid: "k1" },
	key: privateKey,
});
const session = new core.Session(config, "ua", "salt");
session.sub = "user-1";
session.aud = "api";
const token = await session.jwt();
const claims = await core.verifySession(token, {
	keys,
	trace: new Trace("ua", "salt"),
	audience: ["api"],
});
assert.equal(claims.sub, "user-1");
assert.equal(claims.sid, session.sid);
const other = new core.Session(config, "ua", "salt");
await other.merge(token);
assert.equal(other.sub, "user-1");
const [h, p, sig] = token.split(".");
const forged = `${h}.${p}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
await assert.rejects(core.verifySession(forged, { keys }), {
	code: "ERR_SESSION_SIGNATURE_INVALID",
	status: 401,
});
// the renamed API: durations in ms, _scope a string or a list, { status, meaning } registry
const short = new core.SessionConfig({
	keys,
	audience: ["api"],
	header: { alg: "EdDSA", kid: "k1" },
	key: privateKey,
	expiresMs: 60_000,
	leewayMs: 2000,
});
assert.deepEqual([short.expiresMs, short.leewayMs], [60_000, 2000]);
const scoped = new core.Session(short, "ua", "salt");
scoped.aud = "api";
scoped.requestScope = "req";
const target = new core.Session(short, "ua", "salt");
target.requestScope = ["a"];
await target.merge(await scoped.jwt());
assert.equal(target.requestScope, "req");
assert.deepEqual(coreErrors.SESSION_ERROR_CODES.ERR_SESSION_KEYS_UNAVAILABLE.status, 503);
assert.equal(core.SessionError, coreErrors.SessionError);
assert.equal(core.Trace, Trace);
assert.equal(core.DEFAULT_SESSION_EXPIRES_MS, 120_000);
assert.throws(
	() => new core.SessionConfig({ keys, header: { alg: "none", kid: "k" }, key: privateKey }),
	{
		code: "ERR_SESSION_CONFIG_INVALID",
	},
);
assert.equal(corePkg.name, "@xshl/session-core");

console.log("ok");
