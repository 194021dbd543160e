/**
 * Issue 15, "Done when": one issuer and two resource-server processes (`node dist/main.js`);
 * the resource servers follow the issuer's revocation feed through a proxy this test controls.
 * After a session revoked (DELETE and RFC 7009), a detected refresh reuse and a logout
 * everywhere, both resource servers refuse the old access tokens on `/api/me` with 401
 * ERR_SESSION_REVOKED within 3 s, while another user's token keeps working. A rolled-back or
 * tampered feed is refused with ERR_KEYS_FEED_ROLLBACK / ERR_KEYS_FEED_INVALID (the state held
 * stays); the feed down: the fail-closed server refuses every token after FEED_MAX_STALE_MS,
 * the fail-open one keeps accepting; both recover when it is back.
 * (Propagation time is measured by the benchmark, not here.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedStatus } from "../src/feed.js";
import { type FeedProxy, startFeedProxy, tamper } from "./feed-proxy.js";
import { buildDist, type DemoProcess, HttpClient, startDemo } from "./procs.js";

const ISSUER = "7d1e2f3a-4b5c-4d6e-8f70-8a9b0c1d2e3f";
const PROPAGATION_DEADLINE_MS = 3000;
const MAX_STALE_MS = 2500;

/** Poll `check` every 50 ms until it returns true or the deadline passes; returns the last result. */
async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
	const end = Date.now() + deadlineMs;
	for (;;) {
		if (await check()) return true;
		if (Date.now() >= end) return false;
		await new Promise((done) => setTimeout(done, 50));
	}
}

async function me(client: HttpClient, base: string): Promise<{ status: number; code?: string }> {
	const r = await client.request(base, "GET", "/api/me", { bearer: true });
	return { status: r.status, code: (r.body.error as { code?: string } | undefined)?.code };
}

async function status(base: string): Promise<FeedStatus> {
	return (await fetch(`${base}/api/feed-status`).then((r) => r.json())) as FeedStatus;
}

describe("the revocation feed across processes", () => {
	let issuer: DemoProcess;
	let closed: DemoProcess; // FEED_POLICY=fail-closed
	let open: DemoProcess; // FEED_POLICY=fail-open
	let proxy: FeedProxy;
	let firstDocument: { body: string; etag: string };
	const bob = new HttpClient("Bob Browser/1.0");
	// rotated in beforeAll; its old refresh token is replayed past the store's 10 s grace window
	const desktop = new HttpClient("Alice Desktop/1.0");
	const stolen = new HttpClient("Alice Desktop/1.0");
	let rotatedAt = 0;

	/** Every resource server refuses `client`'s token with ERR_SESSION_REVOKED within the deadline. */
	async function refusedEverywhere(client: HttpClient): Promise<void> {
		for (const rs of [closed, open]) {
			let last: { status: number; code?: string } = { status: 0 };
			const ok = await until(async () => {
				last = await me(client, rs.url);
				return last.status === 401;
			}, PROPAGATION_DEADLINE_MS);
			expect(ok, `refused on ${rs.url} within ${PROPAGATION_DEADLINE_MS} ms`).toBe(true);
			expect(last).toEqual({ status: 401, code: "ERR_SESSION_REVOKED" });
		}
	}

	async function acceptedEverywhere(client: HttpClient): Promise<void> {
		for (const rs of [closed, open]) expect(await me(client, rs.url)).toEqual({ status: 200 });
	}

	beforeAll(async () => {
		buildDist();
		issuer = await startDemo({ ISSUER });
		const feedUrl = `${issuer.url}/.well-known/xshl-revocations`;
		const first = await fetch(feedUrl);
		firstDocument = { body: await first.text(), etag: first.headers.get("etag") ?? "" };
		proxy = await startFeedProxy(feedUrl);
		const env = {
			ISSUER,
			ISSUER_JWKS_URL: `${issuer.url}/.well-known/jwks.json`,
			ISSUER_REVOCATIONS_URL: proxy.url,
			FEED_MAX_STALE_MS: String(MAX_STALE_MS),
		};
		[closed, open] = await Promise.all([
			startDemo({ ...env, FEED_POLICY: "fail-closed" }),
			startDemo({ ...env, FEED_POLICY: "fail-open" }),
		]);
		expect((await bob.login(issuer.url, "bob", "bob-demo-pass")).status).toBe(200);
		expect((await desktop.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		stolen.cookies = new Map(desktop.cookies);
		expect((await desktop.refresh(issuer.url)).status).toBe(200);
		rotatedAt = Date.now();
	}, 60_000);

	afterAll(async () => {
		await Promise.all([issuer?.stop(), closed?.stop(), open?.stop()]);
		await proxy?.close();
	});

	it("follows the issuer's feed: status of each resource server", async () => {
		for (const [rs, policy] of [
			[closed, "fail-closed"],
			[open, "fail-open"],
		] as const) {
			const s = await status(rs.url);
			expect(s).toMatchObject({
				mode: "resource",
				url: proxy.url,
				lastRevocation: null,
				health: { state: "fresh", policy, refusingAll: false, entries: 0 },
			});
		}
		await acceptedEverywhere(bob);
	});

	it("a session revoked with DELETE /auth/sessions/:sid is refused everywhere", async () => {
		const laptop = new HttpClient("Alice Laptop/1.0");
		const phone = new HttpClient("Alice Phone/1.0");
		expect((await laptop.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		expect((await phone.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		await acceptedEverywhere(phone);
		const del = await laptop.request(issuer.url, "DELETE", `/auth/sessions/${phone.sid}`, {
			bearer: true,
			csrf: true,
		});
		expect(del.status).toBe(200);
		await refusedEverywhere(phone);
		await acceptedEverywhere(laptop);
		await acceptedEverywhere(bob);
		for (const rs of [closed, open]) {
			const s = await status(rs.url);
			expect(s.lastRevocation).not.toBeNull();
			expect(s.lastRevocation!.propagationMs).toBeGreaterThanOrEqual(0);
			expect(s.lastRevocation!.propagationMs).toBe(
				Math.max(0, s.lastRevocation!.seenAt - s.lastRevocation!.seq),
			);
		}
	});

	it("an access token revoked with RFC 7009 (POST /auth/revoke) is refused everywhere", async () => {
		const tablet = new HttpClient("Alice Tablet/1.0");
		expect((await tablet.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		await acceptedEverywhere(tablet);
		const res = await fetch(`${issuer.url}/auth/revoke`, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: `token=${tablet.token}&token_type_hint=access_token`,
		});
		expect(res.status).toBe(200);
		await refusedEverywhere(tablet);
		await acceptedEverywhere(bob);
	});

	it("a detected refresh reuse is refused everywhere", { timeout: 30_000 }, async () => {
		await acceptedEverywhere(desktop);
		// past the grace window in which a racing tab gets the same successor
		await new Promise((done) => setTimeout(done, Math.max(0, rotatedAt + 10_500 - Date.now())));
		const replay = await stolen.refresh(issuer.url);
		expect(replay.status).toBe(401);
		expect((replay.body.error as { code: string }).code).toBe("ERR_STORE_REFRESH_REUSED");
		await refusedEverywhere(desktop);
		await acceptedEverywhere(bob);
	});

	it("logout everywhere is refused everywhere; another user keeps working", async () => {
		// a new second: the logout epoch is above every iat of these tokens
		await new Promise((done) => setTimeout(done, 1100));
		const one = new HttpClient("Alice One/1.0");
		const two = new HttpClient("Alice Two/1.0");
		expect((await one.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		expect((await two.login(issuer.url, "alice", "alice-demo-pass")).status).toBe(200);
		await acceptedEverywhere(one);
		await acceptedEverywhere(two);
		// the old tokens are replayed with the cookies they were bound to (logout clears them)
		const kept = new Map(one.cookies);
		const out = await one.request(issuer.url, "POST", "/auth/logout-all", {
			bearer: true,
			csrf: true,
		});
		expect(out.status).toBe(200);
		one.cookies = kept;
		await refusedEverywhere(one);
		await refusedEverywhere(two);
		await acceptedEverywhere(bob);
		// the feed carries a user tag, never the raw sub
		const raw = await fetch(`${issuer.url}/.well-known/xshl-revocations`).then((r) => r.text());
		const payload = Buffer.from(
			(JSON.parse(raw) as { feed: string }).feed.split(".")[1]!,
			"base64url",
		).toString();
		expect(payload).not.toContain("alice");
		expect(Object.keys((JSON.parse(payload) as { users: object }).users)).toHaveLength(1);
	});

	it("refuses a rolled-back feed (ERR_KEYS_FEED_ROLLBACK) and keeps the newer state", async () => {
		const held = await status(closed.url);
		// the phone's sid, the tablet's jti, the desktop's sid, alice's user tag
		expect(held.health.entries).toBe(4);
		// the issuer's first signed document (no entries), served again
		proxy.mode = { kind: "serve", ...firstDocument };
		for (const rs of [closed, open]) {
			const ok = await until(
				async () => (await status(rs.url)).health.lastError === "ERR_KEYS_FEED_ROLLBACK",
				PROPAGATION_DEADLINE_MS,
			);
			expect(ok).toBe(true);
			const s = await status(rs.url);
			expect(s.health.seq).toBe(held.health.seq);
			expect(s.health.entries).toBe(held.health.entries);
			expect(s.health.state).toBe("stale");
		}
		await acceptedEverywhere(bob);
		proxy.mode = { kind: "pass" };
		for (const rs of [closed, open])
			expect(await until(async () => (await status(rs.url)).health.state === "fresh", 6000)).toBe(
				true,
			);
	});

	it("refuses a tampered feed (ERR_KEYS_FEED_INVALID): bob stays accepted", async () => {
		const current = await fetch(`${issuer.url}/.well-known/xshl-revocations`).then(
			(r) => r.json() as Promise<{ feed: string }>,
		);
		const forged = tamper(current.feed, (p) => {
			p.seq = (p.seq as number) + 10_000;
			(p.sids as Record<string, number>)[bob.sid] = Math.floor(Date.now() / 1000) + 600;
		});
		proxy.mode = {
			kind: "serve",
			body: JSON.stringify({ feed: forged }),
			etag: '"forged"',
		};
		for (const rs of [closed, open]) {
			const ok = await until(
				async () => (await status(rs.url)).health.lastError === "ERR_KEYS_FEED_INVALID",
				PROPAGATION_DEADLINE_MS,
			);
			expect(ok).toBe(true);
		}
		await acceptedEverywhere(bob);
		proxy.mode = { kind: "pass" };
		for (const rs of [closed, open])
			expect(await until(async () => (await status(rs.url)).health.state === "fresh", 6000)).toBe(
				true,
			);
		await acceptedEverywhere(bob);
	});

	it("the feed down: fail-closed refuses every token after FEED_MAX_STALE_MS, fail-open accepts", async () => {
		proxy.mode = { kind: "down" };
		const expired = await until(
			async () => (await status(closed.url)).health.state === "expired",
			MAX_STALE_MS + 3000,
		);
		expect(expired).toBe(true);
		expect((await status(closed.url)).health).toMatchObject({
			state: "expired",
			policy: "fail-closed",
			refusingAll: true,
			lastError: "ERR_KEYS_HTTP_STATUS",
		});
		expect(await me(bob, closed.url)).toEqual({ status: 401, code: "ERR_SESSION_REVOKED" });
		expect(await until(async () => (await status(open.url)).health.state === "expired", 3000)).toBe(
			true,
		);
		expect((await status(open.url)).health).toMatchObject({
			state: "expired",
			policy: "fail-open",
			refusingAll: false,
		});
		expect(await me(bob, open.url)).toEqual({ status: 200 });
		expect(proxy.counts.down).toBeGreaterThan(0);

		// back up: the fail-closed server recovers without a restart
		proxy.mode = { kind: "pass" };
		expect(await until(async () => (await me(bob, closed.url)).status === 200, 8000)).toBe(true);
		expect((await status(closed.url)).health).toMatchObject({ state: "fresh", refusingAll: false });
	});

	it("never logs tokens", () => {
		for (const p of [issuer, closed, open]) {
			expect(p.output()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
			expect(p.output()).not.toContain("xrt1.");
		}
		expect(closed.output()).toContain("revocation feed: document refused");
		expect(closed.output()).toContain("revocation feed: expired");
	});
});
