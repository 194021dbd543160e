// The cost of the HTTP layer: session-core's verifier on a token vs createAuthenticator's
// authenticate(request) (bearer, cookie, trace parts, one compiled verifier with the call's
// trace) and authenticateHead(nodeRequestHead(...)) (the same from a Node framework's parsed
// headers, no WHATWG Request), and authenticate on a Request built per call (what the Node
// adapters did before), on the same token. CPU µs per call (process.cpuUsage, steadier
// than wall time on a shared machine), median of 7 rotated rounds, per algorithm.
// Run after `pnpm build`: node bench/authenticate.mjs [ES256,EdDSA,RS256]
import { createAuthenticator, createSessionServer, nodeRequestHead } from "@xshl/http";
import { KeyRing } from "@xshl/keys/ring";
import { createSessionVerifier } from "@xshl/session-core";
import { MemoryStore } from "@xshl/session-store";
import { Trace } from "@xshl/trace";

const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const ALGS = (process.argv[2] ?? "ES256,EdDSA,RS256").split(",");
const ROUNDS = 7;
const CALLS = 2000;
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

console.log(
	"| alg | session-core verify (µs) | authenticate(Request) (µs) | authenticateHead (µs) | authenticate(new Request) (µs) | HTTP layer, Request | HTTP layer, head | HTTP layer, Request built per call |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const alg of ALGS) {
	const server = createSessionServer({
		ring: await KeyRing.generate({ signing: alg }),
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
	const salt = /__Host-xshl-fp=([^;]+)/.exec(cookie)?.[1] ?? "";
	const auth = createAuthenticator({ keys: server.keys, issuer: ISSUER, audience: "api" });
	const headers = { host: "api:8080", authorization: `Bearer ${token}`, cookie, "user-agent": UA };
	const request = new Request("https://api/x", { headers });
	const verifier = createSessionVerifier({
		keys: server.keys,
		trace: new Trace(salt, UA),
		audience: ["api"],
		issuer: ISSUER,
		requireAuthTime: true,
	});
	const info = { remoteAddress: "127.0.0.1" };
	/** @type {[string, () => Promise<unknown>][]} */
	const paths = [
		["core", () => verifier.verify(token)],
		["request", () => auth.authenticate(request, info)],
		["head", () => auth.authenticateHead(nodeRequestHead("/x", headers), info)],
		// what the adapters did before authenticateHead: a Request per call
		["built", () => auth.authenticate(new Request("http://xshl.invalid/x", { headers }), info)],
	];
	/** @type {Record<string, number[]>} */
	const cpu = { core: [], request: [], head: [], built: [] };
	for (let r = 0; r < ROUNDS; r++) {
		for (let i = 0; i < paths.length; i++) {
			const [name, fn] = /** @type {[string, () => Promise<unknown>]} */ (
				paths[(r + i) % paths.length]
			);
			for (let k = 0; k < 200; k++) await fn();
			const start = process.cpuUsage();
			for (let k = 0; k < CALLS; k++) await fn();
			const used = process.cpuUsage(start);
			cpu[name]?.push((used.user + used.system) / CALLS);
		}
	}
	const [core, req, head, built] = [cpu.core, cpu.request, cpu.head, cpu.built].map(median);
	const plus = (x) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(1)} µs`;
	console.log(
		`| ${alg} | ${core.toFixed(1)} | ${req.toFixed(1)} | ${head.toFixed(1)} | ${built.toFixed(1)} | ${plus(req - core)} | ${plus(head - core)} | ${plus(built - core)} |`,
	);
}
