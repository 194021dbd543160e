// The xshl commands as functions: run with `node examples/programmatic.mjs` after `pnpm build`.
import { createServer } from "node:http";
import { checkJwks, inspectToken } from "@xshl/cli";
import { KeyRing } from "@xshl/keys/ring";
import { Session, SessionConfig } from "@xshl/session-core";

// An issuer: a key ring whose public JWKS is served over HTTP.
const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
const server = createServer(async (req, res) => {
	const r = await ring.jwksResponse({ headers: req.headers });
	res.writeHead(r.status, r.headers).end(r.body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
const url = `http://127.0.0.1:${port}/.well-known/jwks.json`;

// What `xshl jwks check URL --json` reports.
const check = await checkJwks({ url });
console.log(
	"jwks ok:",
	check.ok,
	"kept:",
	check.kept.length,
	"ttl s:",
	(check.ttl?.freshMs ?? 0) / 1000,
);

// A session token for one client...
const { header, privateKey } = ring.signingKey();
const config = await SessionConfig.create({
	keys: ring.keySet("session_name"),
	header,
	key: privateKey,
});
const token = await new Session(config, "Mozilla/5.0", "per-login-salt").jwt();

// ...inspected as `xshl token inspect TOKEN --jwks URL --name … --trace …` does.
const good = await inspectToken({
	token,
	jwks: url,
	name: "session_name",
	trace: ["Mozilla/5.0", "per-login-salt"],
});
console.log("signed by the active key:", good.signature?.key?.kid === header.kid, "ok:", good.ok);
const other = await inspectToken({
	token,
	name: "session_name",
	trace: ["curl/8.5.0", "per-login-salt"],
});
console.log(
	"other client: sid",
	other.binding?.sid.valid,
	"trace",
	other.binding?.trace.valid,
	"ok:",
	other.ok,
);

server.close();
