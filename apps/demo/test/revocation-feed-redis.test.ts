/**
 * Issue 15 with Redis: two issuer processes share one Redis (db 9, a random prefix, cleaned up)
 * and so one feed log and one salt (derived from RING_KEK); a resource server follows issuer A's
 * feed. Revocations made on issuer B (logout everywhere, a revoked session) reach the resource
 * server through A's feed, and A's own bearer routes refuse them too (in-process client).
 * Under CI=true an unreachable Redis fails.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedStatus } from "../src/feed.js";
import {
	buildDist,
	cleanRedis,
	type DemoProcess,
	HttpClient,
	RING_KEK,
	redisDb9,
	redisReachable,
	startDemo,
} from "./procs.js";

const ISSUER = "9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a";
const reachable = await redisReachable();
const required = process.env.CI === "true";

async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
	const end = Date.now() + deadlineMs;
	for (;;) {
		if (await check()) return true;
		if (Date.now() >= end) return false;
		await new Promise((done) => setTimeout(done, 50));
	}
}

async function code(client: HttpClient, base: string): Promise<string | number> {
	const r = await client.request(base, "GET", "/api/me", { bearer: true });
	return r.status === 200 ? 200 : String((r.body.error as { code?: string }).code);
}

function payloadOf(body: string): { seq: number; salt: string; sids: object; users: object } {
	const jws = (JSON.parse(body) as { feed: string }).feed;
	return JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString()) as never;
}

describe.runIf(reachable || required)("the revocation feed shared through Redis", () => {
	const prefix = `xshl-test-${randomBytes(6).toString("hex")}`;
	let a: DemoProcess;
	let b: DemoProcess;
	let r: DemoProcess;

	beforeAll(async () => {
		if (!reachable)
			throw new Error(`Redis at ${redisDb9()} is unreachable (required under CI=true)`);
		buildDist();
		const env = { REDIS_URL: redisDb9(), REDIS_PREFIX: prefix, ISSUER, RING_KEK };
		a = await startDemo(env); // creates the shared key ring; B imports it
		b = await startDemo(env);
		r = await startDemo({ ISSUER, ISSUER_JWKS_URL: `${a.url}/.well-known/jwks.json` });
	}, 60_000);

	afterAll(async () => {
		await Promise.all([a?.stop(), b?.stop(), r?.stop()]);
		if (reachable) await cleanRedis(prefix);
	});

	it("both issuers publish one feed: same seq, same salt, same entries", async () => {
		const bob = new HttpClient("Bob/1.0");
		expect((await bob.login(b.url, "bob", "bob-demo-pass")).status).toBe(200);
		const bob2 = new HttpClient("Bob Phone/1.0");
		expect((await bob2.login(b.url, "bob", "bob-demo-pass")).status).toBe(200);
		expect(
			(
				await bob.request(b.url, "DELETE", `/auth/sessions/${bob2.sid}`, {
					bearer: true,
					csrf: true,
				})
			).status,
		).toBe(200);
		const [fa, fb] = await Promise.all(
			[a, b].map((p) => fetch(`${p.url}/.well-known/xshl-revocations`).then((x) => x.text())),
		);
		const [pa, pb] = [payloadOf(fa!), payloadOf(fb!)];
		expect(pa.seq).toBe(pb.seq);
		expect(pa.salt).toBe(pb.salt);
		expect(Object.keys(pa.sids)).toEqual([bob2.sid]);
		expect(pb.sids).toEqual(pa.sids);
	});

	it("a logout everywhere on B is refused on the resource server (A's feed) and on A", async () => {
		await new Promise((done) => setTimeout(done, 1100)); // a new second for the epoch
		const laptop = new HttpClient("Alice Laptop/1.0");
		const bob = new HttpClient("Bob Laptop/1.0");
		expect((await laptop.login(a.url, "alice", "alice-demo-pass")).status).toBe(200);
		expect((await bob.login(a.url, "bob", "bob-demo-pass")).status).toBe(200);
		for (const p of [a, r]) expect(await code(laptop, p.url)).toBe(200);
		const kept = new Map(laptop.cookies);
		const out = await laptop.request(b.url, "POST", "/auth/logout-all", {
			bearer: true,
			csrf: true,
		});
		expect(out.status).toBe(200);
		laptop.cookies = kept;
		for (const p of [r, a]) {
			expect(
				await until(async () => (await code(laptop, p.url)) === "ERR_SESSION_REVOKED", 3000),
				`refused on ${p.url}`,
			).toBe(true);
			expect(await code(bob, p.url)).toBe(200);
		}
		const status = (await fetch(`${r.url}/api/feed-status`).then((x) => x.json())) as FeedStatus;
		expect(status.mode).toBe("resource");
		expect(status.health.state).toBe("fresh");
		expect(status.lastRevocation?.propagationMs).toBeGreaterThanOrEqual(0);
		const issuerStatus = (await fetch(`${a.url}/api/feed-status`).then((x) =>
			x.json(),
		)) as FeedStatus;
		expect(issuerStatus).toMatchObject({
			mode: "issuer",
			url: "/.well-known/xshl-revocations",
			health: { state: "fresh", entries: 2 },
		});
	});
});
