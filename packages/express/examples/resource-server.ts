// The smallest real resource server on Express, following the issuer's JWKS and revocation feed.
import { xshl, xshlErrorHandler } from "@xshl/express";
import { RemoteKeySet } from "@xshl/keys";
import { RevocationFeedClient } from "@xshl/keys/revocations";
import express from "express";

const { ISSUER_URL, ISSUER = "", AUDIENCE = "api", KEYSET_NAME = "xshl" } = process.env;
const keys = new RemoteKeySet({ name: KEYSET_NAME, url: `${ISSUER_URL}/.well-known/jwks.json` });
const feed = `${ISSUER_URL}/.well-known/xshl-revocations`;
export const revocations = new RevocationFeedClient({ url: feed, keys, autoRefresh: true });
await revocations.load(); // fail-closed: no token passes before the feed is known

const app = express();
app.get("/orders", xshl({ keys, revocations, issuer: ISSUER, audience: AUDIENCE }), (req, res) => {
	res.json({ sub: req.session?.sub });
});
app.use(xshlErrorHandler());
export const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1");
