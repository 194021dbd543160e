import { jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeysConfigError, RemoteKeySet, type RemoteKeySetOptions } from "../src/index";
import {
	clock,
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

	it("resolveSync: the resolver's key while the set is fresh (an access past the refresh time refreshes in the background), undefined otherwise", async () => {
		let keys = [A.publicJwk, R.publicJwk];
		const s = await serve((req, res) =>
			json({ keys }, { "cache-control": "public, max-age=120" })(req, res),
		);
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		// nothing loaded: the resolver loads instead
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBeUndefined();
		expect(s.requests).toBe(0);
		await ks.load();
		const a = await ks.resolver({ kid: "a", alg: "ES256" });
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBe(a);
		expect(ks.resolveSync({ kid: "r", alg: "RS256" })).toBe(
			await ks.resolver({ kid: "r", alg: "RS256" }),
		);
		// whatever the resolver refuses (or must fetch for) is undefined here, and fetches nothing
		for (const header of [
			{ kid: "unknown", alg: "ES256" },
			{ kid: "a", alg: "RS256" },
			{ kid: 7 as unknown as string, alg: "ES256" },
			{ kid: "x".repeat(10_000), alg: "ES256" },
		]) {
			expect(ks.resolveSync(header), JSON.stringify(header).slice(0, 40)).toBeUndefined();
		}
		expect(s.requests).toBe(1);
		// at 80 % of max-age, a sync hit starts the same background refresh as the resolver
		keys = [A.publicJwk, B.publicJwk];
		c.advance(96_000);
		const refreshed = once<{ added: string[] }>((l) => ks.on("refresh", l));
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBe(a);
		expect(ks.stats().inFlight).toBe(true);
		expect(await refreshed).toMatchObject({ added: ["b"] });
		await idle(ks);
		expect(s.requests).toBe(2);
		expect(ks.resolveSync({ kid: "b", alg: "ES256" })).toBe(ks.get("b"));
		// stale (served by the resolver with its stale event and refresh): not answered here
		c.advance(120_001);
		expect(ks.stats().state).toBe("stale");
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBeUndefined();
		expect(s.requests).toBe(2);
		expect(await ks.resolver({ kid: "a", alg: "ES256" })).toBeInstanceOf(CryptoKey);
		await idle(ks);
		expect(s.requests).toBe(3);
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBeInstanceOf(CryptoKey);
		ks.close();
		expect(ks.resolveSync({ kid: "a", alg: "ES256" })).toBeUndefined();
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
