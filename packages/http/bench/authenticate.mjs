// One run: createAuthenticator().authenticate(request) against session-core's verifier on the
// same token (the cost of the HTTP layer: header parsing, cookie lookup, trace parts, LRU).
// Run after `pnpm build`: node bench/authenticate.mjs
import { createAuthenticator, createSessionServer } from "@xshl/http";
import { KeyRing } from "@xshl/keys/ring";
import { createSessionVerifier, Trace } from "@xshl/session-core";
import { MemoryStore } from "@xshl/session-store";

const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
const UA = "Mozilla/5.0 bench";
const server = createSessionServer({
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: ISSUER,
	audience: "api",
	rateLimit: false,
	authenticate: async () => ({ sub: "u1" }),
});
const login = await server.login(
	new Request("https://x/auth/login", {
		method: "POST",
		headers: { "x-xshl-request": "1", "content-type": "application/json", "user-agent": UA },
		body: JSON.stringify({ username: "u", password: "p" }),
	}),
);
const token = (await login.json()).access_token;
const cookie = login.headers
	.getSetCookie()
	.map((c) => c.split(";")[0])
	.join("; ");
const salt = /__Host-xshl-fp=([^;]+)/.exec(cookie)[1];
const { authenticate } = createAuthenticator({
	keys: server.keys,
	issuer: ISSUER,
	audience: "api",
});
const request = new Request("https://api/x", {
	headers: { authorization: `Bearer ${token}`, cookie, "user-agent": UA },
});
const verifier = createSessionVerifier({
	keys: server.keys,
	trace: new Trace(salt, UA),
	audience: ["api"],
	issuer: ISSUER,
	requireAuthTime: true,
});

async function measure(name, fn, n = 5000) {
	for (let i = 0; i < 500; i++) await fn();
	const t = performance.now();
	for (let i = 0; i < n; i++) await fn();
	const ops = n / ((performance.now() - t) / 1000);
	console.log(`${name}: ${Math.round(ops)} ops/s`);
	return ops;
}
const core = await measure("session-core verifier.verify(token)", () => verifier.verify(token));
const http = await measure("@xshl/http authenticate(request)", () => authenticate(request));
console.log(`ratio http/core: ${(http / core).toFixed(2)}`);
