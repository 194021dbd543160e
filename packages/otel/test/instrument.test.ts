// Issue 18 §2: instrument() with the real OpenTelemetry SDK in memory, on real parts: a
// verifier over a RemoteKeySet fetching a KeyRing's JWKS from a local HTTP server, the ring
// itself, a MemoryStore, a RedisStore (own key prefix) and a RevocationFeedClient.
import { createServer } from "node:net";
import type { Attributes } from "@opentelemetry/api";
import type { Histogram } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { RemoteKeySet } from "@xshl/keys";
import { FEED_TYPE, RevocationFeedClient } from "@xshl/keys/revocations";
import { createSessionVerifier, Trace } from "@xshl/session-core";
import { MemoryStore } from "@xshl/session-store";
import { RedisStore } from "@xshl/session-store/redis";
import { Redis } from "ioredis";
import { CompactSign } from "jose";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument, OtelConfigError } from "../src/index";
import { type JwksServer, jwksServer } from "./helpers/jwks";
import { counts, ms, type Sdk, sdk } from "./helpers/otel";
import { connect, deletePrefix, randomPrefix, shouldSkipRedis } from "./helpers/redis";
import { issue, NAME, SALT, UA } from "./helpers/tokens";

const DB = 7;
const PEPPER = "otel-test-pepper-0123456789abcdef";
const skip = await shouldSkipRedis();
const clients: Redis[] = [];
const prefixes: string[] = [];
let otel: Sdk;
const closers: Array<() => unknown> = [];

beforeEach(() => {
	otel = sdk();
});
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
	await otel.shutdown();
});
afterAll(async () => {
	const admin = clients[0];
	if (admin !== undefined && !skip) for (const p of prefixes) await deletePrefix(admin, p);
	for (const c of clients) c.disconnect();
});

const providers = (): {
	tracerProvider: Sdk["tracerProvider"];
	meterProvider: Sdk["meterProvider"];
} => ({
	tracerProvider: otel.tracerProvider,
	meterProvider: otel.meterProvider,
});

function named(prefix: string): ReadableSpan[] {
	return otel.spans().filter((s) => s.name.startsWith(prefix));
}

function histogram(value: unknown): Histogram {
	return value as Histogram;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** A ring's JWKS on a local server and a RemoteKeySet loaded from it (both closed after the test). */
async function loadedKeys(): Promise<{ jwks: JwksServer; keys: RemoteKeySet }> {
	const jwks = await jwksServer();
	closers.push(() => jwks.close());
	const keys = new RemoteKeySet({ name: NAME, url: jwks.url });
	closers.push(() => keys.close());
	await keys.load();
	return { jwks, keys };
}

describe("verifier → xshl.verify spans, xshl.verify.duration (s), xshl.verify.outcomes", () => {
	it("one span and one point per call, times from the event, outcome, code, engine and cache hit", async () => {
		const { jwks, keys } = await loadedKeys();
		const verifier = createSessionVerifier({
			keys,
			audience: ["service-api"],
			cache: { maxEntries: 10 },
		});
		const events: Array<{
			outcome: string;
			code: string | undefined;
			cacheHit: boolean;
			engine: string;
			durationMs: number;
			startedAt: number;
		}> = [];
		verifier.on("verify", (e) => events.push(e));
		const detach = instrument({ verifier }, providers());
		const token = await issue(jwks.ring);
		const trace = new Trace(UA, SALT);
		await verifier.verify(token, { trace });
		await verifier.verify(token, { trace });
		await expect(
			verifier.verify(token, { trace: new Trace("curl/8.5.0", SALT) }),
		).rejects.toMatchObject({ code: "ERR_SESSION_SID_MISMATCH" });
		await expect(verifier.verify("not-a-token", { trace })).rejects.toMatchObject({
			code: "ERR_SESSION_TOKEN_MALFORMED",
		});
		detach();
		await verifier.verify(token, { trace }); // detached: no span, no point
		const engine = verifier.engine;
		expect(events.map((e) => [e.outcome, e.code, e.cacheHit])).toEqual([
			["ok", undefined, false],
			["ok", undefined, true],
			["error", "ERR_SESSION_SID_MISMATCH", true],
			["error", "ERR_SESSION_TOKEN_MALFORMED", false],
			["ok", undefined, true],
		]);

		const spans = named("xshl.verify");
		expect(spans.map((s) => [s.name, s.attributes, s.status.code, s.status.message])).toEqual([
			["xshl.verify", { "xshl.engine": engine, "xshl.cache_hit": false }, 0, undefined],
			["xshl.verify", { "xshl.engine": engine, "xshl.cache_hit": true }, 0, undefined],
			[
				"xshl.verify",
				{ "xshl.engine": engine, "xshl.cache_hit": true, "error.type": "ERR_SESSION_SID_MISMATCH" },
				2,
				"ERR_SESSION_SID_MISMATCH",
			],
			[
				"xshl.verify",
				{
					"xshl.engine": engine,
					"xshl.cache_hit": false,
					"error.type": "ERR_SESSION_TOKEN_MALFORMED",
				},
				2,
				"ERR_SESSION_TOKEN_MALFORMED",
			],
		]);
		spans.forEach((s, i) => {
			const e = events[i] as (typeof events)[number];
			expect(ms(s.startTime)).toBeCloseTo(e.startedAt, 3);
			expect(ms(s.endTime)).toBeCloseTo(e.startedAt + e.durationMs, 3);
		});

		const outcomes = await otel.points("xshl.verify.outcomes");
		expect(outcomes.unit).toBe("{verification}");
		const ok = { "xshl.verify.outcome": "ok", "xshl.engine": engine };
		const error = { "xshl.verify.outcome": "error", "xshl.engine": engine };
		expect(counts(outcomes.points)).toEqual(
			counts([
				{ attributes: { ...ok, "xshl.cache_hit": false }, value: 1 },
				{ attributes: { ...ok, "xshl.cache_hit": true }, value: 1 },
				{
					attributes: {
						...error,
						"xshl.cache_hit": true,
						"error.type": "ERR_SESSION_SID_MISMATCH",
					},
					value: 1,
				},
				{
					attributes: {
						...error,
						"xshl.cache_hit": false,
						"error.type": "ERR_SESSION_TOKEN_MALFORMED",
					},
					value: 1,
				},
			] as never),
		);
		const duration = await otel.points("xshl.verify.duration");
		expect(duration.unit).toBe("s");
		expect(duration.points.map((p) => histogram(p.value).count)).toEqual([1, 1, 1, 1]);
		const sum = duration.points.reduce((a, p) => a + (histogram(p.value).sum ?? 0), 0);
		const expected = events.slice(0, 4).reduce((a, e) => a + e.durationMs / 1000, 0);
		expect(sum).toBeCloseTo(expected, 9);
		// seconds, with boundaries from 50 µs: a verify lands in a real bucket, not the first
		expect(histogram(duration.points[0]?.value).buckets.boundaries[0]).toBe(0.00005);
	});
});

describe("RemoteKeySet → xshl.keys.fetch spans and key-set metrics", () => {
	it("200 and 304 fetches, a failed refresh, stale serving, expiry and an unknown kid", async () => {
		const jwks = await jwksServer();
		closers.push(() => jwks.close());
		let clock = Date.now();
		const keys = new RemoteKeySet({
			name: NAME,
			url: jwks.url,
			retries: 0,
			minTtlMs: 1000,
			maxTtlMs: 60_000,
			maxStaleMs: 60_000,
			cooldownMs: 1000,
			errorBackoffMs: 1,
			errorBackoffMaxMs: 1,
			now: () => clock,
		});
		closers.push(() => keys.close());
		const refreshes: number[] = [];
		const started: number[] = [];
		keys.on("refresh", (e) => {
			refreshes.push(e.durationMs);
			started.push(e.startedAt);
		});
		let finals = 0;
		const failedMs: number[] = [];
		const failedStarts: number[] = [];
		keys.on("refreshError", (e) => {
			if (e.final) {
				finals++;
				failedMs.push(e.durationMs);
				failedStarts.push(e.startedAt);
			}
		});
		const detach = instrument({ keySet: keys }, providers());
		closers.push(detach);
		await keys.load(); // 200
		await keys.load(); // 304 (ETag)
		const kid = jwks.ring.signingKey().kid;
		await expect(keys.getKey({ kid: "unknown-kid" })).rejects.toMatchObject({
			code: "ERR_KEYS_NO_MATCHING_KEY",
		});
		jwks.fail(true);
		clock += 61_000; // past freshness (≤ 60 s): stale, the background refresh fails
		const failed = new Promise<void>((resolve) => {
			const off = keys.on("refreshError", (e) => {
				if (e.final) {
					off();
					resolve();
				}
			});
		});
		await keys.getKey({ kid });
		await failed;
		clock += 61_000; // past maxStaleMs: the set expires, lookups fail
		await expect(keys.getKey({ kid })).rejects.toMatchObject({ code: "ERR_KEYS_UNAVAILABLE" });
		// the expired lookup joins the failing refresh or makes one more, by microtask order
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(finals).toBeGreaterThanOrEqual(1);
		const failure = [
			{ "xshl.keys.attempts": 1, "error.type": "ERR_KEYS_HTTP_STATUS" },
			2,
			"ERR_KEYS_HTTP_STATUS",
		];

		const spans = named("xshl.keys.fetch");
		const fetches = spans.map((s) => [s.attributes, s.status.code, s.status.message]);
		expect(fetches).toEqual([
			[
				{ "http.response.status_code": 200, "xshl.keys.not_modified": false, "xshl.keys.count": 4 },
				0,
				undefined,
			],
			[
				{ "http.response.status_code": 304, "xshl.keys.not_modified": true, "xshl.keys.count": 4 },
				0,
				undefined,
			],
			...Array.from({ length: finals }, () => failure),
		]);
		const first = spans[0] as ReadableSpan;
		// the span runs from the refresh's own start for its duration
		expect(ms(first.startTime)).toBeCloseTo(started[0] as number, 3);
		expect(ms(first.endTime) - ms(first.startTime)).toBeCloseTo(refreshes[0] as number, 3);
		// a failed refresh spans its attempts: the key set's startedAt and durationMs
		const lastFailed = spans[2] as ReadableSpan;
		expect(ms(lastFailed.startTime)).toBeCloseTo(failedStarts[0] as number, 3);
		expect(ms(lastFailed.endTime) - ms(lastFailed.startTime)).toBeCloseTo(failedMs[0] as number, 3);

		const duration = await otel.points("xshl.keys.fetch.duration");
		expect(duration.unit).toBe("s");
		expect(duration.points.map((p) => [p.attributes, histogram(p.value).count])).toEqual([
			[{ "http.response.status_code": 200 }, 1],
			[{ "http.response.status_code": 304 }, 1],
			[{ "error.type": "ERR_KEYS_HTTP_STATUS" }, finals],
		]);
		const sum = duration.points.reduce((a, p) => a + (histogram(p.value).sum ?? 0), 0);
		const failedSum = failedMs.reduce((a, b) => a + b, 0);
		expect(sum).toBeCloseTo(
			((refreshes[0] as number) + (refreshes[1] as number) + failedSum) / 1000,
			9,
		);
		expect(counts((await otel.points("xshl.keys.fetch.errors")).points)).toEqual([
			[{ "error.type": "ERR_KEYS_HTTP_STATUS", "xshl.keys.final": true }, finals],
		]);
		expect(counts((await otel.points("xshl.keys.stale")).points)).toEqual([[{}, 1]]);
		expect(counts((await otel.points("xshl.keys.expired")).points)).toEqual([[{}, 1]]);
		expect(counts((await otel.points("xshl.keys.unknown_kid")).points)).toEqual([
			// within the cooldown of the load just made: no fetch
			[{ "xshl.keys.fetched": false }, 1],
		]);
	});
});

describe("KeyRing → xshl.ring.rotate spans and ring metrics", () => {
	it("a rotation is a span with the uses and new active kids; withdrawals count by use and state", async () => {
		const jwks = await jwksServer();
		closers.push(() => jwks.close());
		const ring = jwks.ring;
		const detach = instrument({ ring }, providers());
		closers.push(detach);
		const before = Date.now();
		await ring.rotate();
		const active = ring.signingKey().kid;
		const [span] = named("xshl.ring.rotate");
		// the ring signs and encrypts: one rotation per use, the signing key first
		expect(span?.attributes).toEqual({
			"xshl.ring.uses": ["sig", "enc"],
			"xshl.ring.active_kids": [active, expect.any(String)],
			"xshl.ring.switch_at": expect.any(Number),
		});
		expect(span?.attributes["xshl.ring.switch_at"]).toBeGreaterThanOrEqual(before);
		expect(ms(span?.startTime ?? [0, 0])).toBeGreaterThanOrEqual(before);
		await ring.withdraw(active);
		expect(counts((await otel.points("xshl.ring.rotations")).points)).toEqual([
			[{ "xshl.key.use": "enc" }, 1],
			[{ "xshl.key.use": "sig" }, 1],
		]);
		expect(counts((await otel.points("xshl.ring.withdrawals")).points)).toEqual([
			[{ "xshl.key.use": "sig", "xshl.key.state": "active" }, 1],
		]);
	});
});

type StoreUnderTest = MemoryStore | RedisStore;

/** login, rotate, grace replay, reuse from another trace; returns the refresh token used. */
async function storeScenario(store: StoreUnderTest): Promise<void> {
	const login = await store.login({ sub: "user-123", trace: "T" });
	await store.rotate(login.refreshToken, { trace: "T" });
	await store.rotate(login.refreshToken, { trace: "T" });
	await expect(store.rotate(login.refreshToken, { trace: "other" })).rejects.toMatchObject({
		code: "ERR_STORE_REFRESH_REUSED",
	});
}

async function expectStoreTelemetry(
	calls: Array<{ op: string; durationMs: number; startedAt: number }>,
): Promise<void> {
	const spans = named("xshl.store.");
	expect(spans.map((s) => [s.name, s.attributes, s.status.code])).toEqual([
		["xshl.store.login", { "xshl.store.operation": "login" }, 0],
		["xshl.store.rotate", { "xshl.store.operation": "rotate" }, 0],
		["xshl.store.rotate", { "xshl.store.operation": "rotate" }, 0],
		["xshl.store.rotate", { "xshl.store.operation": "rotate" }, 0],
	]);
	spans.forEach((s, i) => {
		const c = calls[i] as (typeof calls)[number];
		expect(ms(s.startTime)).toBeCloseTo(c.startedAt, 3);
		expect(ms(s.endTime)).toBeCloseTo(c.startedAt + c.durationMs, 3);
	});
	const duration = await otel.points("xshl.store.call.duration");
	expect(duration.unit).toBe("s");
	expect(
		duration.points
			.map((p) => [
				p.attributes["xshl.store.operation"],
				p.attributes["xshl.store.outcome"],
				histogram(p.value).count,
			])
			.sort(),
	).toEqual([
		["login", "ok", 1],
		["rotate", "ok", 3],
	]);
	expect(counts((await otel.points("xshl.refresh.outcomes")).points)).toEqual([
		[{ "xshl.refresh.outcome": "grace_replay" }, 1],
		[{ "xshl.refresh.outcome": "reuse", "xshl.refresh.reason": "reuse" }, 1],
		[{ "xshl.refresh.outcome": "rotated" }, 1],
	]);
	expect(counts((await otel.points("xshl.store.revocations")).points)).toEqual([
		[{ "xshl.revoke.reason": "reuse" }, 1],
	]);
}

describe("store → xshl.store.<op> spans, xshl.store.call.duration (s), xshl.refresh.outcomes", () => {
	it("MemoryStore: rotated, grace replay and reuse told apart", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		const calls: Array<{ op: string; durationMs: number; startedAt: number }> = [];
		store.on("call", (e) => calls.push(e));
		closers.push(instrument({ store }, providers()));
		await storeScenario(store);
		await expectStoreTelemetry(calls);
	});

	it.skipIf(skip)("RedisStore on the real Redis: the same spans and points", async () => {
		const client = connect(DB);
		clients.push(client);
		const prefix = randomPrefix("otel");
		prefixes.push(prefix);
		const store = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: 2000 });
		const calls: Array<{ op: string; durationMs: number; startedAt: number }> = [];
		store.on("call", (e) => calls.push(e));
		closers.push(instrument({ store }, providers()));
		await storeScenario(store);
		await expectStoreTelemetry(calls);
	});

	it("RedisStore on a closed port: a failed call is an error span and an error point", async () => {
		const client = new Redis({ host: "127.0.0.1", port: await freePort(), lazyConnect: true });
		client.on("error", () => undefined);
		clients.push(client);
		const store = new RedisStore({ client, pepper: PEPPER, timeoutMs: 100 });
		closers.push(instrument({ store }, providers()));
		await expect(store.isRevoked({ sub: "user-123", iat: 1 })).rejects.toMatchObject({
			code: "ERR_STORE_UNAVAILABLE",
		});
		const spans = named("xshl.store.");
		expect(spans.map((s) => [s.name, s.attributes, s.status])).toEqual([
			[
				"xshl.store.isRevoked",
				{ "xshl.store.operation": "isRevoked", "error.type": "ERR_STORE_UNAVAILABLE" },
				{ code: 2, message: "ERR_STORE_UNAVAILABLE" },
			],
		]);
		const duration = await otel.points("xshl.store.call.duration");
		expect(duration.points.map((p) => [p.attributes, histogram(p.value).count])).toEqual([
			[
				{
					"xshl.store.operation": "isRevoked",
					"xshl.store.outcome": "error",
					"error.type": "ERR_STORE_UNAVAILABLE",
				},
				1,
			],
		]);
		expect(histogram(duration.points[0]?.value).sum ?? 0).toBeGreaterThanOrEqual(0.099);
		// the client's own connection errors (source client) come as often as ioredis retries
		const errors = counts((await otel.points("xshl.store.errors")).points);
		expect(errors.filter(([a]) => a["xshl.store.error_source"] !== "client")).toEqual([
			[{ "xshl.store.error_source": "call" }, 1],
		]);
	});
});

describe("RevocationFeedClient → xshl.feed.refreshes", () => {
	it("a failed feed refresh counts as outcome error with its code", async () => {
		const { jwks, keys } = await loadedKeys();
		jwks.fail(true);
		const feed = new RevocationFeedClient({
			url: jwks.url.replace("jwks.json", "xshl-revocations"),
			keys,
			retries: 0,
		});
		closers.push(() => feed.close());
		closers.push(instrument({ feed }, providers()));
		await expect(feed.load()).rejects.toMatchObject({ code: "ERR_KEYS_HTTP_STATUS" });
		expect(counts((await otel.points("xshl.feed.refreshes")).points)).toEqual([
			[{ "xshl.feed.outcome": "error", "error.type": "ERR_KEYS_HTTP_STATUS" }, 1],
		]);
		const [span] = named("xshl.feed.refresh");
		expect(span?.attributes).toEqual({
			"xshl.feed.outcome": "error",
			"xshl.feed.via": "poll",
			"error.type": "ERR_KEYS_HTTP_STATUS",
		});
		expect(span?.status).toEqual({ code: 2, message: "ERR_KEYS_HTTP_STATUS" });
		const duration = await otel.points("xshl.feed.refresh.duration");
		expect(duration.points.map((p) => [p.attributes, histogram(p.value).count])).toEqual([
			[
				{
					"xshl.feed.outcome": "error",
					"xshl.feed.via": "poll",
					"error.type": "ERR_KEYS_HTTP_STATUS",
				},
				1,
			],
		]);
	});

	it("a feed refresh is a span over its request and a duration point", async () => {
		const { jwks, keys } = await loadedKeys();
		const { privateKey, header } = jwks.ring.signingKey();
		const payload = {
			v: 1,
			seq: 1,
			iat: Math.floor(Date.now() / 1000),
			salt: "c2FsdC1zYWx0LXNhbHQtMTY",
			sids: { s1: Math.floor(Date.now() / 1000) + 60 },
		};
		jwks.serveFeed(
			await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ: FEED_TYPE })
				.sign(privateKey),
		);
		// the client's clock moves 25 ms per request: the span lasts exactly that
		let t = Date.now();
		const feed = new RevocationFeedClient({
			url: jwks.url.replace("jwks.json", "xshl-revocations"),
			keys,
			retries: 0,
			now: () => t,
			fetch: (input, init) => {
				t += 25;
				return fetch(input, init);
			},
		});
		closers.push(() => feed.close());
		closers.push(instrument({ feed }, providers()));
		await feed.load();
		const [span] = named("xshl.feed.refresh");
		expect(span?.attributes).toEqual({
			"xshl.feed.outcome": "updated",
			"xshl.feed.via": "poll",
			"xshl.feed.delta": false,
			"xshl.feed.entries": 1,
		});
		expect(Math.round(ms(span!.endTime) - ms(span!.startTime))).toBe(25);
		const duration = await otel.points("xshl.feed.refresh.duration");
		expect(duration.points.map((p) => [p.attributes, histogram(p.value).sum])).toEqual([
			[{ "xshl.feed.outcome": "updated", "xshl.feed.via": "poll" }, 0.025],
		]);
	});
});

describe("instrument() itself", () => {
	it("puts no token, sub, sid or trace value in any attribute", async () => {
		const jwks = await jwksServer();
		closers.push(() => jwks.close());
		const keys = new RemoteKeySet({ name: NAME, url: jwks.url });
		closers.push(() => keys.close());
		const verifier = createSessionVerifier({ keys, audience: ["service-api"] });
		const store = new MemoryStore({ pepper: PEPPER });
		closers.push(instrument({ verifier, keySet: keys, store, ring: jwks.ring }, providers()));
		const token = await issue(jwks.ring);
		const trace = new Trace(UA, SALT);
		const claims = await verifier.verify(token, { trace });
		const login = await store.login({ sub: "user-123", sid: claims.sid, trace: String(trace) });
		await store.rotate(login.refreshToken, { trace: String(trace) });
		await jwks.ring.rotate();
		const attributes: Attributes[] = otel.spans().map((s) => s.attributes);
		for (const name of await otel.names()) {
			for (const p of (await otel.points(name)).points) attributes.push(p.attributes);
		}
		const text = JSON.stringify(attributes);
		expect(attributes.length).toBeGreaterThan(10);
		for (const secret of [
			token,
			login.refreshToken,
			"user-123",
			claims.sid,
			String(trace),
			claims.jti,
		]) {
			expect(text).not.toContain(secret);
		}
		expect(await otel.names()).toEqual([
			"xshl.keys.fetch.duration",
			"xshl.refresh.outcomes",
			"xshl.ring.rotations",
			"xshl.store.call.duration",
			"xshl.verify.duration",
			"xshl.verify.outcomes",
		]);
	});

	it("refuses unknown parts, parts without on() and providers of the wrong shape (ERR_OTEL_CONFIG_INVALID)", () => {
		const store = new MemoryStore({ pepper: PEPPER });
		let error: unknown;
		try {
			instrument({ store, verfier: store, keySet: {} } as never, {
				tracerProvider: {} as never,
				meterProvider: otel.meterProvider,
			});
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(OtelConfigError);
		expect(error).toMatchObject({
			code: "ERR_OTEL_CONFIG_INVALID",
			status: 500,
			issues: [
				{
					path: "verfier",
					message: "unknown part; expected one of verifier, keySet, ring, store, feed",
				},
				{ path: "keySet", message: "expected an object with an on(type, listener) method" },
				{ path: "options.tracerProvider", message: "expected a TracerProvider (getTracer)" },
			],
		});
		expect(() => instrument(null as never)).toThrow(OtelConfigError);
	});

	it("detach() unsubscribes every listener, once and idempotently", async () => {
		const store = new MemoryStore({ pepper: PEPPER });
		const detach = instrument({ store }, providers());
		await store.login({ sub: "user-123", trace: "T" });
		detach();
		detach();
		await store.login({ sub: "user-123", trace: "T" });
		expect(named("xshl.store.").length).toBe(1);
	});
});
