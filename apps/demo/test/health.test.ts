/**
 * `/healthz` tells the truth (issue 18 §3) and key-set, key-ring and store events reach the
 * log with stable messages:
 * - resource mode against a local JWKS server that is stopped and restarted: fresh → stale
 *   (200, degraded) → unavailable (503, with the fetch error's code) → fresh again;
 * - issuer mode on Redis behind a TCP proxy that is shut: store down → 503, back up → 200.
 * The first line the demo prints on start is for people (URL and demo logins).
 * Under CI=true an unreachable Redis fails the Redis part instead of skipping it.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDeps } from "../src/wiring.js";
import { Client, ISSUER_ID, makeApp, type TestApp, UA } from "./helpers.js";
import { buildDist, cleanRedis, REDIS_URL, RING_KEK, redisReachable, startDemo } from "./procs.js";

type LogLine = { level: number; msg: string; [k: string]: unknown };
const parse = (logs: string[]): LogLine[] =>
	logs.flatMap((l) => l.split("\n").filter(Boolean)).map((l) => JSON.parse(l) as LogLine);
const byMsg = (logs: string[], msg: string): LogLine[] => parse(logs).filter((l) => l.msg === msg);

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error("condition not met in time");
		await new Promise((r) => setTimeout(r, 50));
	}
}

const FRESH_FEED = { state: "fresh", refusingAll: false };
const STALE_FEED = { state: "stale", refusingAll: false, lastError: "ERR_KEYS_NETWORK" };

/** Wait until the revocation feed client (real clock, 1 s polls) reports `state`. */
async function untilFeed(app: FastifyInstance, state: string): Promise<void> {
	await until(async () => {
		const status = (await app.inject("/api/feed-status")).json() as { health: { state: string } };
		return status.health.state === state;
	});
}
const healthy = async (app: FastifyInstance): Promise<boolean> =>
	((await app.inject("/healthz")).json() as { status: string }).status === "ok";
const HOSTILE = { kty: "oct", kid: "hostile-oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQ" };

describe("/healthz in resource mode, JWKS down and back", () => {
	let issuer: TestApp;
	let rs: FastifyInstance;
	let jwks: HttpServer;
	let port = 0;
	const logs: string[] = [];

	const listenJwks = (p: number): Promise<void> =>
		new Promise((done) => jwks.listen(p, "127.0.0.1", () => done()));

	beforeAll(async () => {
		issuer = await makeApp({ LOG_LEVEL: "silent" });
		// the issuer's origin: its revocation feed, and its keys plus a hostile symmetric key,
		// fresh for 300 s
		jwks = createHttpServer(async (req, res) => {
			if (req.url?.startsWith("/.well-known/xshl-revocations")) {
				const headers = new Headers();
				for (const [k, v] of Object.entries(req.headers))
					if (typeof v === "string") headers.set(k, v);
				const feed = await issuer.deps.revocationFeed!.handle(
					new Request(`http://127.0.0.1:${port}${req.url}`, { headers }),
				);
				const out: Record<string, string> = {};
				feed.headers.forEach((v, k) => {
					out[k] = v;
				});
				res.writeHead(feed.status, out);
				res.end(Buffer.from(await feed.arrayBuffer()));
				return;
			}
			const body = { keys: [...issuer.deps.issuer!.jwks().keys, HOSTILE] };
			res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
			res.end(JSON.stringify(body));
		});
		await listenJwks(0);
		port = (jwks.address() as { port: number }).port;
		const config = loadConfig({
			ISSUER: ISSUER_ID,
			ISSUER_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
			LOG_LEVEL: "info",
		});
		const logStream = new Writable({
			write(chunk, _enc, cb) {
				logs.push(String(chunk));
				cb();
			},
		});
		rs = await buildApp({
			...(await createDeps(config, { now: () => issuer.clock.now })),
			logStream,
		});
	});

	afterAll(async () => {
		await rs?.close();
		await issuer?.app.close();
		jwks?.close();
	});

	const me = async (): Promise<number> => {
		const c = new Client(issuer.app);
		expect((await c.login()).statusCode).toBe(200);
		const res = await rs.inject({
			url: "/api/me",
			headers: { authorization: `Bearer ${c.token}`, "user-agent": UA, cookie: c.cookieHeader() },
		});
		return res.statusCode;
	};

	it("fresh, stale, unavailable, fresh again; each key-set event logged once with its message", async () => {
		// the first probe loads the empty set (no request came in yet)
		const first = await rs.inject("/healthz");
		expect(first.statusCode).toBe(200);
		expect(first.json()).toEqual({
			status: "ok",
			mode: "resource",
			keys: { state: "fresh" },
			store: null,
			feed: FRESH_FEED,
		});
		expect(byMsg(logs, "keys: JWKS key rejected")).toEqual([
			expect.objectContaining({
				level: 40,
				keyEvent: {
					source: "keySet",
					type: "keyRejected",
					index: issuer.deps.issuer!.jwks().keys.length,
					kid: "hostile-oct",
					reason: "symmetric (oct) keys are never accepted",
				},
			}),
		]);
		expect(byMsg(logs, "keys: JWKS refreshed")).toEqual([
			expect.objectContaining({
				level: 30,
				keyEvent: expect.objectContaining({
					type: "refresh",
					status: 200,
					keys: issuer.deps.issuer!.jwks().keys.length,
				}),
			}),
		]);
		expect(await me()).toBe(200);

		// the JWKS goes away; past its freshness the set keeps serving (stale, 200, degraded)
		await new Promise<void>((done) => jwks.close(() => done()));
		issuer.clock.now += 301_000;
		expect(await me()).toBe(200);
		await until(() => byMsg(logs, "keys: JWKS refresh failed").length >= 1);
		const failed = byMsg(logs, "keys: JWKS refresh failed")[0]!;
		expect(failed.level).toBe(40);
		expect(failed.keyEvent).toMatchObject({
			source: "keySet",
			type: "refreshError",
			attempt: 1,
			error: { type: "KeysNetworkError", code: "ERR_KEYS_NETWORK" },
		});
		expect(byMsg(logs, "keys: serving a stale JWKS")).toEqual([
			expect.objectContaining({
				level: 40,
				keyEvent: { source: "keySet", type: "stale", ageMs: 1000, maxStaleMs: 43_200_000 },
			}),
		]);
		// wait for the background refresh to finish its retries
		await until(() =>
			byMsg(logs, "keys: JWKS refresh failed").some(
				(l) => (l.keyEvent as { final: boolean }).final,
			),
		);
		// the feed lives on the same origin: its client notices on its next poll
		await untilFeed(rs, "stale");
		const stale = await rs.inject("/healthz");
		expect(stale.statusCode).toBe(200);
		expect(stale.json()).toEqual({
			status: "degraded",
			mode: "resource",
			keys: { state: "stale", lastError: "ERR_KEYS_NETWORK" },
			store: null,
			feed: STALE_FEED,
		});

		// past maxStaleMs (12 h): verification answers 503 and so does the probe
		issuer.clock.now += 12 * 3600_000;
		const down = await rs.inject("/healthz");
		expect(down.statusCode).toBe(503);
		expect(down.json()).toEqual({
			status: "unavailable",
			mode: "resource",
			keys: { state: "unavailable", lastError: "ERR_KEYS_NETWORK" },
			store: null,
			feed: STALE_FEED,
		});
		expect(await me()).toBe(503);
		expect(byMsg(logs, "keys: JWKS expired, verification unavailable")).toEqual([
			expect.objectContaining({
				level: 50,
				keyEvent: expect.objectContaining({ source: "keySet", type: "expired" }),
			}),
		]);

		// the JWKS is back: the next probe loads it, no restart
		await listenJwks(port);
		issuer.clock.now += 600_000;
		await until(() => healthy(rs));
		expect((await rs.inject("/healthz")).json()).toEqual({
			status: "ok",
			mode: "resource",
			keys: { state: "fresh" },
			store: null,
			feed: FRESH_FEED,
		});
		expect(await me()).toBe(200);
	});
});

describe("/healthz in resource mode: a feed that cannot load", () => {
	const apps: FastifyInstance[] = [];
	afterEach(async () => {
		await Promise.all(apps.splice(0).map((a) => a.close()));
	});

	it.each([
		["fail-closed", 503, "unavailable", true],
		["fail-open", 200, "degraded", false],
	] as const)("%s: %i, status %s", async (policy, code, status, refusingAll) => {
		const issuer = await makeApp({ LOG_LEVEL: "silent" });
		apps.push(issuer.app);
		const url = await issuer.app.listen({ host: "127.0.0.1", port: 0 });
		// a port that was free a moment ago: nothing listens there
		const closed = createHttpServer();
		await new Promise<void>((done) => closed.listen(0, "127.0.0.1", () => done()));
		const deadPort = (closed.address() as { port: number }).port;
		await new Promise<void>((done) => closed.close(() => done()));
		const config = loadConfig({
			ISSUER: ISSUER_ID,
			ISSUER_JWKS_URL: `${url}/.well-known/jwks.json`,
			ISSUER_REVOCATIONS_URL: `http://127.0.0.1:${deadPort}/.well-known/xshl-revocations`,
			FEED_POLICY: policy,
			LOG_LEVEL: "silent",
		});
		const rs = await buildApp(await createDeps(config, { now: () => issuer.clock.now }));
		apps.push(rs);
		const res = await rs.inject("/healthz");
		expect(res.statusCode).toBe(code);
		expect(res.json()).toEqual({
			status,
			mode: "resource",
			keys: { state: "fresh" },
			store: null,
			feed: { state: "empty", refusingAll, lastError: "ERR_KEYS_NETWORK" },
		});
	});
});

describe("issuer mode: key-ring events are logged", () => {
	let t: TestApp;
	afterEach(async () => {
		await t?.app.close();
	});

	it("rotate and withdraw each log one line with the kids", async () => {
		t = await makeApp();
		const admin = new Client(t.app);
		await admin.login("admin");
		const before = t.deps.ring!().signingKey().kid;
		const rotated = await admin.api("POST", "/admin/keys/rotate");
		expect(rotated.statusCode).toBe(200);
		const { kid } = rotated.json() as { kid: string };
		const [rotate] = byMsg(t.logs, "keys: ring rotated");
		expect(rotate).toMatchObject({ level: 30, keyEvent: { source: "ring", type: "rotate" } });
		const rotations = (rotate!.keyEvent as { rotations: { use: string }[] }).rotations;
		expect(rotations.find((r) => r.use === "sig")).toMatchObject({
			use: "sig",
			activeKid: kid,
			retiredKid: before,
		});
		await t.deps.ring!().withdraw(before);
		expect(byMsg(t.logs, "keys: key withdrawn")).toEqual([
			expect.objectContaining({
				level: 40,
				keyEvent: {
					source: "ring",
					type: "withdraw",
					kid: before,
					use: "sig",
					state: "retired",
					activeKid: kid,
				},
			}),
		]);
		// the health stays fresh: the ring still has an active signing key
		expect((await t.app.inject("/healthz")).json()).toMatchObject({
			status: "ok",
			keys: { state: "fresh" },
		});
	});
});

const reachable = await redisReachable();
const required = process.env.CI === "true";

describe.runIf(reachable || required)("/healthz in issuer mode, Redis down and back", () => {
	const prefix = `xshl-test-${randomBytes(6).toString("hex")}`;
	let proxy: Server;
	let port = 0;
	const sockets = new Set<Socket>();
	let t: TestApp;
	const target = new URL(REDIS_URL);

	const openProxy = (p: number): Promise<void> => {
		proxy = createServer((client) => {
			const upstream = createConnection({
				host: target.hostname,
				port: Number(target.port || 6379),
			});
			sockets.add(client).add(upstream);
			client.pipe(upstream).pipe(client);
			const end = () => {
				client.destroy();
				upstream.destroy();
			};
			client.on("error", end).on("close", end);
			upstream.on("error", end).on("close", end);
		});
		return new Promise<void>((done) => proxy.listen(p, "127.0.0.1", done));
	};
	const shutProxy = async (): Promise<void> => {
		await new Promise<void>((done) => {
			proxy.close(() => done());
			for (const s of sockets) s.destroy();
			sockets.clear();
		});
	};

	beforeAll(async () => {
		if (!reachable)
			throw new Error(`Redis at ${REDIS_URL} is unreachable (required under CI=true)`);
		await openProxy(0);
		port = (proxy.address() as { port: number }).port;
		t = await makeApp({
			REDIS_URL: `redis://127.0.0.1:${port}/9`,
			RING_KEK,
			REDIS_PREFIX: prefix,
			REDIS_TIMEOUT_MS: "250",
		});
	});

	afterAll(async () => {
		await t?.app.close();
		if (proxy?.listening) await shutProxy();
		if (reachable) await cleanRedis(prefix);
	});

	it("store down gives 503 with store: down, logs the store error, and recovers", async () => {
		const up = await t.app.inject("/healthz");
		expect(up.statusCode).toBe(200);
		expect(up.json()).toEqual({
			status: "ok",
			mode: "issuer",
			keys: { state: "fresh" },
			store: { kind: "redis", state: "up" },
			feed: FRESH_FEED,
		});

		await shutProxy();
		// the feed's log lives in the same Redis: wait for its client to notice
		await untilFeed(t.app, "stale");
		const down = await t.app.inject("/healthz");
		expect(down.statusCode).toBe(503);
		expect(down.json()).toEqual({
			status: "unavailable",
			mode: "issuer",
			keys: { state: "fresh" },
			store: { kind: "redis", state: "down" },
			// the issuer's own feed client asks the publisher in process: it answers 503
			feed: { state: "stale", refusingAll: false, lastError: "ERR_KEYS_HTTP_STATUS" },
		});
		// a store call fails: the store's error event is logged (warn, stable message)
		const c = new Client(t.app);
		expect((await c.login()).statusCode).toBe(503);
		await until(() => byMsg(t.logs, "store: error").length > 0);
		expect(byMsg(t.logs, "store: error")[0]).toMatchObject({
			level: 40,
			storeEvent: { type: "error" },
		});

		await openProxy(port);
		await until(() => healthy(t.app), 15_000);
		expect((await t.app.inject("/healthz")).json()).toEqual({
			status: "ok",
			mode: "issuer",
			keys: { state: "fresh" },
			store: { kind: "redis", state: "up" },
			feed: FRESH_FEED,
		});
	}, 30_000);
});

describe("the first line on start", () => {
	it("is for people: the URL and the demo logins, no password hash; then the address line", async () => {
		buildDist();
		const demo = await startDemo({ LOG_LEVEL: "info" });
		try {
			const [first, second] = demo.output().split("\n");
			expect(first).toBe(
				`xshl demo at ${demo.url} (open it in a browser). Demo logins: alice / alice-demo-pass, bob / bob-demo-pass, admin / admin-demo-pass (admin). Health: ${demo.url}/healthz`,
			);
			expect(JSON.parse(second!)).toMatchObject({
				level: 30,
				msg: "xshl demo listening",
				address: demo.url,
				mode: "issuer",
			});
			expect(demo.output()).not.toMatch(/16384\$8\$1\$/);
		} finally {
			await demo.stop();
		}
	}, 60_000);
});
