// Issue, verify and merge a session (ES256 keys from this runtime's Web Crypto).
import { Session, SessionConfig, Trace, verifySession } from "@xshl/session-core";

const APP = "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a";
// Python's vectors hold sid("session_name", Trace("Mozilla/5.0", "salt"))
const UA = "Mozilla/5.0";
const SALT = "salt";

export async function sessionCore() {
	const { privateKey, publicKey } = await crypto.subtle.generateKey(
		{ name: "ECDSA", namedCurve: "P-256" },
		false,
		["sign", "verify"],
	);
	const keys = {
		name: "session_name",
		resolver: async () => publicKey,
		algorithms: () => ["ES256"],
		getKey: async () => publicKey,
	};
	const config = await SessionConfig.create({
		keys,
		app: APP,
		audience: ["service-api"],
		header: { alg: "ES256", kid: "k1" },
		key: privateKey,
	});
	const session = new Session(config, UA, SALT);
	session.sub = "user-123";
	session.aud = "service-api";
	session.scope = ["read", "write"];
	const token = await session.jwt();
	const claims = await verifySession(token, {
		keys,
		trace: new Trace(UA, SALT),
		audience: ["service-api"],
	});
	const other = new Session(config, UA, SALT);
	other.scope = ["admin"];
	await other.merge(token);
	const replayed = await verifySession(token, { keys, trace: new Trace("curl/8.5.0", SALT) }).then(
		() => "accepted",
		(e) => e.code,
	);
	return { sub: claims.sub, sid: claims.sid, scope: claims.scope, merged: other.scope, replayed };
}
