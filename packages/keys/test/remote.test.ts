import { jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
	KeysConfigError,
	KeysUnavailableError,
	MultipleMatchingKeysError,
	NoMatchingKeyError,
	RemoteKeySet,
	type RemoteKeySetOptions,
} from "../src/index";
import {
	clock,
	deadUrl,
	finalError,
	idle,
	json,
	makeKey,
	once,
	rejection,
	sign,
	startServer,
	type TestKey,
	type TestServer,
} from "./helpers";

let A: TestKey;
let B: TestKey;
let R: TestKey;
const servers: TestServer[] = [];
const sets: RemoteKeySet[] = [];

beforeAll(async () => {
	A = await makeKey("a");
	B = await makeKey("b");
	R = await makeKey("r", "RS256");
});

afterEach(async () => {
	for (const k of sets.splice(0)) k.close();
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
	const s = await startServer(handler);
	servers.push(s);
	return s;
}

function remote(url: string, extra: Partial<RemoteKeySetOptions> = {}): RemoteKeySet {
	const ks = new RemoteKeySet({ name: "session_name", url, random: () => 0.5, ...extra });
	sets.push(ks);
	return ks;
}

describe("first load", () => {
	it("awaits the fetch, then get() is a sync lookup and the resolver verifies jose tokens", async () => {
		const s = await serve(json({ keys: [A.publicJwk, R.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		expect(ks.get("a")).toBeUndefined();
		expect(ks.algorithms("sig")).toEqual([]);
		expect(ks.updated).toBe(true);
		expect(ks.stats().state).toBe("empty");
		await ks.load();
		expect(s.requests).toBe(1);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		expect(ks.get("a", { use: "enc" })).toBeUndefined();
		expect(ks.get("a", { alg: "RS256" })).toBeUndefined();
		expect(ks.algorithms("sig")).toEqual(["ES256", "RS256"]);
		expect(ks.algorithms("enc")).toEqual([]);
		expect(ks.updated).toBe(false);
		for (const key of [A, R]) {
			const { payload, protectedHeader } = await jwtVerify(await sign(key), ks.resolver, {
				algorithms: ks.algorithms("sig"),
			});
			expect(payload.sub).toBe("u1");
			expect(protectedHeader.kid).toBe(key.kid);
		}
		expect(s.requests).toBe(1);
		expect(ks.stats()).toMatchObject({
			state: "fresh",
			requests: 1,
			refreshes: 1,
			keys: 2,
			failures: 0,
		});
		expect(ks.health()).toEqual({ status: "ok", state: "fresh" });
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a", "r"]);
	});

	it("sends an Accept header for JWKS and no credentials", async () => {
		let accept: string | undefined;
		const s = await serve((req, res) => {
			accept = req.headers.accept;
			json({ keys: [A.publicJwk] })(req, res);
		});
		await remote(s.url()).load();
		expect(accept).toBe("application/jwk-set+json, application/json;q=0.9");
	});

	it("load({background:true}) returns before the fetch completes", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const ks = remote(s.url());
		const done = once<unknown>((l) => ks.on("refresh", l));
		await ks.load({ background: true });
		expect(ks.get("a")).toBeUndefined();
		await done;
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});

	it("KEY-01: JWKS down at start -> ERR_KEYS_UNAVAILABLE (never a no-match); recovers without a restart", async () => {
		const url = await deadUrl();
		const c = clock();
		const ks = remote(url, { now: c.now, retries: 0 });
		const e = await rejection(ks.load());
		expect(e).toBeInstanceOf(KeysUnavailableError);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.reason).toBe("fetch-failed");
		expect(e.cause.code).toBe("ERR_KEYS_NETWORK");
		expect(e.cause.causeCode).toBe("ECONNREFUSED");
		// inside the error backoff (5 s * jitter 0.5) the verify fails fast, still as UNAVAIL
		const token = await sign(A);
		const v = await rejection(jwtVerify(token, ks.resolver));
		expect(v.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(v.reason).toBe("backoff");
		expect(ks.health()).toEqual({ status: "unavailable", state: "empty" });
		// the endpoint comes up on the same port
		const port = Number(new URL(url).port);
		const server = await startServer(json({ keys: [A.publicJwk] }), undefined, "http", port);
		try {
			c.advance(2_501);
			const { payload } = await jwtVerify(token, ks.resolver);
			expect(payload.sub).toBe("u1");
			expect(server.requests).toBe(1);
		} finally {
			await server.close();
		}
	});
});

describe("freshness", () => {
	it("refreshes in the background at 80 % of max-age, serving the current set meanwhile; 304 with ETag extends it", async () => {
		let keys = [A.publicJwk];
		let etag = '"v1"';
		const inm: (string | undefined)[] = [];
		const s = await serve((req, res) => {
			inm.push(req.headers["if-none-match"] as string | undefined);
			if (req.headers["if-none-match"] === etag) {
				res.writeHead(304, { etag, "cache-control": "max-age=120" });
				return res.end();
			}
			json({ keys }, { etag, "cache-control": "public, max-age=120" })(req, res);
		});
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		expect(ks.stats().expiresAt).toBe(c.t + 120_000);
		expect(ks.stats().nextRefreshAt).toBe(c.t + 96_000);
		c.advance(95_999);
		await ks.getKey({ kid: "a" });
		expect(s.requests).toBe(1);
		expect(ks.updated).toBe(false);
		keys = [A.publicJwk, B.publicJwk];
		etag = '"v2"';
		c.advance(1);
		expect(ks.updated).toBe(true);
		const refreshed = once<{ added: string[]; status: number }>((l) => ks.on("refresh", l));
		// the reader is served from the cache, it does not wait for the refresh
		expect(await ks.getKey({ kid: "a" })).toBe(ks.get("a"));
		expect(ks.stats().inFlight).toBe(true);
		expect(await refreshed).toMatchObject({ status: 200, added: ["b"], removed: [] });
		await idle(ks);
		expect(ks.get("b")).toBeInstanceOf(CryptoKey);
		expect(inm).toEqual([undefined, '"v1"']);
		c.advance(100_000);
		const notModified = once<{ status: number; notModified: boolean }>((l) => ks.on("refresh", l));
		await ks.getKey({ kid: "b" });
		expect(await notModified).toMatchObject({ status: 304, notModified: true });
		expect(inm).toEqual([undefined, '"v1"', '"v2"']);
		expect(ks.stats()).toMatchObject({ requests: 3, notModified: 1, keys: 2, state: "fresh" });
		expect(ks.stats().expiresAt).toBe(c.t + 120_000);
	});

	it("clamps max-age to [minTtlMs, maxTtlMs], honours Age, Expires, no-cache and the ttl fallback", async () => {
		let headers: Record<string, string> = {};
		const s = await serve((req, res) => json({ keys: [A.publicJwk] }, headers)(req, res));
		const c = clock();
		const cases: [Record<string, string>, number][] = [
			[{ "cache-control": "max-age=15" }, 60_000],
			[{ "cache-control": "max-age=3300000" }, 86_400_000],
			[{ "cache-control": "max-age=600", age: "100" }, 500_000],
			[{ "cache-control": "no-cache" }, 60_000],
			[{ "cache-control": "no-store, max-age=900" }, 60_000],
			[
				{ expires: new Date(c.t + 300_000).toUTCString(), date: new Date(c.t).toUTCString() },
				300_000,
			],
			[{}, 600_000],
		];
		for (const [h, fresh] of cases) {
			headers = h;
			const ks = remote(s.url(), { now: c.now });
			await ks.load();
			expect(ks.stats().expiresAt! - c.t).toBe(fresh);
		}
		const custom = remote(s.url(), { now: c.now, ttlMs: 120_000 });
		await custom.load();
		expect(custom.stats().expiresAt! - c.t).toBe(120_000);
	});

	it("KEY-02: refresh fails (500, then connection refused): the last good set keeps serving, events fire, then UNAVAIL after maxStaleMs", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }, { "cache-control": "max-age=60" }));
		const c = clock();
		const events: string[] = [];
		const ks = remote(s.url(), {
			now: c.now,
			retries: 1,
			retryBaseDelayMs: 1,
			maxStaleMs: 600_000,
		});
		for (const type of ["refresh", "refreshError", "stale", "expired"] as const)
			ks.on(type, () => events.push(type));
		await ks.load();
		const token = await sign(A);
		s.handler = json({ error: "boom" }, {}, 500);
		c.advance(61_000);
		const failed = finalError(ks);
		const stale = once<{ ageMs: number; maxStaleMs: number }>((l) => ks.on("stale", l));
		expect((await jwtVerify(token, ks.resolver)).payload.sub).toBe("u1");
		expect(await stale).toEqual({ ageMs: 1_000, maxStaleMs: 600_000 });
		const err = await failed;
		expect(err.error.code).toBe("ERR_KEYS_HTTP_STATUS");
		expect(err.error.responseStatus).toBe(500);
		expect(err.final).toBe(true);
		expect(ks.stats()).toMatchObject({
			state: "stale",
			consecutiveFailures: 1,
			lastErrorCode: "ERR_KEYS_HTTP_STATUS",
		});
		expect(ks.health()).toEqual({ status: "degraded", state: "stale" });
		// the endpoint goes away entirely
		const port = s.port;
		await s.close();
		c.advance(10_000);
		const refused = finalError(ks);
		expect((await jwtVerify(token, ks.resolver)).payload.sub).toBe("u1");
		expect((await refused).error).toMatchObject({
			code: "ERR_KEYS_NETWORK",
			causeCode: "ECONNREFUSED",
		});
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		// past maxStaleMs: lookups fail as UNAVAIL (503), never as a 401-style no-match
		c.advance(600_000);
		const e = await rejection(jwtVerify(token, ks.resolver));
		expect(e).toBeInstanceOf(KeysUnavailableError);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.reason).toBe("expired");
		expect(ks.get("a")).toBeUndefined();
		expect(ks.health()).toEqual({ status: "unavailable", state: "expired" });
		expect(events).toContain("expired");
		expect(events.filter((t) => t === "stale")).toHaveLength(1);
		expect(port).toBeGreaterThan(0);
	});
});

describe("HTTP failures (KEY-03..06, KEY-09, KEY-14)", () => {
	it.each([500, 502, 404, 204, 304])(
		"KEY-03: status %i on first load -> typed error naming the status",
		async (status) => {
			const s = await serve((_req, res) => {
				res.writeHead(status);
				res.end();
			});
			const e = await rejection(remote(s.url(), { retries: 0 }).load());
			expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
			expect(e.cause.code).toBe("ERR_KEYS_HTTP_STATUS");
			expect(e.cause.responseStatus).toBe(status);
			expect(e.cause.message).toBe(`JWKS endpoint answered ${status}, expected 200`);
		},
	);

	it("KEY-03: a 404 during refresh does not replace the keys", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		s.handler = json({}, {}, 404);
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.responseStatus).toBe(404);
		expect(s.requests).toBe(2); // 404 is not retried
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});

	it("KEY-04: a server that never sends headers -> ERR_KEYS_FETCH_TIMEOUT", async () => {
		const s = await serve(() => {});
		const e = await rejection(remote(s.url(), { timeoutMs: 100, retries: 0 }).load());
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
		expect(e.cause.timeoutMs).toBe(100);
	});

	it("KEY-04: headers then a body that trickles -> the timeout covers the body", async () => {
		const timers: NodeJS.Timeout[] = [];
		const s = await serve((_req, res) => {
			res.writeHead(200, { "content-type": "application/json" });
			res.write('{"keys":[');
			timers.push(setInterval(() => res.write(" "), 20));
		});
		try {
			const e = await rejection(remote(s.url(), { timeoutMs: 150, retries: 0 }).load());
			expect(e.cause.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
		} finally {
			for (const t of timers) clearInterval(t);
		}
	});

	it("KEY-05: a 10 MiB body with Content-Length is refused before reading", async () => {
		let written = 0;
		const s = await serve((_req, res) => {
			res.writeHead(200, {
				"content-type": "application/json",
				"content-length": String(10 * 1024 * 1024),
			});
			const chunk = Buffer.alloc(64 * 1024, 0x20);
			const pump = (): void => {
				while (written < 10 * 1024 * 1024) {
					written += chunk.length;
					if (!res.write(chunk)) return void res.once("drain", pump);
				}
				res.end();
			};
			pump();
		});
		const e = await rejection(remote(s.url()).load());
		expect(e.cause.code).toBe("ERR_KEYS_RESPONSE_TOO_LARGE");
		expect(e.cause.maxResponseBytes).toBe(131_072);
		expect(s.requests).toBe(1); // not retried
	});

	it("KEY-05: a chunked body without Content-Length is cut at maxResponseBytes; good keys are retained", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		let read = 0;
		const ks = remote(s.url(), {
			now: c.now,
			fetch: async (input, init) => {
				const r = await globalThis.fetch(input, init);
				if (r.body === null) return r;
				const counted = r.body.pipeThrough(
					new TransformStream<Uint8Array, Uint8Array>({
						transform(chunk, ctl) {
							read += chunk.byteLength;
							ctl.enqueue(chunk);
						},
					}),
				);
				return new Response(counted, { status: r.status, headers: r.headers });
			},
		});
		await ks.load();
		read = 0;
		s.handler = (_req, res) => {
			res.writeHead(200, { "content-type": "application/json" });
			const chunk = Buffer.alloc(16 * 1024, 0x20);
			let sent = 0;
			const pump = (): void => {
				while (sent < 10 * 1024 * 1024) {
					sent += chunk.length;
					if (!res.write(chunk)) return void res.once("drain", pump);
				}
				res.end();
			};
			res.on("close", () => {
				sent = Number.POSITIVE_INFINITY;
			});
			pump();
		};
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.code).toBe("ERR_KEYS_RESPONSE_TOO_LARGE");
		expect(read).toBeGreaterThan(131_072);
		expect(read).toBeLessThanOrEqual(131_072 + 3 * 65_536);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});

	it.each([
		['{"keys":[', "ERR_KEYS_JWKS_INVALID", "JWKS response is not valid JSON"],
		["[]", "ERR_KEYS_JWKS_INVALID", "JWKS must be a JSON object with a keys array"],
		['{"keys":{}}', "ERR_KEYS_JWKS_INVALID", "JWKS must be a JSON object with a keys array"],
		[
			'{"keys":[1,"x"]}',
			"ERR_KEYS_JWKS_INVALID",
			"JWKS has no usable key (2 given, 2 rejected); the previous set is kept",
		],
		[
			'{"keys":[]}',
			"ERR_KEYS_JWKS_INVALID",
			"JWKS has no usable key (0 given, 0 rejected); the previous set is kept",
		],
	])("KEY-06: %s -> %s; the last good set is retained", async (body, code, message) => {
		const s = await serve(json(body));
		const cold = await rejection(remote(s.url()).load());
		expect(cold.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(cold.cause.code).toBe(code);
		expect(cold.cause.message).toBe(message);
		expect(s.requests).toBe(1); // parse errors are not retried
		// warm: the previous set keeps serving
		s.handler = json({ keys: [A.publicJwk] });
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		s.handler = json(body);
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.code).toBe(code);
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a"]);
	});

	it("KEY-06: an HTML error page -> ERR_KEYS_CONTENT_TYPE; a missing content type parses with a warning", async () => {
		const s = await serve((_req, res) => {
			res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
			res.end("<html>502 Bad Gateway</html>");
		});
		const e = await rejection(remote(s.url()).load());
		expect(e.cause.code).toBe("ERR_KEYS_CONTENT_TYPE");
		expect(e.cause.contentType).toBe("text/html");
		s.handler = (_req, res) => {
			res.writeHead(200);
			res.end(JSON.stringify({ keys: [A.publicJwk] }));
		};
		const warnings: { code: string; message: string }[] = [];
		const ks = remote(s.url());
		ks.on("warning", (w) => warnings.push(w));
		await ks.load();
		expect(warnings).toEqual([
			{ code: "no-content-type", message: "JWKS response has no content type; parsing it as JSON" },
		]);
		s.handler = json({ keys: [A.publicJwk] }, { "content-type": "application/jwk-set+json" });
		await remote(s.url()).load();
	});

	it("KEY-09: a redirect to another origin is refused and the target gets 0 requests; same origin is followed; allowRedirectOrigins opens one", async () => {
		const target = await serve(json({ keys: [A.publicJwk] }));
		const s = await serve((req, res) => {
			if (req.url === "/same") {
				res.writeHead(302, { location: "/jwks.json" });
				return res.end();
			}
			if (req.url === "/jwks.json") return json({ keys: [A.publicJwk] })(req, res);
			res.writeHead(302, { location: target.url() });
			res.end();
		});
		const e = await rejection(remote(s.url("/other")).load());
		expect(e.cause.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
		expect(e.cause.message).toBe(
			`redirect from ${s.origin} to another origin (${target.origin}) refused; list it in allowRedirectOrigins`,
		);
		expect(target.requests).toBe(0);
		expect(s.requests).toBe(1);
		// localhost is another origin too
		s.handler = (_req, res) => {
			res.writeHead(301, { location: `http://localhost:${s.port}/jwks.json` });
			res.end();
		};
		expect((await rejection(remote(s.url("/x")).load())).cause.code).toBe(
			"ERR_KEYS_REDIRECT_REFUSED",
		);
		s.handler = (req, res) => {
			if (req.url === "/same") {
				res.writeHead(307, { location: "/jwks.json" });
				return res.end();
			}
			if (req.url === "/loop") {
				res.writeHead(302, { location: "/loop" });
				return res.end();
			}
			if (req.url === "/jwks.json") return json({ keys: [A.publicJwk] })(req, res);
			res.writeHead(302, { location: target.url() });
			res.end();
		};
		await remote(s.url("/same")).load();
		const loop = await rejection(remote(s.url("/loop")).load());
		expect(loop.cause.message).toBe("more than 3 redirects refused");
		await remote(s.url("/other"), { allowRedirectOrigins: [target.origin] }).load();
		expect(target.requests).toBe(1);
	});

	it("KEY-14: an endpoint failing N+1 times -> exactly N+1 attempts with growing backoff, then a typed error", async () => {
		const s = await serve(json({}, {}, 503));
		const delays: number[] = [];
		const ks = remote(s.url(), { retries: 2, retryBaseDelayMs: 10, random: () => 0.999 });
		ks.on("refreshError", (e) => {
			if (!e.final) delays.push(e.retryInMs);
		});
		const e = await rejection(ks.load());
		expect(s.requests).toBe(3);
		expect(delays).toEqual([10, 20]);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.responseStatus).toBe(503);
		// Retry-After is honoured up to the cap
		const t = await serve((_req, res) => {
			res.writeHead(429, { "retry-after": "120" });
			res.end();
		});
		const capped: number[] = [];
		const k2 = remote(t.url(), { retries: 1, retryMaxDelayMs: 30 });
		k2.on("refreshError", (ev) => {
			if (!ev.final) capped.push(ev.retryInMs);
		});
		await rejection(k2.load());
		expect(capped).toEqual([30]);
		expect(t.requests).toBe(2);
		// a 408 then a 200 succeeds on the retry
		let n = 0;
		const u = await serve((req, res) =>
			(n++ === 0 ? json({}, {}, 408) : json({ keys: [A.publicJwk] }))(req, res),
		);
		await remote(u.url(), { retryBaseDelayMs: 1 }).load();
		expect(u.requests).toBe(2);
	});
});

describe("unknown kid: cooldown and single-flight (KEY-11..13, KEY-15)", () => {
	it("KEY-11: 10 000 concurrent unknown kids on a cold cache -> exactly 1 fetch; after the cooldown exactly 1 more; good keys stay", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		const flood = async (): Promise<void> => {
			const results = await Promise.allSettled(
				Array.from({ length: 10_000 }, () =>
					ks.getKey({ kid: crypto.randomUUID(), alg: "ES256", use: "sig" }),
				),
			);
			for (const r of results) {
				expect(r.status).toBe("rejected");
				expect((r as PromiseRejectedResult).reason).toBeInstanceOf(NoMatchingKeyError);
			}
		};
		await flood();
		expect(s.requests).toBe(1);
		expect(ks.stats().unknownKids).toBe(1024);
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		c.advance(29_999);
		await flood();
		expect(s.requests).toBe(1);
		c.advance(1);
		await flood();
		expect(s.requests).toBe(2);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		// 1 000 verifications of tokens with random kids, inside the window: no fetch
		const tokens = await Promise.all(
			Array.from({ length: 1_000 }, () => sign(A, { sub: "x" }, { kid: crypto.randomUUID() })),
		);
		const verdicts = await Promise.allSettled(tokens.map((t) => jwtVerify(t, ks.resolver)));
		expect(
			verdicts.every(
				(v) => v.status === "rejected" && v.reason.code === "ERR_KEYS_NO_MATCHING_KEY",
			),
		).toBe(true);
		expect(s.requests).toBe(2);
		expect(ks.stats().unknownKidLookups).toBe(31_000);
	});

	it("KEY-12: a forced refetch that fails (500) or yields zero usable keys still starts the cooldown", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now, retries: 0 });
		await ks.load();
		const flood = () =>
			Promise.allSettled(
				Array.from({ length: 500 }, () => ks.getKey({ kid: crypto.randomUUID() })),
			);
		s.handler = json({}, {}, 500);
		c.advance(30_000);
		await flood();
		expect(s.requests).toBe(2);
		c.advance(10_000);
		await flood();
		expect(s.requests).toBe(2);
		s.handler = json({ keys: [] });
		c.advance(20_000);
		await flood();
		expect(s.requests).toBe(3);
		await flood();
		expect(s.requests).toBe(3);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		const e = await rejection(ks.getKey({ kid: "zzz" }));
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(e.reason).toBe("cooldown");
	});

	it("KEY-13: 100 concurrent lookups on a cold cache share 1 fetch; the same error reaches every waiter", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const ks = remote(s.url());
		const keys = await Promise.all(Array.from({ length: 100 }, () => ks.getKey({ kid: "a" })));
		expect(new Set(keys).size).toBe(1);
		expect(s.requests).toBe(1);
		const bad = await serve(json({}, {}, 500));
		const cold = remote(bad.url(), { retries: 0 });
		const errors = await Promise.allSettled(
			Array.from({ length: 100 }, () => cold.getKey({ kid: "a" })),
		);
		expect(bad.requests).toBe(1);
		const causes = new Set(errors.map((r) => (r as PromiseRejectedResult).reason.cause));
		expect(causes.size).toBe(1);
		expect([...causes][0]).toMatchObject({
			code: "ERR_KEYS_HTTP_STATUS",
			responseStatus: 500,
			status: 503,
		});
		for (const r of errors)
			expect((r as PromiseRejectedResult).reason.code).toBe("ERR_KEYS_UNAVAILABLE");
	});

	it("KEY-13: 100 concurrent lookups at TTL expiry cause 1 background fetch", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		c.advance(600_001);
		const done = once<unknown>((l) => ks.on("refresh", l));
		await Promise.all(Array.from({ length: 100 }, () => ks.getKey({ kid: "a" })));
		await done;
		expect(s.requests).toBe(2);
	});

	it("KEY-15: a new kid is picked up with one refetch; a retired kid verifies while published, then is rejected", async () => {
		let keys = [A.publicJwk];
		const s = await serve((req, res) => json({ keys })(req, res));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		const tokenA = await sign(A);
		const tokenB = await sign(B);
		keys = [A.publicJwk, B.publicJwk];
		c.advance(30_000);
		expect((await jwtVerify(tokenB, ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(2);
		expect((await jwtVerify(tokenA, ks.resolver)).payload.sub).toBe("u1");
		keys = [B.publicJwk];
		c.advance(600_001);
		const refreshed = once<{ removed: string[] }>((l) => ks.on("refresh", l));
		await jwtVerify(tokenB, ks.resolver);
		expect((await refreshed).removed).toEqual(["a"]);
		const e = await rejection(jwtVerify(tokenA, ks.resolver));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(s.requests).toBe(3);
	});
});

describe("key hygiene in a fetched set (KEY-07, KEY-08)", () => {
	it("KEY-08: two different keys with one kid are reported as duplicates and the lookup fails closed", async () => {
		const d1 = await makeKey("dup");
		const d2 = await makeKey("dup");
		const sigShared = await makeKey("shared");
		const encShared = await makeKey("shared", "RSA-OAEP-256", { use: "enc" });
		const s = await serve(
			json({
				keys: [A.publicJwk, d1.publicJwk, d2.publicJwk, sigShared.publicJwk, encShared.publicJwk],
			}),
		);
		const ks = remote(s.url());
		const rejected: unknown[] = [];
		ks.on("keyRejected", (r) => rejected.push(r));
		await ks.load();
		expect(rejected).toEqual([
			{ index: 1, kid: "dup", reason: "duplicate kid" },
			{ index: 2, kid: "dup", reason: "duplicate kid" },
		]);
		for (const t of [await sign(d1), await sign(d2)]) {
			const e = await rejection(jwtVerify(t, ks.resolver));
			expect(e).toBeInstanceOf(MultipleMatchingKeysError);
			expect(e.code).toBe("ERR_KEYS_MULTIPLE_MATCHING_KEYS");
			expect(e.count).toBe(2);
		}
		expect(ks.get("dup")).toBeUndefined();
		// an RFC-legal shared kid across purposes resolves by use
		expect((await jwtVerify(await sign(sigShared), ks.resolver)).payload.sub).toBe("u1");
		expect(await ks.getKey({ kid: "shared", use: "enc" })).toBe(ks.get("shared", { use: "enc" }));
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(1);
	});
});

describe("options", () => {
	it("are validated with zod at construction (CFG)", () => {
		const bad: [unknown, string][] = [
			[{ name: "", url: "https://x.example/jwks" }, "name"],
			[{ name: "n", url: "ftp://x.example/jwks" }, "url"],
			[{ name: "n", url: "not a url" }, "url"],
			[{ name: "n", url: "https://x.example/jwks", timeoutMs: -1 }, "timeoutMs"],
			[{ name: "n", url: "https://x.example/jwks", maxStaleMs: Number.NaN }, "maxStaleMs"],
			[
				{
					name: "n",
					url: "https://x.example/jwks",
					allowRedirectOrigins: ["https://x.example/path"],
				},
				"allowRedirectOrigins",
			],
			[{ name: "n", url: "https://x.example/jwks", fetch: "nope" }, "fetch"],
			[{ name: "n", url: "https://x.example/jwks", minTtlMs: 10, maxTtlMs: 5 }, "minTtlMs"],
		];
		for (const [options, path] of bad) {
			let error: unknown;
			try {
				new RemoteKeySet(options as RemoteKeySetOptions);
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(KeysConfigError);
			expect((error as KeysConfigError).code).toBe("ERR_KEYS_CONFIG_INVALID");
			expect((error as KeysConfigError).issues[0]?.path.split(".")[0]).toBe(path);
		}
		expect(
			new RemoteKeySet({
				name: "n",
				url: new URL("https://x.example/j"),
				maxStaleMs: Number.POSITIVE_INFINITY,
			}).url.href,
		).toBe("https://x.example/j");
	});

	it("close() aborts and later lookups are UNAVAIL (closed)", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const ks = remote(s.url());
		await ks.load();
		ks.close();
		const e = await rejection(ks.getKey({ kid: "a" }));
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.reason).toBe("closed");
	});
});
