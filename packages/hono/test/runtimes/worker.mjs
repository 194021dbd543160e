// @ts-nocheck: the workerd entry (bindings JWKS_URL and ISSUER from config.capnp).
import { app } from "./app.mjs";

export default { fetch: (request, env, ctx) => app.fetch(request, env, ctx) };
