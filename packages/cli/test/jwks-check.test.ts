import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyRing } from "@xshl/keys/ring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkJwks } from "../src/jwks-check";
import { run } from "../src/run";
import { memoryIO } from "./helpers/io";
import { json, startServer, type TestServer } from "./helpers/server";

let ring: KeyRing;
let server: TestServer;
const url = (path: string) => `${server.origin}${path}`;

beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const good = ring.jwks();
	const { privateKey: ecPrivate } = generateKeyPairSync("ec", { namedCurve: "P-256" });
	const withPrivate = {
		...ecPrivate.export({ format: "jwk" }),
		kid: "has-d",
		alg: "ES256",
		use: "sig",
	};
	const { publicKey: small } = generateKeyPairSync("rsa", { modulusLength: 1024 });
	const smallRsa = {
		...small.export({ format: "jwk" }),
		kid: "rsa-1024",
		alg: "RS256",
		use: "sig",
	};
	server = await startServer({
		"/good.json": json(good, { "cache-control": "public, max-age=300", etag: '"v1"' }),
		"/ring.json": async (req, res) => {
			const r = await ring.jwksResponse({ headers: req.headers });
			res.writeHead(r.status, r.headers).end(r.body);
		},
		"/mixed.json": json({ keys: [...good.keys, withPrivate, smallRsa] }),
		"/hostile.json": json({ keys: [withPrivate, smallRsa] }),
		"/bad.json": json("{ not json"),
		"/huge.json": json({ keys: good.keys, pad: "x".repeat(200_000) }),
		"/short.json": json(good, { "cache-control": "max-age=5" }),
		"/long.json": json(good, { "cache-control": "max-age=999999" }),
		"/aged.json": json(good, { "cache-control": "max-age=300", age: "100" }),
		"/none.json": json(good),
		"/hang.json": () => {
			// accepts the request and never answers: only the key set's timeout ends it
		},
		"/redirect.json": (_req, res) => {
			res.writeHead(302, { location: "http://localhost:1/jwks.json" }).end();
		},
	});
});
afterAll(() => server.close());

describe("jwks check", () => {
	it("a good JWKS: keys kept, cache headers, the TTL from max-age, exit 0", async () => {
		const before = Date.now();
		const report = await checkJwks({ url: url("/good.json") });
		expect(report.ok).toBe(true);
		expect(report.kept).toEqual(
			ring.jwks().keys.map((k) => ({
				kid: k.kid,
				kty: "EC",
				alg: "ES256",
				use: "sig",
				crv: "P-256",
				bits: undefined,
			})),
		);
		expect(report.rejected).toEqual([]);
		expect(report.responses).toHaveLength(1);
		expect(report.responses[0]).toMatchObject({
			url: url("/good.json"),
			status: 200,
			headers: {
				"content-type": "application/json",
				"cache-control": "public, max-age=300",
				etag: '"v1"',
			},
		});
		expect(report.ttl?.freshMs).toBe(300_000);
		const expiresAt = Date.parse(report.ttl!.expiresAt);
		expect(expiresAt).toBeGreaterThanOrEqual(before + 300_000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
		expect(report.health).toEqual({ status: "ok", state: "fresh" });
		expect(report.durationMs).toBeGreaterThanOrEqual(0);
		expect(report.error).toBeUndefined();

		const m = memoryIO();
		expect(await run(["jwks", "check", url("/good.json")], m.io)).toBe(0);
		expect(m.out()).toContain(`GET ${url("/good.json")} → 200`);
		expect(m.out()).toContain("  cache-control  public, max-age=300");
		expect(m.out()).toContain("TTL: 300 s");
		expect(m.out()).toContain(`✓ ${ring.jwks().keys[0]!.kid}  EC P-256 ES256 sig`);
		expect(m.out()).toContain("Health: ok (fresh)");
	});

	it("a ring's own JWKS endpoint: max-age 600 gives a 600 s TTL", async () => {
		const report = await checkJwks({ url: url("/ring.json") });
		expect(report.ok).toBe(true);
		expect(report.ttl?.freshMs).toBe(600_000);
		expect(report.responses[0]?.headers["content-type"]).toBe("application/jwk-set+json");
	});

	it.each([
		["/short.json", 60_000, "max-age=5 is raised to the 60 s minimum"],
		["/long.json", 86_400_000, "max-age=999999 is cut to the 24 h maximum"],
		["/aged.json", 200_000, "Age: 100 is taken off max-age=300"],
		["/none.json", 600_000, "no cache headers: the 10 min default"],
	])("the TTL that would apply: %s → %d ms (%s)", async (path, freshMs) => {
		const report = await checkJwks({ url: url(path) });
		expect(report.ok).toBe(true);
		expect(report.ttl?.freshMs).toBe(freshMs);
	});

	it("hostile keys beside good ones: private members and a 1024-bit RSA key are rejected with the reason, exit 1", async () => {
		const report = await checkJwks({ url: url("/mixed.json") });
		expect(report.ok).toBe(false);
		expect(report.kept.map((k) => k.kid)).toEqual(ring.jwks().keys.map((k) => k.kid));
		expect(report.rejected.map((r) => [r.index, r.kid])).toEqual([
			[2, "has-d"],
			[3, "rsa-1024"],
		]);
		expect(report.rejected[0]!.reason).toMatch(/private/);
		expect(report.rejected[1]!.reason).toMatch(/1024 bits/);
		const m = memoryIO();
		expect(await run(["jwks", "check", url("/mixed.json"), "--json"], m.io)).toBe(1);
		expect(JSON.parse(m.out()).rejected).toHaveLength(2);
	});

	it("only hostile keys: nothing loads (ERR_KEYS_UNAVAILABLE caused by ERR_KEYS_JWKS_INVALID)", async () => {
		const report = await checkJwks({ url: url("/hostile.json") });
		expect(report.ok).toBe(false);
		expect(report.kept).toEqual([]);
		expect(report.rejected.map((r) => r.kid)).toEqual(["has-d", "rsa-1024"]);
		expect(report.error?.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(report.error?.cause?.code).toBe("ERR_KEYS_JWKS_INVALID");
		expect(report.health.status).toBe("unavailable");
	});

	it("bad JSON: ERR_KEYS_JWKS_INVALID, exit 1", async () => {
		const report = await checkJwks({ url: url("/bad.json") });
		expect(report.ok).toBe(false);
		expect(report.error?.cause?.code).toBe("ERR_KEYS_JWKS_INVALID");
		const m = memoryIO();
		expect(await run(["jwks", "check", url("/bad.json")], m.io)).toBe(1);
		expect(m.out()).toContain("✗ ERR_KEYS_UNAVAILABLE");
		expect(m.out()).toContain("Health: unavailable (empty)");
	});

	it("an oversized body: ERR_KEYS_RESPONSE_TOO_LARGE (the 128 KiB cap of RemoteKeySet)", async () => {
		const report = await checkJwks({ url: url("/huge.json") });
		expect(report.ok).toBe(false);
		expect(report.error?.cause?.code).toBe("ERR_KEYS_RESPONSE_TOO_LARGE");
		expect(report.kept).toEqual([]);
	});

	it("a redirect to another origin is refused, as RemoteKeySet refuses it", async () => {
		const report = await checkJwks({ url: url("/redirect.json") });
		expect(report.ok).toBe(false);
		expect(report.responses.map((r) => [r.status, r.headers.location])).toEqual([
			[302, "http://localhost:1/jwks.json"],
		]);
		expect(report.error?.cause?.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
	});

	it("a server that never answers: the 5 s timeout ends it (ERR_KEYS_FETCH_TIMEOUT); no retry fits the 10 s foreground budget", async () => {
		const report = await checkJwks({ url: url("/hang.json") });
		expect(report.ok).toBe(false);
		expect(report.responses).toEqual([]);
		expect(report.attempts.map((a) => a.code)).toEqual(["ERR_KEYS_FETCH_TIMEOUT"]);
		expect(report.error?.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(report.error?.cause?.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
	});

	it("https with a self-signed certificate: refused, not retried (ERR_KEYS_TLS)", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xshl-cli-tls-"));
		execFileSync(
			"openssl",
			[
				"req",
				"-x509",
				"-newkey",
				"ec",
				"-pkeyopt",
				"ec_paramgen_curve:P-256",
				"-nodes",
				"-keyout",
				join(dir, "key.pem"),
				"-out",
				join(dir, "cert.pem"),
				"-days",
				"1",
				"-subj",
				"/CN=127.0.0.1",
				"-addext",
				"subjectAltName=IP:127.0.0.1",
			],
			{ stdio: "ignore" },
		);
		const tls = createServer(
			{ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
			(_req, res) => {
				res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ring.jwks()));
			},
		);
		await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
		try {
			const { port } = tls.address() as AddressInfo;
			const report = await checkJwks({ url: `https://127.0.0.1:${port}/jwks.json` });
			expect(report.ok).toBe(false);
			expect(report.responses).toEqual([]);
			expect(report.attempts.map((a) => a.code)).toEqual(["ERR_KEYS_TLS"]);
			expect(report.error?.cause?.code).toBe("ERR_KEYS_TLS");
			expect(report.kept).toEqual([]);
		} finally {
			tls.closeAllConnections();
			tls.close();
		}
	});
});
