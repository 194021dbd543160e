// @ts-nocheck: the workerd entry (bindings ISSUER_URL, ISSUER and AUDIENCE from config.capnp).
import { app } from "./app.mjs";

export default { fetch: (request, env, ctx) => app.fetch(request, env, ctx) };
