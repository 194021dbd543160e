// RevocationFeedClient({ push: true }) against hostile event streams served by a real
// node:http server on port 0: each is refused with a typed error, the state held is kept,
// and the client polls meanwhile.
import type { ServerResponse } from "node:http";
import { CompactSign } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KeysError } from "../src/errors";
import type { LocalKeySet } from "../src/local-key-set";
import { FEED_TYPE, RevocationFeedClient, type RevocationFeedEvents } from "../src/revocations";
import { KeyRing } from "../src/ring";
import { startServer, type TestServer } from "./helpers";

const NOW = Math.floor(Date.now() / 1000);
const SALT = "c2FsdC1zYWx0LXNhbHQtMTY";
const enc = new TextEncoder();
const base = { v: 1, iat: NOW, salt: SALT };

async function sign(ring: KeyRing, payload: Record<string, unknown>, typ = FEED_TYPE) {
	const { privateKey, header } = ring.signingKey();
	return new CompactSign(enc.encode(JSON.stringify(payload)))
		.setProtectedHeader({ ...header, typ })
		.sign(privateKey);
}

let ring: KeyRing;
let keys: LocalKeySet;
let good: string;
beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	keys = ring.keySet("app");
	good = await sign(ring, { ...base, seq: 10, sids: { held: NOW + 100 } });
});

let servers: TestServer[] = [];
let clients: RevocationFeedClient[] = [];
afterEach(async () => {
	for (const c of clients) c.close();
	for (const s of servers) await s.close();
	servers = [];
	clients = [];
});

/**
 * A feed server: polls get the good document; the event stream gets `good` as its first
 * event, then what `hostile(res)` writes.
 */
async function serve(hostile: (res: ServerResponse) => void | Promise<void>) {
	const s = await startServer(async (req, res) => {
		if (req.headers.accept === "text/event-stream") {
			res.writeHead(200, { "content-type": "text/event-stream" });
			res.write(`id: 10\nevent: feed\ndata: ${good}\n\n`);
			await new Promise((resolve) => setTimeout(resolve, 30)); // the next write: another chunk
			await hostile(res);
			return;
		}
		res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ feed: good }));
	});
	servers.push(s);
	return s;
}

/** Follow `url` with push; resolves with the error of the first stream that closed. */
async function firstClose(
	url: string,
	extra: Record<string, unknown> = {},
	watch?: (client: RevocationFeedClient) => void,
) {
	const client = new RevocationFeedClient({
		url,
		keys,
		push: true,
		pollMs: 60_000,
		retries: 0,
		errorBackoffMs: 60_000,
		...extra,
	});
	clients.push(client);
	watch?.(client);
	const closed = await new Promise<RevocationFeedEvents["push"]>((resolve) => {
		client.on("push", (e) => {
			if (e.state === "closed") resolve(e);
		});
	});
	return { client, error: (closed as { error: KeysError | undefined }).error };
}

describe("RevocationFeedClient push: hostile streams", () => {
	it.each([
		[
			"an event over maxResponseBytes",
			"ERR_KEYS_RESPONSE_TOO_LARGE",
			(r: ServerResponse) => void r.write(`event: feed\ndata: ${"x".repeat(5000)}`),
		],
		[
			"garbage data",
			"ERR_KEYS_FEED_INVALID",
			(r: ServerResponse) => void r.write("event: feed\ndata: not-a-jws\n\n"),
		],
		[
			"bytes that are not UTF-8",
			"ERR_KEYS_FEED_INVALID",
			(r: ServerResponse) => void r.write(Buffer.from([0x3a, 0xff, 0xfe, 0x0a])),
		],
	])("%s: %s, the state held kept", async (_name, code, write) => {
		const s = await serve(write);
		const { client, error } = await firstClose(s.url("/feed"), { maxResponseBytes: 4096 });
		expect(error?.code).toBe(code);
		expect(client.health()).toMatchObject({ seq: 10, push: "connecting", lastError: code });
		expect(client.isRevoked({ sid: "held", jti: "j", iat: NOW })).toBe(true);
	});

	it("a document of another typ is refused (ERR_KEYS_FEED_INVALID)", async () => {
		const wrong = await sign(ring, { ...base, seq: 11, sids: {} }, "JWT");
		const s = await serve((r) => void r.write(`event: feed\ndata: ${wrong}\n\n`));
		const { client, error } = await firstClose(s.url("/feed"));
		expect(error?.code).toBe("ERR_KEYS_FEED_INVALID");
		expect(client.isRevoked({ sid: "held", jti: "j", iat: NOW })).toBe(true);
	});

	it("an older seq over the stream is a rollback (ERR_KEYS_FEED_ROLLBACK)", async () => {
		const old = await sign(ring, { ...base, seq: 9, sids: {} });
		const s = await serve((r) => void r.write(`event: feed\ndata: ${old}\n\n`));
		const { client, error } = await firstClose(s.url("/feed"));
		expect(error?.code).toBe("ERR_KEYS_FEED_ROLLBACK");
		expect(client.health().seq).toBe(10);
	});

	it("a stream that is not text/event-stream, a redirect, and a silent stream are refused", async () => {
		const json = await startServer((_req, res) => {
			res.writeHead(200, { "content-type": "application/json" }).end("{}");
		});
		const moved = await startServer((_req, res) => {
			res.writeHead(302, { location: "/elsewhere" }).end();
		});
		servers.push(json, moved);
		expect((await firstClose(json.url("/feed"))).error?.code).toBe("ERR_KEYS_CONTENT_TYPE");
		expect((await firstClose(moved.url("/feed"))).error?.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
		const silent = await serve(() => {});
		const { client, error } = await firstClose(silent.url("/feed"), { pushIdleMs: 200 });
		expect(error?.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
		expect(client.health().seq).toBe(10);
	});

	it("events of other types and comments are not applied; a split event is reassembled", async () => {
		const next = await sign(ring, { ...base, seq: 11, since: 10, sids: { added: NOW + 100 } });
		const s = await serve(async (r) => {
			r.write(`event: other\ndata: ${good}\n\n: comment\r\n\r\n`);
			r.write(`id: 11\r\nevent: feed\r\ndata: ${next.slice(0, 20)}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
			r.write(`${next.slice(20)}\r\n\r\n`);
			r.end();
		});
		const refreshes: RevocationFeedEvents["refresh"][] = [];
		const { client, error } = await firstClose(s.url("/feed"), {}, (c) =>
			c.on("refresh", (e) => refreshes.push(e)),
		);
		expect(error).toBeUndefined(); // the server ended the stream
		expect(client.health().seq).toBe(11);
		// the pushed documents are refreshes `via: "push"` (the stream's first event is the seq
		// already held, the second the delta), each with its verify-and-apply time
		expect(refreshes.filter((e) => e.via === "push").map((e) => [e.seq, e.delta])).toEqual([
			[10, false],
			[11, true],
		]);
		for (const e of refreshes) expect(e.durationMs).toBeGreaterThanOrEqual(0);
		expect(client.isRevoked({ sid: "added", jti: "j", iat: NOW })).toBe(true);
	});
});
