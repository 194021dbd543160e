// RevocationFeedClient on real parts: a node:http feed server on port 0 serving documents
// signed by a real KeyRing, verified with the ring's key set.
import { base64url, CompactSign } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeysFeedInvalidError, KeysFeedRollbackError, KeysNetworkError } from "../src/errors";
import type { LocalKeySet } from "../src/local-key-set";
import { FEED_TYPE, RevocationFeedClient, type RevocationFeedEvents } from "../src/revocations";
import { KeyRing } from "../src/ring";
import { clock, once, rejection, startServer, type TestServer } from "./helpers";

const NOW = 1_800_000_000; // seconds
const SALT = "c2FsdC1zYWx0LXNhbHQtMTY";
const enc = new TextEncoder();

async function userTag(sub: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", enc.encode(SALT + sub));
	return base64url.encode(new Uint8Array(digest));
}

async function sign(ring: KeyRing, payload: Record<string, unknown>, typ = FEED_TYPE) {
	const { privateKey, header } = ring.signingKey();
	return new CompactSign(enc.encode(JSON.stringify(payload)))
		.setProtectedHeader({ ...header, typ })
		.sign(privateKey);
}

let ring: KeyRing;
let other: KeyRing;
let keys: LocalKeySet;
beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	other = await KeyRing.generate({ signing: "ES256", encryption: false });
	keys = ring.keySet("app");
});

/** A feed server answering the document `docs[0]`, or the delta `deltas[since]`, with an ETag. */
interface Feed {
	server: TestServer;
	full: string;
	deltas: Map<string, string>;
	etag: string;
	down: boolean;
}
let servers: TestServer[] = [];
afterEach(async () => {
	for (const s of servers) await s.close();
	servers = [];
});

async function feedServer(full: string, etag = '"1"'): Promise<Feed> {
	const f = { full, deltas: new Map<string, string>(), etag, down: false } as Feed;
	f.server = await startServer((req, res) => {
		if (f.down) {
			res.writeHead(503).end();
			return;
		}
		if (req.headers["if-none-match"] === f.etag) {
			res.writeHead(304, { etag: f.etag }).end();
			return;
		}
		const since = new URL(req.url ?? "/", "http://x").searchParams.get("since");
		const doc = (since !== null && f.deltas.get(since)) || f.full;
		res.writeHead(200, { "content-type": "application/json", etag: f.etag });
		res.end(JSON.stringify({ feed: doc }));
	});
	servers.push(f.server);
	return f;
}

const base = { v: 1, iat: NOW, salt: SALT };

describe("RevocationFeedClient", () => {
	it("loads a signed feed and answers isRevoked by sid, jti and user epoch, synchronously", async () => {
		const epochMs = NOW * 1000 - 10_000;
		const feed = await feedServer(
			await sign(ring, {
				...base,
				seq: 3,
				sids: { "sid-1": NOW + 125 },
				jtis: { "jti-1": NOW + 125 },
				users: { [await userTag("alice")]: [epochMs, NOW + 115] },
			}),
		);
		const c = clock(NOW * 1000);
		const client = new RevocationFeedClient({ url: feed.server.url("/feed"), keys, now: c.now });
		expect(client.isRevoked({ sid: "x", jti: "y", iat: NOW })).toBe(true); // empty, fail-closed
		await client.load();
		expect(client.isRevoked({ sid: "sid-1", jti: "j", iat: NOW })).toBe(true);
		expect(client.isRevoked({ sid: "s", jti: "jti-1", iat: NOW })).toBe(true);
		expect(client.isRevoked({ sid: "s", jti: "j", sub: "alice", iat: NOW - 10 })).toBe(true);
		expect(client.isRevoked({ sid: "s", jti: "j", sub: "alice", iat: NOW - 9 })).toBe(false);
		expect(client.isRevoked({ sid: "s", jti: "j", sub: "bob", iat: NOW - 100 })).toBe(false);
		expect(client.health()).toEqual({
			state: "fresh",
			seq: 3,
			ageMs: 0,
			entries: 3,
			policy: "fail-closed",
			refusingAll: false,
			lastError: undefined,
			push: "off",
		});
	});

	it("asks for a delta since the seq held, merges it, and a 304 costs nothing", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 1, sids: { a: NOW + 100 } }));
		// the client's clock moves 40 ms per request: each poll's durationMs is exactly that
		let t = NOW * 1000;
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: () => t,
			retries: 0,
			fetch: (input, init) => {
				t += 40;
				return fetch(input, init);
			},
		});
		const events: RevocationFeedEvents["refresh"][] = [];
		const errors: RevocationFeedEvents["refreshError"][] = [];
		client.on("refresh", (e) => events.push(e));
		client.on("refreshError", (e) => errors.push(e));
		await client.load();
		await client.load(); // 304 (same ETag)
		feed.etag = '"2"';
		feed.deltas.set("1", await sign(ring, { ...base, seq: 2, since: 1, sids: { b: NOW + 100 } }));
		await client.load();
		expect(feed.server.paths).toEqual(["/feed", "/feed?since=1", "/feed?since=1"]);
		const poll = { via: "poll", durationMs: 40 };
		expect(events).toEqual([
			{ seq: 1, entries: 1, notModified: false, delta: false, ...poll },
			{ seq: 1, entries: 1, notModified: true, delta: false, ...poll },
			{ seq: 2, entries: 2, notModified: false, delta: true, ...poll },
		]);
		feed.down = true;
		await expect(client.load()).rejects.toMatchObject({ code: "ERR_KEYS_HTTP_STATUS" });
		expect(errors.map((e) => [e.error.code, e.durationMs])).toEqual([["ERR_KEYS_HTTP_STATUS", 40]]);
		feed.down = false;
		expect(client.isRevoked({ sid: "a", jti: "j", iat: NOW })).toBe(true);
		expect(client.isRevoked({ sid: "b", jti: "j", iat: NOW })).toBe(true);
	});

	it("shares one request between concurrent loads (single-flight)", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 1 }));
		const client = new RevocationFeedClient({ url: feed.server.url("/feed"), keys });
		await Promise.all([client.load(), client.load(), client.load()]);
		expect(feed.server.requests).toBe(1);
	});

	it("refuses a rolled-back feed with ERR_KEYS_FEED_ROLLBACK and keeps the newer state", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 5, sids: { a: NOW + 100 } }));
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: () => NOW * 1000,
		});
		await client.load();
		feed.etag = '"old"';
		feed.full = await sign(ring, { ...base, seq: 4 });
		const error = await rejection(client.load());
		expect(error).toBeInstanceOf(KeysFeedRollbackError);
		expect(error.code).toBe("ERR_KEYS_FEED_ROLLBACK");
		expect([error.heldSeq, error.receivedSeq]).toEqual([5, 4]);
		expect(client.health().seq).toBe(5);
		expect(client.isRevoked({ sid: "a", jti: "j", iat: NOW })).toBe(true);
	});

	it("same second as a logout everywhere: refused unless the session kept or listed as opened after it", async () => {
		const epochMs = NOW * 1000 + 400; // iat NOW is the epoch's second
		const tag = await userTag("alice");
		const feed = await feedServer(
			await sign(ring, { ...base, seq: 5, users: { [tag]: [epochMs, NOW + 125, "", ["new"]] } }),
		);
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: () => NOW * 1000,
		});
		await client.load();
		const ask = (sid: string, iat: number) =>
			client.isRevoked({ sid, jti: "j", sub: "alice", iat });
		expect([ask("old", NOW), ask("new", NOW), ask("old", NOW + 1), ask("new", NOW - 1)]).toEqual([
			true,
			false,
			false,
			false,
		]);
		// a delta with a newer logout everywhere replaces the entry (fresh sessions and all)
		feed.deltas.set(
			"5",
			await sign(ring, {
				...base,
				seq: 6,
				since: 5,
				users: { [tag]: [epochMs + 100, NOW + 125, "kept"] },
			}),
		);
		feed.etag = '"6"';
		await client.load();
		expect([ask("new", NOW), ask("kept", NOW), ask("old", NOW + 1)]).toEqual([true, false, false]);
		// malformed fresh lists are refused
		for (const [i, entry] of [
			[epochMs, NOW + 125, "", []],
			[epochMs, NOW + 125, "", [""]],
			[epochMs, NOW + 125, 7, ["a"]],
			[epochMs, NOW + 125, "", "a"],
			[epochMs, NOW + 125, "", ["a"], 1],
		].entries()) {
			feed.full = await sign(ring, { ...base, seq: 10 + i, users: { [tag]: entry } });
			feed.deltas.clear();
			feed.etag = `"m${i}"`;
			expect((await rejection(client.load())).code).toBe("ERR_KEYS_FEED_INVALID");
		}
		expect(client.health().seq).toBe(6);
	});

	it("refuses a tampered feed, a foreign signer and a wrong typ with ERR_KEYS_FEED_INVALID", async () => {
		const good = await sign(ring, { ...base, seq: 1, sids: { a: NOW + 100 } });
		const [h, , s] = good.split(".");
		const forged = base64url.encode(enc.encode(JSON.stringify({ ...base, seq: 9, sids: {} })));
		const cases = [
			`${h}.${forged}.${s}`,
			await sign(other, { ...base, seq: 9 }),
			await sign(ring, { ...base, seq: 9 }, "JWT"),
			await sign(ring, { ...base, seq: 9, users: { t: "x" } }),
		];
		const feed = await feedServer(good);
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: () => NOW * 1000,
		});
		await client.load();
		for (const [i, doc] of cases.entries()) {
			feed.full = doc;
			feed.etag = `"t${i}"`;
			const error = await rejection(client.load());
			expect(error).toBeInstanceOf(KeysFeedInvalidError);
			expect(error.code).toBe("ERR_KEYS_FEED_INVALID");
		}
		expect(client.health().seq).toBe(1);
		expect(client.isRevoked({ sid: "a", jti: "j", iat: NOW })).toBe(true);
	});

	it("feed down: stale, then past maxStaleMs fail-closed refuses every token", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 1 }));
		const c = clock(NOW * 1000);
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: c.now,
			maxStaleMs: 10_000,
			retries: 0,
		});
		const seen: string[] = [];
		client.on("stale", () => seen.push("stale"));
		client.on("expired", (e) => seen.push(`expired:${e.policy}:${e.ageMs}`));
		await client.load();
		await feed.server.close();
		c.advance(5_000);
		const error = await rejection(client.load());
		expect(error).toBeInstanceOf(KeysNetworkError);
		expect(client.health().state).toBe("stale");
		expect(client.isRevoked({ sid: "s", jti: "j", iat: NOW })).toBe(false);
		c.advance(5_001);
		expect(client.isRevoked({ sid: "s", jti: "j", iat: NOW })).toBe(true);
		expect(seen).toEqual(["stale", "expired:fail-closed:10001"]);
		expect(client.health()).toMatchObject({
			state: "expired",
			refusingAll: true,
			lastError: "ERR_KEYS_NETWORK",
		});
	});

	it("feed down with fail-open: past maxStaleMs answers from the last state", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 1, sids: { a: NOW + 100 } }));
		const c = clock(NOW * 1000);
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			now: c.now,
			maxStaleMs: 10_000,
			policy: "fail-open",
		});
		expect(client.isRevoked({ sid: "s", jti: "j", iat: NOW })).toBe(false);
		await client.load();
		feed.down = true;
		c.advance(20_000);
		const error = await rejection(client.load());
		expect(error.code).toBe("ERR_KEYS_HTTP_STATUS");
		expect(client.isRevoked({ sid: "s", jti: "j", iat: NOW })).toBe(false);
		expect(client.isRevoked({ sid: "a", jti: "j", iat: NOW })).toBe(true);
		expect(client.health()).toMatchObject({ state: "expired", refusingAll: false });
	});
	it("autoRefresh polls by itself, with the backoff after a failure, until close()", async () => {
		const feed = await feedServer(await sign(ring, { ...base, seq: 1 }));
		const client = new RevocationFeedClient({
			url: feed.server.url("/feed"),
			keys,
			autoRefresh: true,
			pollMs: 100,
			errorBackoffMs: 100,
			retries: 0,
			random: () => 0,
		});
		const first = await once<RevocationFeedEvents["refresh"]>((l) => client.on("refresh", l));
		expect(first).toMatchObject({
			seq: 1,
			entries: 0,
			notModified: false,
			delta: false,
			via: "poll",
		});
		expect(first.durationMs).toBeGreaterThanOrEqual(0);
		const second = await once<RevocationFeedEvents["refresh"]>((l) => client.on("refresh", l));
		expect(second).toMatchObject({
			seq: 1,
			entries: 0,
			notModified: true,
			delta: false,
			via: "poll",
		});
		feed.down = true;
		const failed = await once<RevocationFeedEvents["refreshError"]>((l) =>
			client.on("refreshError", l),
		);
		expect(failed.error.code).toBe("ERR_KEYS_HTTP_STATUS");
		expect(failed.retryInMs).toBe(50); // errorBackoffMs × (0.5 + random/2)
		feed.down = false;
		feed.etag = '"2"';
		feed.full = await sign(ring, { ...base, seq: 2, sids: { z: NOW + 100 } });
		const back = await once<RevocationFeedEvents["refresh"]>((l) => client.on("refresh", l));
		expect(back.seq).toBe(2);
		client.close();
		expect(client.health().state).toBe("fresh");
	});
});
