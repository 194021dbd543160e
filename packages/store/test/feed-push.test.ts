// The revocation feed's Server-Sent Events push on real parts: the feed's `handle` streamed by
// a node:http server on port 0, followed by RevocationFeedClient({ push: true }) with polling
// slowed to a minute, so what arrives in time came over the stream.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalKeySet } from "@xshl/keys";
import { RevocationFeedClient, type RevocationFeedEvents } from "@xshl/keys/revocations";
import { KeyRing } from "@xshl/keys/ring";
import { CompactSign } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRevocationFeed, type RevocationFeed, type RevocationFeedOptions } from "../src/feed";
import { MemoryStore } from "../src/index";

let ring: KeyRing;
beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
});

interface Issuer {
	store: MemoryStore;
	feed: RevocationFeed;
	server: Server;
	url: string;
	/** Request headers seen, in order. */
	seen: { accept: string; lastEventId: string | undefined; url: string }[];
	/** When true, the server answers every request with 503 (the issuer is down). */
	down: boolean;
}

function toRequest(req: IncomingMessage, origin: string): Request {
	const headers = new Headers();
	for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
	return new Request(new URL(req.url ?? "/", origin), { method: req.method ?? "GET", headers });
}

const issuers: Issuer[] = [];
const clients: RevocationFeedClient[] = [];
afterEach(async () => {
	for (const c of clients.splice(0)) c.close();
	for (const i of issuers.splice(0)) {
		i.feed.close();
		i.server.closeAllConnections();
		await new Promise<void>((resolve) => i.server.close(() => resolve()));
	}
});

async function startIssuer(extra: Partial<RevocationFeedOptions> = {}): Promise<Issuer> {
	const store = new MemoryStore({ graceMs: 0 });
	const feed = createRevocationFeed({
		store,
		accessTokenTtlMs: 120_000,
		sign: (payload, typ) => {
			const { privateKey, header } = ring.signingKey();
			return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ })
				.sign(privateKey);
		},
		...extra,
	});
	const issuer = { store, feed, seen: [], down: false } as unknown as Issuer;
	issuer.server = createServer(async (req, res) => {
		issuer.seen.push({
			accept: req.headers.accept ?? "",
			lastEventId: req.headers["last-event-id"] as string | undefined,
			url: req.url ?? "",
		});
		if (issuer.down) {
			res.writeHead(503).end();
			return;
		}
		const r = await feed.handle(toRequest(req, issuer.url));
		const headers: Record<string, string> = {};
		r.headers.forEach((value, name) => {
			headers[name] = value;
		});
		res.writeHead(r.status, headers);
		if (r.body === null) {
			res.end();
			return;
		}
		const reader = r.body.getReader();
		res.on("close", () => {
			reader.cancel().catch(() => {});
		});
		for (;;) {
			const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
			if (done) break;
			res.write(value);
		}
		res.end();
	});
	await new Promise<void>((resolve) => issuer.server.listen(0, "127.0.0.1", resolve));
	issuer.url = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}/.well-known/xshl-revocations`;
	issuers.push(issuer);
	return issuer;
}

function follow(issuer: Issuer, extra: Record<string, unknown> = {}) {
	const events: { type: string; event: unknown }[] = [];
	const client = new RevocationFeedClient({
		url: issuer.url,
		keys: new LocalKeySet({ name: "app", jwks: ring.jwks() }),
		push: true,
		pollMs: 60_000, // a minute: anything faster came over the stream
		retries: 0,
		errorBackoffMs: 100,
		errorBackoffMaxMs: 200,
		...extra,
	});
	for (const type of ["push", "refresh", "refreshError"] as const)
		client.on(type, (event: RevocationFeedEvents[typeof type]) => events.push({ type, event }));
	clients.push(client);
	return { client, events };
}

/** Resolve when `test()` holds, checking every 10 ms; reject after `ms`. */
async function until(test: () => boolean, ms = 5_000): Promise<number> {
	const start = performance.now();
	while (!test()) {
		if (performance.now() - start > ms) throw new Error("condition not met in time");
		await new Promise((r) => setTimeout(r, 10));
	}
	return performance.now() - start;
}

const ask = (sid: string) => ({ sid, jti: "j", iat: Math.floor(Date.now() / 1000) });

describe("revocation feed push (Server-Sent Events)", () => {
	it("delivers each revocation over the stream without a poll; one delta per change", async () => {
		const issuer = await startIssuer();
		await issuer.store.login({ sub: "alice", trace: "t", sid: "sid-a" });
		await issuer.store.login({ sub: "bob", trace: "t", sid: "sid-b" });
		const { client, events } = follow(issuer);
		await until(() => client.health().push === "open" && client.health().state === "fresh");
		expect(client.isRevoked(ask("sid-a"))).toBe(false);
		const requestsBefore = issuer.seen.length;
		await issuer.store.revokeSession({ sub: "alice", sid: "sid-a" });
		await until(() => client.isRevoked(ask("sid-a")));
		expect(client.isRevoked(ask("sid-b"))).toBe(false);
		expect(issuer.seen.length).toBe(requestsBefore); // no poll, no new stream
		expect(issuer.feed.subscribers).toBe(1);
		await issuer.store.revokeSession({ sub: "bob", sid: "sid-b" });
		await until(() => client.isRevoked(ask("sid-b")));
		const refreshes = events.filter((e) => e.type === "refresh").map((e) => e.event);
		// every document came over the stream: the first full one, then one delta per change
		const took = { durationMs: expect.any(Number) };
		expect(refreshes).toEqual([
			{
				seq: expect.any(Number),
				entries: 0,
				notModified: false,
				delta: false,
				via: "push",
				...took,
			},
			{
				seq: expect.any(Number),
				entries: 1,
				notModified: false,
				delta: true,
				via: "push",
				...took,
			},
			{ seq: issuer.feed.seq, entries: 2, notModified: false, delta: true, via: "push", ...took },
		]);
		expect(issuer.seen[0]?.accept).toBe("text/event-stream");
		expect(client.health()).toMatchObject({ state: "fresh", push: "open", seq: issuer.feed.seq });
	});

	it("reconnects after the connection drops, resuming from Last-Event-ID; polls while down", async () => {
		const issuer = await startIssuer();
		await issuer.store.login({ sub: "alice", trace: "t", sid: "sid-a" });
		const { client, events } = follow(issuer);
		await until(() => client.health().push === "open" && client.health().state === "fresh");
		const held = client.health().seq;
		issuer.server.closeAllConnections();
		await until(() =>
			events.some((e) => e.type === "push" && (e.event as { state: string }).state === "closed"),
		);
		await until(() => issuer.feed.subscribers === 1 && client.health().push === "open");
		const reopened = issuer.seen.filter((s) => s.accept === "text/event-stream");
		expect(reopened.length).toBe(2);
		expect(reopened[1]?.lastEventId).toBe(String(held));
		// the fallback poll ran while the stream was down (a delta request)
		expect(
			issuer.seen.some((s) => s.accept !== "text/event-stream" && s.url.includes(`since=${held}`)),
		).toBe(true);
		await issuer.store.revokeSession({ sub: "alice", sid: "sid-a" });
		await until(() => client.isRevoked(ask("sid-a")));
	});

	it("falls back to polling while streams are refused (503 past maxSubscribers)", async () => {
		const issuer = await startIssuer({ maxSubscribers: 1 });
		await issuer.store.login({ sub: "alice", trace: "t", sid: "sid-a" });
		const first = follow(issuer);
		await until(() => first.client.health().push === "open");
		const second = follow(issuer, { pollMs: 200 });
		await until(() => second.events.some((e) => e.type === "push"));
		const closed = second.events.find((e) => e.type === "push")
			?.event as RevocationFeedEvents["push"];
		expect(closed).toMatchObject({ state: "closed" });
		expect((closed as { error: { code: string; status: number } }).error).toMatchObject({
			code: "ERR_KEYS_HTTP_STATUS",
			status: 503,
		});
		expect(issuer.feed.subscribers).toBe(1);
		await issuer.store.revokeSession({ sub: "alice", sid: "sid-a" });
		await until(() => second.client.isRevoked(ask("sid-a"))); // by polling
		expect(second.client.health().push).toBe("connecting");
		await until(() => first.client.isRevoked(ask("sid-a"))); // by the stream
	});

	it("sends heartbeats, ends every stream on close() and refuses new ones", async () => {
		const issuer = await startIssuer({ heartbeatMs: 100 });
		const res = await fetch(issuer.url, { headers: { accept: "text/event-stream" } });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		expect(res.headers.get("cache-control")).toBe("no-store");
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		const dec = new TextDecoder();
		let text = "";
		while (!text.includes(": heartbeat")) text += dec.decode((await reader.read()).value);
		expect(text).toMatch(/^id: \d+\nevent: feed\ndata: [\w-]+\.[\w-]+\.[\w-]+\n\n/);
		expect(issuer.feed.subscribers).toBe(1);
		issuer.feed.close();
		for (;;) if ((await reader.read()).done) break;
		expect(issuer.feed.subscribers).toBe(0);
		const refused = await issuer.feed.handle(
			new Request(issuer.url, { headers: { accept: "text/event-stream" } }),
		);
		expect(refused.status).toBe(503);
		expect(refused.headers.get("retry-after")).toBe("5");
	});

	it("refuses invalid push options with ERR_STORE_CONFIG_INVALID", () => {
		const base = { store: new MemoryStore(), accessTokenTtlMs: 1000, sign: async () => "x" };
		expect(() =>
			createRevocationFeed({ ...base, maxSubscribers: -1, heartbeatMs: 5, pushSyncMs: 1.5 }),
		).toThrow(
			expect.objectContaining({
				code: "ERR_STORE_CONFIG_INVALID",
				issues: [
					{ path: "maxSubscribers", message: "expected an integer >= 0" },
					{ path: "heartbeatMs", message: "expected an integer >= 100 (ms)" },
					{ path: "pushSyncMs", message: "expected an integer >= 100 (ms)" },
				],
			}),
		);
	});
});
