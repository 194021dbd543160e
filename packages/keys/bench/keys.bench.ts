// Benchmarks against jose's createRemoteJWKSet and jwks-rsa on the same local JWKS server
// (node:http on 127.0.0.1, port 0). Run: `pnpm bench`. Lookups per second for a cached kid,
// then (printed once) the upstream fetch count under unknown-kid floods.
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import jwksRsa from "jwks-rsa";
import { afterAll, bench, describe } from "vitest";
import { RemoteKeySet } from "../src/index";
import { json, startJwksServer, type TestServer } from "../test/helpers/server";

const pairs = await Promise.all(Array.from({ length: 5 }, () => generateKeyPair("ES256")));
const jwks = await Promise.all(
	pairs.map(async (p, i) => ({
		...(await exportJWK(p.publicKey)),
		kid: `k${i}`,
		alg: "ES256",
		use: "sig",
	})),
);
const servers: TestServer[] = [];
async function fresh(): Promise<TestServer> {
	const s = await startJwksServer(jwks);
	servers.push(s);
	return s;
}
afterAll(async () => {
	for (const s of servers) await s.close();
});

// --- cached lookups ---------------------------------------------------------------------
const s1 = await fresh();
const ours = new RemoteKeySet({ name: "bench", url: s1.url() });
await ours.load();
const joseSet = createRemoteJWKSet(new URL(s1.url()));
const rsa = jwksRsa({ jwksUri: s1.url(), cache: true });
const header = { alg: "ES256", kid: "k3" };
await joseSet(header);
await rsa.getSigningKey("k3");
const token = await new SignJWT({ sub: "u1" })
	.setProtectedHeader(header)
	.sign(pairs[3]!.privateKey);

describe("cached key lookup (kid k3 of 5)", () => {
	bench("@xshl/keys get(kid) (sync)", () => {
		ours.get("k3");
	});
	bench("@xshl/keys resolver(header)", async () => {
		await ours.resolver(header);
	});
	bench("jose createRemoteJWKSet(header)", async () => {
		await joseSet(header);
	});
	bench("jwks-rsa getSigningKey(kid)", async () => {
		await rsa.getSigningKey("k3");
	});
});

describe("jwtVerify with the key set as key argument (ES256)", () => {
	bench("@xshl/keys resolver", async () => {
		await jwtVerify(token, ours.resolver, { algorithms: ["ES256"] });
	});
	bench("jose createRemoteJWKSet", async () => {
		await jwtVerify(token, joseSet, { algorithms: ["ES256"] });
	});
});

// --- unknown-kid floods: upstream fetch counts (printed once) --------------------------
async function settle(n: number, f: () => Promise<unknown>): Promise<void> {
	await Promise.allSettled(Array.from({ length: n }, f));
}
const kid = () => crypto.randomUUID();
const rows: string[] = [];

// A: cold cache, 1 000 concurrent unknown kids
{
	const [a, b, c] = [await fresh(), await fresh(), await fresh()];
	const o = new RemoteKeySet({ name: "b", url: a.url() });
	const j = createRemoteJWKSet(new URL(b.url()));
	const r = jwksRsa({ jwksUri: c.url(), cache: true });
	await settle(1_000, () => o.getKey({ kid: kid(), alg: "ES256" }));
	await settle(1_000, () => j({ kid: kid(), alg: "ES256" }));
	await settle(1_000, () => r.getSigningKey(kid()));
	rows.push(
		`| cold, 1 000 concurrent unknown kids | ${a.requests} | ${b.requests} | ${c.requests} |`,
	);
}
// B: warm, cooldown over, 5 sequential waves of 200 unknown kids, endpoint healthy
// C: the same while the endpoint answers 500 (a failed refetch must still start the cooldown)
for (const failing of [false, true]) {
	const [a, b, c] = [await fresh(), await fresh(), await fresh()];
	const o = new RemoteKeySet({ name: "b", url: a.url(), cooldownMs: 1_000, retries: 0 });
	const j = createRemoteJWKSet(new URL(b.url()), { cooldownDuration: 1_000 });
	const r = jwksRsa({ jwksUri: c.url(), cache: true });
	await o.load();
	await j({ kid: "k0", alg: "ES256" });
	await r.getSigningKey("k0");
	await new Promise((res) => setTimeout(res, 1_100));
	for (const s of [a, b, c]) {
		s.requests = 0;
		if (failing) s.handler = json({ error: "boom" }, {}, 500);
	}
	// each library's waves run back to back, well inside one cooldown window
	for (let w = 0; w < 5; w++) await settle(200, () => o.getKey({ kid: kid(), alg: "ES256" }));
	for (let w = 0; w < 5; w++) await settle(200, () => j({ kid: kid(), alg: "ES256" }));
	for (let w = 0; w < 5; w++) await settle(200, () => r.getSigningKey(kid()));
	rows.push(
		`| warm, endpoint ${failing ? "answering 500" : "healthy"}, 5 waves x 200 unknown kids | ${a.requests} | ${b.requests} | ${c.requests} |`,
	);
}
// D: jwks-rsa with its rate limiter (10/min): callers queue behind the limiter instead of failing fast
{
	const c = await fresh();
	const r = jwksRsa({ jwksUri: c.url(), cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
	let settled = 0;
	for (let i = 0; i < 100; i++)
		r.getSigningKey(kid()).then(
			() => settled++,
			() => settled++,
		);
	await new Promise((res) => setTimeout(res, 1_000));
	rows.push(
		`| jwks-rsa rateLimit 10/min, 100 unknown kids, after 1 s | - | - | ${c.requests} requests, ${100 - settled} callers still waiting |`,
	);
}
console.log(
	[
		"",
		"Upstream JWKS requests under unknown-kid floods",
		"| Scenario | @xshl/keys | jose createRemoteJWKSet | jwks-rsa (cache) |",
		"|---|---|---|---|",
		...rows,
		"",
	].join("\n"),
);
