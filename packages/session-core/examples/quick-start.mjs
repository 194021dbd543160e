// Quick start for @xshl/session-core: run with `node examples/quick-start.mjs` after `pnpm build`.
import { Session, SessionConfig, Trace, verifySession } from "@xshl/session-core";
import { createLocalJWKSet, exportJWK, generateKeyPair } from "jose";

// Keys: in production use @xshl/keys (KeyRing on the issuer, RemoteKeySet on verifiers).
// Any object with this shape works as the key set.
const { privateKey, publicKey } = await generateKeyPair("EdDSA");
const jwks = createLocalJWKSet({
	keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA", use: "sig" }],
});
/** @type {import("@xshl/session-core").SessionKeySet} */
const keys = {
	name: "session_name",
	resolver: (header) => jwks(header),
	algorithms: () => ["EdDSA"],
	getKey: ({ kid }) => jwks({ kid, alg: "EdDSA" }),
};

// The issuer: one config per service, one Session per request, bound to the client's trace.
const config = await SessionConfig.create({
	keys,
	app: "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a",
	audience: ["service-api"],
	header: { alg: "EdDSA", kid: "k1" },
	key: privateKey,
});
const userAgent = "Mozilla/5.0 (X11; Linux x86_64)";
const session = new Session(config, userAgent, "per-login-salt");
session.sub = "user-123";
session.aud = "service-api";
session.scope = ["read", "write"];
const token = await session.jwt();

// A resource server: token in, typed claims out, bound to the same client.
const claims = await verifySession(token, {
	keys,
	trace: new Trace(userAgent, "per-login-salt"),
	audience: ["service-api"],
});
console.log("verified sub:", claims.sub, "scope:", claims.scope?.join(","));

// Python's `session + token`: merge a verified token into another session.
const other = new Session(config, userAgent, "per-login-salt");
other.scope = ["admin"];
await other.merge(token);
console.log("merged scope:", other.scope?.join(","));

// The same token replayed by another client is refused with a typed error.
const stolen = await verifySession(token, {
	keys,
	trace: new Trace("curl/8.5.0", "per-login-salt"),
}).catch((e) => e.code);
console.log("replayed by another client:", stolen);
