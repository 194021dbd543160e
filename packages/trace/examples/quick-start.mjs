// Quick start for @xshl/trace: run with `node examples/quick-start.mjs` after `pnpm build`.
import { randomUUID } from "node:crypto";
import { sessionId, Trace } from "@xshl/trace";

// The issuer binds the token to the client it was issued to...
const trace = new Trace("Mozilla/5.0 (X11; Linux x86_64)", "per-login-salt");
const jti = randomUUID();
const claims = { jti, trace: trace.get(jti), sid: sessionId("session_name", trace) };

// ...and a verifier that rebuilds the trace from the same client checks it.
const same = new Trace("Mozilla/5.0 (X11; Linux x86_64)", "per-login-salt");
const stolen = new Trace("curl/8.5.0", "per-login-salt");
console.log("same client:", same.validate(claims, claims.trace));
console.log("other client:", stolen.validate(claims, claims.trace));
console.log("sid:", claims.sid);
