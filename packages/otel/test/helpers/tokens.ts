// Real session tokens from @xshl/session-core, signed by an @xshl/keys ring.
import type { KeyRing } from "@xshl/keys/ring";
import { Session, SessionConfig } from "@xshl/session-core";

export const NAME = "session_name";
export const UA = "Mozilla/5.0 (X11; Linux x86_64)";
export const SALT = "per-login-salt";

/** A session token signed by `ring`'s active key, bound to (UA, SALT). */
export async function issue(ring: KeyRing): Promise<string> {
	const { header, privateKey } = ring.signingKey();
	const config = await SessionConfig.create({
		keys: ring.keySet(NAME),
		header,
		key: privateKey,
		audience: ["service-api"],
	});
	const session = new Session(config, UA, SALT);
	session.sub = "user-123";
	session.aud = "service-api";
	return session.jwt();
}
