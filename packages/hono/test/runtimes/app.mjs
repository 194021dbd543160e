// @ts-nocheck: bundled by esbuild for each runtime (test/runtimes.test.ts), as a user deploys it.
// The resource server: @xshl/hono's built dist, a RemoteKeySet built once per isolate from env.
import { RemoteKeySet } from "@xshl/keys";
import { Hono } from "hono";
import { xshl } from "../../dist/index.js";

const auth = xshl((env) => ({
	keys: new RemoteKeySet({ name: "xshl", url: env.JWKS_URL, allowInsecureHttp: true }),
	issuer: env.ISSUER,
	audience: "api",
}));

export const app = new Hono().get("/orders", auth, (c) => c.json({ sub: c.var.session.sub }));
