// The smallest real resource server: a Cloudflare Worker (Bun, Deno and Node run it too) that
// follows the issuer's JWKS and revocation feed. Bindings: ISSUER_URL (the issuer's origin),
// ISSUER, AUDIENCE and KEYSET_NAME (the issuer's key set name: it enters every session id).
import { type XshlEnv, xshl } from "@xshl/hono/resource";
import { RemoteKeySet } from "@xshl/keys";
import { RevocationFeedClient } from "@xshl/keys/revocations";
import { Hono } from "hono";

type Bindings = { ISSUER_URL: string; ISSUER: string; AUDIENCE: string; KEYSET_NAME: string };

const auth = xshl(({ ISSUER_URL, ISSUER, AUDIENCE, KEYSET_NAME }: Bindings) => {
	const keys = new RemoteKeySet({ name: KEYSET_NAME, url: `${ISSUER_URL}/.well-known/jwks.json` });
	const feed = `${ISSUER_URL}/.well-known/xshl-revocations`;
	const revocations = new RevocationFeedClient({ url: feed, keys });
	// no timers in a Worker: the feed refreshes on requests, at most once a second
	return { keys, revocations, revocationsRefreshMs: 1000, issuer: ISSUER, audience: AUDIENCE };
});

export default new Hono<XshlEnv>().get("/orders", auth, (c) => c.json({ sub: c.var.session.sub }));
