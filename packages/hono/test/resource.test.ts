import { HttpConfigError } from "@xshl/http";
import { RevocationFeedClient } from "@xshl/keys/revocations";
import { MemoryStore } from "@xshl/session-store";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { xshl as xshlIssuer } from "../src/index";
import { type XshlEnv, xshl } from "../src/resource";
import {
	ISSUER,
	issuerOptions,
	listen,
	loginVia,
	page,
	revocationFeed,
	ring,
	UA,
} from "./helpers/index";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of closers.splice(0)) await c();
});

const REVOKED = { error: { code: "ERR_SESSION_REVOKED", message: "the token has been revoked" } };

/** An issuer (routes and its revocation feed) on a real server; counts the feed's requests. */
async function issuerWithFeed(feedStatus?: () => number | undefined) {
	const store = new MemoryStore();
	const feed = revocationFeed(store);
	const auth = xshlIssuer(issuerOptions({ store }));
	let feedRequests = 0;
	const app = new Hono()
		.get("/.well-known/xshl-revocations", (c) => {
			feedRequests++;
			const status = feedStatus?.();
			return status === undefined ? feed.handle(c.req.raw) : c.text("down", status as 503);
		})
		.route("/", auth.routes);
	const served = await listen(app);
	closers.push(served.close, () => feed.close());
	return { app, base: served.base, feedRequests: () => feedRequests };
}

function resourceApp(revocations: unknown, revocationsRefreshMs?: number) {
	const auth = xshl({
		keys: ring.keySet("xshl"),
		issuer: ISSUER,
		audience: "api",
		revocations: revocations as RevocationFeedClient,
		revocationsRefreshMs,
	});
	return new Hono<XshlEnv>()
		.get("/orders", auth, (c) => c.json({ sub: c.var.session.sub }))
		.get("/admin", auth.requireScopes("admin"), (c) => c.json({ ok: true }));
}

const call = (app: Hono<XshlEnv>, l: { token: string; cookie: string }, path = "/orders") =>
	app.request(path, {
		headers: { authorization: `Bearer ${l.token}`, cookie: l.cookie, "user-agent": UA },
	});

describe("@xshl/hono/resource: the resource-server entry", () => {
	it("verifies the issuer's tokens and requires scopes, and has no issuer routes", async () => {
		const issuer = new Hono().route("/", xshlIssuer(issuerOptions()).routes);
		const alice = await loginVia(issuer, "alice");
		const bob = await loginVia(issuer, "bob");
		const auth = xshl({ keys: ring.keySet("xshl"), issuer: ISSUER, audience: "api" });
		expect(Object.keys(auth)).toEqual(["requireScopes"]);
		const app = resourceApp(undefined);
		const ok = await call(app, alice);
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ sub: "alice" });
		expect((await call(app, alice, "/admin")).status).toBe(200);
		const denied = await call(app, bob, "/admin");
		expect(denied.status).toBe(403);
		expect(await denied.json()).toEqual({
			error: {
				code: "ERR_HTTP_INSUFFICIENT_SCOPE",
				message: "The token lacks a required scope (admin)",
			},
		});
	});
});

describe("revocationsRefreshMs: a feed client refreshed by requests (Workers)", () => {
	it("a cold isolate waits for the feed; later requests inside the interval fetch nothing; logout everywhere is refused after the next refresh", async () => {
		const issuer = await issuerWithFeed();
		const keys = ring.keySet("xshl");
		const feed = new RevocationFeedClient({
			url: `${issuer.base}/.well-known/xshl-revocations`,
			keys,
		});
		closers.push(() => feed.close());
		const refreshes: number[] = [];
		feed.on("refresh", (e) => refreshes.push(e.seq));
		const app = resourceApp(feed, 300);
		const l = await loginVia(issuer.app);

		expect(feed.health().state).toBe("empty");
		const cold = await call(app, l);
		expect(cold.status).toBe(200);
		expect(feed.health().state).toBe("fresh");
		expect(issuer.feedRequests()).toBe(1);
		for (let i = 0; i < 5; i++) expect((await call(app, l)).status).toBe(200);
		expect(issuer.feedRequests()).toBe(1);

		const all = await issuer.app.request("/auth/logout-all", {
			method: "POST",
			headers: { ...page, authorization: `Bearer ${l.token}`, cookie: l.cookie },
			body: "{}",
		});
		expect(all.status).toBe(200);
		await new Promise((r) => setTimeout(r, 350));
		// past the interval: this request starts the refresh in the background
		const refreshed = new Promise((r) => feed.on("refresh", r));
		await call(app, l);
		await refreshed;
		expect(issuer.feedRequests()).toBe(2);
		const after = await call(app, l);
		expect(after.status).toBe(401);
		expect(await after.json()).toEqual(REVOKED);
		expect(refreshes).toHaveLength(2);
	});

	it("a feed that is down: fail-closed refuses, and the next attempt waits out the backoff", async () => {
		let status: number | undefined = 503;
		const issuer = await issuerWithFeed(() => status);
		const feed = new RevocationFeedClient({
			url: `${issuer.base}/.well-known/xshl-revocations`,
			keys: ring.keySet("xshl"),
			retries: 0,
		});
		closers.push(() => feed.close());
		const errors: string[] = [];
		feed.on("refreshError", (e) => errors.push(e.error.code));
		const app = resourceApp(feed, 200);
		const l = await loginVia(issuer.app);
		const first = await call(app, l);
		expect(first.status).toBe(401);
		expect(await first.json()).toEqual(REVOKED);
		expect(errors).toEqual(["ERR_KEYS_HTTP_STATUS"]);
		// inside the backoff (2 × 200 ms after one failure): no new fetch, the policy answers
		expect((await call(app, l)).status).toBe(401);
		expect(issuer.feedRequests()).toBe(1);
		status = undefined;
		await new Promise((r) => setTimeout(r, 450));
		const back = await call(app, l);
		expect(back.status).toBe(200);
		expect(issuer.feedRequests()).toBe(2);
	});

	it("keeps the background refresh alive with executionCtx.waitUntil where the runtime gives one", async () => {
		const issuer = await issuerWithFeed();
		const feed = new RevocationFeedClient({
			url: `${issuer.base}/.well-known/xshl-revocations`,
			keys: ring.keySet("xshl"),
		});
		closers.push(() => feed.close());
		const app = resourceApp(feed, 100);
		const l = await loginVia(issuer.app);
		const kept: Promise<unknown>[] = [];
		const ctx = {
			waitUntil: (p: Promise<unknown>) => {
				kept.push(p);
			},
			passThroughOnException() {},
			props: {},
		};
		const req = () =>
			new Request("http://w.test/orders", {
				headers: { authorization: `Bearer ${l.token}`, cookie: l.cookie, "user-agent": UA },
			});
		expect((await app.fetch(req(), {}, ctx)).status).toBe(200);
		expect(kept).toHaveLength(1);
		await new Promise((r) => setTimeout(r, 150));
		expect((await app.fetch(req(), {}, ctx)).status).toBe(200);
		expect(kept).toHaveLength(2);
		await Promise.all(kept);
		expect(issuer.feedRequests()).toBe(2);
	});

	it("invalid options: a source without load() and health(), a non-positive interval", () => {
		const issues = (revocations: unknown, ms: number) => {
			try {
				xshl({
					keys: ring.keySet("xshl"),
					issuer: ISSUER,
					audience: "api",
					revocations: revocations as RevocationFeedClient,
					revocationsRefreshMs: ms,
				});
			} catch (e) {
				expect(e).toBeInstanceOf(HttpConfigError);
				expect((e as HttpConfigError).code).toBe("ERR_HTTP_CONFIG_INVALID");
				return (e as HttpConfigError).issues;
			}
			throw new Error("no error");
		};
		expect(issues({ isRevoked: () => false }, 1000)).toEqual([
			{
				path: "revocations",
				message:
					"revocationsRefreshMs needs a revocations source with load() and health() (RevocationFeedClient)",
			},
		]);
		const keys = ring.keySet("xshl");
		const feed = new RevocationFeedClient({ url: "http://127.0.0.1:9/feed", keys });
		expect(issues(feed, 0)).toEqual([
			{ path: "revocationsRefreshMs", message: "must be a positive number of ms" },
		]);
	});
});
