// Where the verify time goes: CPU microseconds per call (process.cpuUsage, so load from other
// processes inflates it less than wall time), adding one step of @xshl/session-core's verify
// at a time on top of raw jose. Run after `pnpm build`: `node bench/breakdown.mjs [ES256|EdDSA|RS256]`.
import {
	createSessionVerifier,
	Session,
	SessionConfig,
	sessionClaimsSchema,
} from "@xshl/session-core";
import { sessionId, Trace } from "@xshl/trace";
import { generateKeyPair, jwtVerify } from "jose";

const alg = /** @type {"ES256" | "EdDSA" | "RS256"} */ (process.argv[2] ?? "ES256");
const { privateKey, publicKey } = await generateKeyPair(alg);
/** @type {import("@xshl/session-core").SessionKeySet} */
const keys = {
	name: "session_name",
	resolver: async () => publicKey,
	algorithms: () => [alg],
	getKey: async () => publicKey,
};
const config = await SessionConfig.create({
	keys,
	audience: ["service-api"],
	header: { alg, kid: "k1" },
	key: privateKey,
});
const trace = new Trace(
	"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
	"salt",
);
const session = new Session(config, trace);
session.aud = "service-api";
session.sub = "user-123";
session.scope = ["read", "write"];
session.payloads = { plan: "pro" };
const token = await session.jwt();
const verifier = createSessionVerifier(session.options);
const sid = sessionId(keys.name, trace);
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const jose = {
	algorithms: [alg],
	typ: "xshl-session+jwt",
	audience: ["service-api"],
	maxTokenAge: 120,
	clockTolerance: 5,
	requiredClaims: ["iss", "aud", "exp", "nbf", "iat", "jti", "sid", "version", "trace"],
};
/** @type {Record<string, () => Promise<unknown>>} */
const steps = {
	"raw jose, static key": () => jwtVerify(token, publicKey, jose),
	"+ key-set resolver": () => jwtVerify(token, keys.resolver, jose),
	"+ format gate, clock": () => {
		COMPACT.test(token);
		return jwtVerify(token, keys.resolver, { ...jose, currentDate: new Date() });
	},
	"+ zod claims parse": async () => {
		COMPACT.test(token);
		const r = await jwtVerify(token, keys.resolver, { ...jose, currentDate: new Date() });
		return sessionClaimsSchema.safeParse(r.payload);
	},
	"+ version, sid, trace check": async () => {
		COMPACT.test(token);
		const r = await jwtVerify(token, keys.resolver, { ...jose, currentDate: new Date() });
		if (r.payload.version !== 1 || r.payload.sid !== sid) throw new Error("mismatch");
		const c = sessionClaimsSchema.parse(r.payload);
		return trace.validate(c, c.trace);
	},
	"@xshl/session-core verify": () => verifier.verify(token),
};
/** @param {() => Promise<unknown>} fn @param {number} n */
async function cpu(fn, n) {
	const start = process.cpuUsage();
	for (let i = 0; i < n; i++) await fn();
	const d = process.cpuUsage(start);
	return (d.user + d.system) / n;
}
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
for (const fn of Object.values(steps)) await cpu(fn, 300);
/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(
	Object.keys(steps).map((k) => [k, /** @type {number[]} */ ([])]),
);
const entries = Object.entries(steps);
for (let r = 0; r < 12; r++) {
	// rotate the order each round: GC debt of one step must not always land on the next one
	for (let i = 0; i < entries.length; i++) {
		const [name, fn] = /** @type {[string, () => Promise<unknown>]} */ (
			entries[(r + i) % entries.length]
		);
		samples[name]?.push(await cpu(fn, 300));
	}
}
console.log(`${alg} verify, CPU µs per call (median of 12 rotated rounds)`);
for (const [name, xs] of Object.entries(samples))
	console.log(`  ${name.padEnd(30)} ${median(xs).toFixed(0)}`);
