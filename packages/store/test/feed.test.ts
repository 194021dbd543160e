// The revocation feed end to end on real parts: an issuer (MemoryStore + KeyRing + the feed's
// `handle` on a node:http server, port 0) and a verifier (RemoteKeySet + RevocationFeedClient
// + createSessionVerifier) that makes no store call per request.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KeysFeedInvalidError, KeysFeedRollbackError, RemoteKeySet } from "@xshl/keys";
import { RevocationFeedClient } from "@xshl/keys/revocations";
import { KeyRing } from "@xshl/keys/ring";
import {
	createSessionVerifier,
	Session,
	SessionConfig,
	SessionRevokedError,
} from "@xshl/session-core";
import { CompactSign } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
	createRevocationFeed,
	REVOCATION_FEED_TYPE,
	type RevocationFeed,
	revocationUserTag,
} from "../src/feed";
import { MemoryStore, RefreshReusedError, StoreConfigError } from "../src/index";

const APP = "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a";
const UA = "Mozilla/5.0 (X11; Linux x86_64)";

interface Issuer {
	store: MemoryStore;
	ring: KeyRing;
	feed: RevocationFeed;
	origin: string;
	/** When set, /feed answers this body instead of the feed's. */
	override: string | undefined;
	server: Server;
	requests: string[];
}

function toRequest(req: IncomingMessage, origin: string): Request {
	const headers = new Headers();
	for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
	return new Request(new URL(req.url ?? "/", origin), { method: req.method ?? "GET", headers });
}

async function startIssuer(now?: () => number): Promise<Issuer> {
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const store = new MemoryStore(now === undefined ? { graceMs: 0 } : { graceMs: 0, now });
	const feed = createRevocationFeed({
		...(now === undefined ? {} : { now }),
		store,
		accessTokenTtlMs: 120_000,
		sign: (payload, typ) => {
			const { privateKey, header } = ring.signingKey();
			return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ })
				.sign(privateKey);
		},
	});
	const issuer = { store, ring, feed, override: undefined, requests: [] } as unknown as Issuer;
	issuer.server = createServer(async (req, res) => {
		issuer.requests.push(req.url ?? "");
		if (req.url === "/jwks.json") {
			res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ring.jwks()));
			return;
		}
		if (issuer.override !== undefined) {
			res.writeHead(200, { "content-type": "application/json" }).end(issuer.override);
			return;
		}
		const r = await feed.handle(toRequest(req, issuer.origin));
		const headers: Record<string, string> = {};
		r.headers.forEach((value, name) => {
			headers[name] = value;
		});
		res.writeHead(r.status, headers).end(await r.text());
	});
	await new Promise<void>((resolve) => issuer.server.listen(0, "127.0.0.1", resolve));
	issuer.origin = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}`;
	return issuer;
}

/** Log `sub` in on the store and issue an access token carrying the family's sid. */
async function login(issuer: Issuer, sub: string, salt: string, now?: () => number) {
	const { header, privateKey } = issuer.ring.signingKey();
	const config = new SessionConfig({
		...(now === undefined ? {} : { now }),
		keys: issuer.ring.keySet("app"),
		app: APP,
		audience: ["service-api"],
		header,
		key: privateKey,
	});
	const session = new Session(config, UA, salt);
	session.sub = sub;
	session.aud = "service-api";
	const family = await issuer.store.login({ sub, trace: salt, sid: session.sid });
	return { token: await session.jwt(), sid: session.sid, refreshToken: family.refreshToken };
}

function verifierFor(
	issuer: Issuer,
	feedOptions: { now?: () => number; maxStaleMs?: number } = {},
) {
	const keys = new RemoteKeySet({ name: "app", url: `${issuer.origin}/jwks.json` });
	const client = new RevocationFeedClient({
		url: `${issuer.origin}/.well-known/xshl-revocations`,
		keys,
		retries: 0,
		...feedOptions,
	});
	const verifier = createSessionVerifier({
		keys,
		audience: ["service-api"],
		cache: { maxEntries: 100 },
		revocations: client,
	});
	return { keys, client, verifier };
}

async function refusal(p: Promise<unknown>): Promise<{ code?: string } & Error> {
	try {
		await p;
	} catch (e) {
		return e as never;
	}
	throw new Error("expected a rejection");
}

let issuer: Issuer;
beforeEach(async () => {
	issuer = await startIssuer();
});
afterEach(async () => {
	issuer.feed.close();
	issuer.server.closeAllConnections();
	await new Promise<void>((resolve) => issuer.server.close(() => resolve()));
});

describe("revocation feed end to end", () => {
	it("revokeSession, a detected reuse and logoutAll are refused after the next poll; other users keep working", async () => {
		const a1 = await login(issuer, "alice", "salt-a1");
		const a2 = await login(issuer, "alice", "salt-a2");
		const b1 = await login(issuer, "bob", "salt-b1");
		const c1 = await login(issuer, "carol", "salt-c1");
		const { client, verifier } = verifierFor(issuer);
		await client.load();
		for (const t of [a1, a2, b1, c1]) expect((await verifier.verify(t.token)).sid).toBe(t.sid);

		// revoke one session
		expect(await issuer.store.revokeSession({ sub: "alice", sid: a1.sid })).toBe(true);
		expect((await verifier.verify(a1.token)).sid).toBe(a1.sid); // before the poll: cached and allowed
		await client.load();
		const revoked = await refusal(verifier.verify(a1.token));
		expect(revoked).toBeInstanceOf(SessionRevokedError);
		expect(revoked.code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(a2.token)).sid).toBe(a2.sid);

		// a detected refresh reuse (graceMs 0: replaying the ancestor)
		await issuer.store.rotate(c1.refreshToken, { trace: "salt-c1" });
		const reuse = await refusal(issuer.store.rotate(c1.refreshToken, { trace: "salt-c1" }));
		expect(reuse).toBeInstanceOf(RefreshReusedError);
		await client.load();
		expect((await refusal(verifier.verify(c1.token))).code).toBe("ERR_SESSION_REVOKED");

		// logout everywhere
		await issuer.store.logoutAll("alice");
		await client.load();
		expect((await refusal(verifier.verify(a2.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(b1.token)).sub).toBe("bob");

		// the polls after the first asked for deltas
		const polls = issuer.requests.filter((u) => u.startsWith("/.well-known"));
		expect(polls[0]).toBe("/.well-known/xshl-revocations");
		expect(polls.slice(1).every((u) => /\?since=\d+$/.test(u))).toBe(true);
		expect(client.health()).toMatchObject({ state: "fresh", entries: 3, seq: issuer.feed.seq });
	});

	it("the store's denyJti and denySid reach the feed through its deny event", async () => {
		const a1 = await login(issuer, "alice", "salt-a1");
		const a2 = await login(issuer, "alice", "salt-a2");
		const b1 = await login(issuer, "bob", "salt-b1");
		const { client, verifier } = verifierFor(issuer);
		await client.load();
		const c1 = await verifier.verify(a1.token);
		const denied: string[] = [];
		issuer.store.on("deny", (e) => denied.push(`${e.kind}:${e.id}:${e.exp}`));

		await issuer.store.denyJti({ sub: "alice", id: c1.jti, exp: c1.exp });
		await client.load();
		expect((await refusal(verifier.verify(a1.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(a2.token)).sid).toBe(a2.sid);

		await issuer.store.denySid({ sub: "alice", id: a2.sid, exp: c1.exp });
		await client.load();
		expect((await refusal(verifier.verify(a2.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(b1.token)).sub).toBe("bob");
		expect(denied).toEqual([`jti:${c1.jti}:${c1.exp}`, `sid:${a2.sid}:${c1.exp}`]);
		expect(client.health()).toMatchObject({ state: "fresh", entries: 2 });
	});

	it("logoutAll with exceptSid keeps that session's token", async () => {
		const a1 = await login(issuer, "alice", "salt-a1");
		const a2 = await login(issuer, "alice", "salt-a2");
		const { client, verifier } = verifierFor(issuer);
		await issuer.store.logoutAll("alice", { exceptSid: a2.sid });
		await client.load();
		expect((await refusal(verifier.verify(a1.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(a2.token)).sid).toBe(a2.sid);
	});

	it("iat at second granularity: a token of the logout's second is refused unless its session was opened after the logout", async () => {
		// the issuer's clock, 100 ms into the current second (tokens' iat is that second)
		let t = Math.floor(Date.now() / 1000) * 1000 + 100;
		const now = () => t;
		issuer.feed.close();
		issuer.server.closeAllConnections();
		await new Promise<void>((resolve) => issuer.server.close(() => resolve()));
		issuer = await startIssuer(now);
		const before = await login(issuer, "alice", "salt-a1", now); // iat = S, before the logout
		const other = await login(issuer, "bob", "salt-b1", now);
		t += 100;
		const { epoch } = await issuer.store.logoutAll("alice");
		t += 100;
		const after = await login(issuer, "alice", "salt-a2", now); // iat = S too, after the logout
		expect(Math.floor(epoch / 1000)).toBe(Math.floor(t / 1000));
		const { client, verifier } = verifierFor(issuer);
		await client.load();
		expect((await refusal(verifier.verify(before.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(after.token)).sid).toBe(after.sid);
		expect((await verifier.verify(other.token)).sid).toBe(other.sid);
		// the entry names the fresh session, bound to this epoch
		const tag = await revocationUserTag(issuer.feed.salt, "alice");
		const payload = JSON.parse(
			atob(
				((await issuer.feed.document()).split(".")[1] as string)
					.replace(/-/g, "+")
					.replace(/_/g, "/"),
			),
		);
		expect(payload.users[tag]).toEqual([
			epoch,
			Math.ceil((epoch + 125_000) / 1000),
			"",
			[after.sid],
		]);
		// a second logout everywhere in that second replaces the entry: the session is refused now
		t += 100;
		await issuer.store.logoutAll("alice");
		await client.load(); // a delta
		expect((await refusal(verifier.verify(after.token))).code).toBe("ERR_SESSION_REVOKED");
		expect((await verifier.verify(other.token)).sid).toBe(other.sid);
	});

	it("publishes no raw sub: users are SHA-256 tags of salt || sub", async () => {
		await login(issuer, "alice@example.com", "salt-a1");
		await issuer.store.logoutAll("alice@example.com");
		const jws = await issuer.feed.document();
		const payload = JSON.parse(
			new TextDecoder().decode(
				Uint8Array.from(
					atob((jws.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/")),
					(c) => c.charCodeAt(0),
				),
			),
		);
		expect(jws).not.toContain("alice");
		expect(JSON.stringify(payload)).not.toContain("alice");
		expect(Object.keys(payload.users)).toEqual([
			await revocationUserTag(issuer.feed.salt, "alice@example.com"),
		]);
		expect(
			JSON.parse(atob((jws.split(".")[0] as string).replace(/-/g, "+").replace(/_/g, "/"))).typ,
		).toBe(REVOCATION_FEED_TYPE);
	});

	it("answers 304 to a matching If-None-Match with a short max-age", async () => {
		const url = `${issuer.origin}/.well-known/xshl-revocations`;
		const first = await fetch(url);
		expect(first.status).toBe(200);
		expect(first.headers.get("cache-control")).toBe("public, max-age=2");
		const etag = first.headers.get("etag") as string;
		expect(etag).toBe(`"${issuer.feed.seq}"`);
		const again = await fetch(url, { headers: { "if-none-match": etag } });
		expect(again.status).toBe(304);
		expect((await fetch(`${url}?since=abc`)).status).toBe(400);
		expect((await fetch(url, { method: "POST" })).status).toBe(405);
	});

	it("a rolled-back feed and a tampered feed are refused with typed errors; the newer state is kept", async () => {
		const a1 = await login(issuer, "alice", "salt-a1");
		const { client, verifier } = verifierFor(issuer);
		await client.load();
		const old = JSON.stringify({ feed: await issuer.feed.document() });
		await issuer.store.revokeSession({ sub: "alice", sid: a1.sid });
		await client.load();

		issuer.override = old;
		const rollback = await refusal(client.load());
		expect(rollback).toBeInstanceOf(KeysFeedRollbackError);
		expect(rollback.code).toBe("ERR_KEYS_FEED_ROLLBACK");

		const current = await issuer.feed.document();
		const [h, p, s] = current.split(".") as [string, string, string];
		const tampered = `${h}.${p.slice(0, -2)}${p.endsWith("A") ? "B" : "A"}${p.slice(-1)}.${s}`;
		issuer.override = JSON.stringify({ feed: tampered });
		const invalid = await refusal(client.load());
		expect(invalid).toBeInstanceOf(KeysFeedInvalidError);
		expect(invalid.code).toBe("ERR_KEYS_FEED_INVALID");

		expect((await refusal(verifier.verify(a1.token))).code).toBe("ERR_SESSION_REVOKED");
	});

	it("the feed endpoint down: fail-closed past maxStaleMs refuses every token", async () => {
		const b1 = await login(issuer, "bob", "salt-b1");
		let now = Date.now();
		const { keys, client, verifier } = verifierFor(issuer, { now: () => now, maxStaleMs: 10_000 });
		await keys.load();
		await client.load();
		expect((await verifier.verify(b1.token)).sub).toBe("bob");
		issuer.override = "not json";
		now += 10_001;
		expect((await refusal(client.load())).code).toBe("ERR_KEYS_FEED_INVALID");
		expect((await refusal(verifier.verify(b1.token))).code).toBe("ERR_SESSION_REVOKED");
		expect(client.health()).toMatchObject({ state: "expired", refusingAll: true });
		issuer.override = undefined;
		await client.load();
		expect((await verifier.verify(b1.token)).sub).toBe("bob");
	});

	it("refuses invalid options with ERR_STORE_CONFIG_INVALID", () => {
		expect(() =>
			createRevocationFeed({ store: issuer.store, sign: async () => "", accessTokenTtlMs: 0 }),
		).toThrow(StoreConfigError);
	});
});
