// The revocation feed's Redis log on the real Redis (DB 9, a random prefix, deleted after):
// two issuer instances publish into one log and each serves every revocation.
import { KeyRing } from "@xshl/keys/ring";
import { CompactSign } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRevocationFeed, type RevocationFeedOptions, revocationUserTag } from "../src/feed";
import { MemoryStore } from "../src/index";
import { connect, deletePrefix, keysOf, randomPrefix, shouldSkipRedis } from "./redis-helpers";

const skip = await shouldSkipRedis();
const DB = 9;
const prefix = randomPrefix("feed");
const SALT = "c2FsdC1zYWx0LXNhbHQtMTY";
const client = skip ? undefined : connect(DB);
let ring: KeyRing;

beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
});
afterAll(async () => {
	if (client === undefined) return;
	await deletePrefix(client, prefix);
	await client.quit();
});

function feedOn(store: MemoryStore, extra: Partial<RevocationFeedOptions> = {}) {
	return createRevocationFeed({
		store,
		accessTokenTtlMs: 120_000,
		salt: SALT,
		log: { redis: client as NonNullable<typeof client>, prefix: `${prefix}:{feed}:` },
		sign: (payload, typ) => {
			const { privateKey, header } = ring.signingKey();
			return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ })
				.sign(privateKey);
		},
		...extra,
	});
}

function payloadOf(jws: string): Record<string, unknown> & { seq: number } {
	const b64 = (jws.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/");
	return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
}

describe.skipIf(skip)("revocation feed: Redis log shared by issuer instances", () => {
	it("each instance serves the revocations the other saw; deltas; expired entries pruned", async () => {
		const storeA = new MemoryStore();
		const storeB = new MemoryStore();
		const feedA = feedOn(storeA);
		const feedB = feedOn(storeB);
		const a1 = await storeA.login({ sub: "alice", trace: "t", sid: "sid-a1" });
		expect(a1.sid).toBe("sid-a1");
		expect(await storeA.revokeSession({ sub: "alice", sid: "sid-a1" })).toBe(true);
		const { epoch } = await storeB.logoutAll("bob");

		const first = payloadOf(await feedB.document());
		const aliceExp = (first.sids as Record<string, number>)["sid-a1"] as number;
		expect(first).toMatchObject({
			v: 1,
			salt: SALT,
			sids: { "sid-a1": aliceExp },
			jtis: {},
			users: {
				[await revocationUserTag(SALT, "bob")]: [epoch, Math.ceil((epoch + 125_000) / 1000)],
			},
		});
		expect(aliceExp).toBeGreaterThanOrEqual(Math.ceil((Date.now() - 5_000 + 125_000) / 1000));
		expect(payloadOf(await feedA.document()).seq).toBe(first.seq);

		// a delta from instance A holds only what was written after the cursor
		await storeA.login({ sub: "carol", trace: "t", sid: "sid-c1" });
		await storeA.revokeSession({ sub: "carol", sid: "sid-c1" });
		await feedA.document(); // A's queue of log writes drained
		const delta = payloadOf(await feedB.delta(first.seq));
		expect(delta.since).toBe(first.seq);
		expect(delta.seq).toBeGreaterThan(first.seq);
		expect(delta.sids).toEqual({ "sid-c1": expect.any(Number) });
		expect(delta.users).toEqual({});
		feedA.close();
		feedB.close();

		// past every entry's life, a read prunes them from Redis too
		const later = feedOn(new MemoryStore(), { now: () => Date.now() + 200_000 });
		const pruned = payloadOf(await later.document());
		expect([pruned.sids, pruned.jtis, pruned.users]).toEqual([{}, {}, {}]);
		expect(pruned.seq).toBe(delta.seq);
		const left = (await keysOf(client as NonNullable<typeof client>, prefix)).sort();
		expect(left).toEqual([`${prefix}:{feed}:base`, `${prefix}:{feed}:seq`]);
		later.close();
	});
	it("a session opened after a logout everywhere in the same second is listed as fresh, across instances", async () => {
		// both stores on one fake clock placed 100 ms into a second
		let t = Math.floor(Date.now() / 1000) * 1000 + 100;
		const storeA = new MemoryStore({ now: () => t });
		const storeB = new MemoryStore({ now: () => t });
		const feedA = feedOn(storeA, { now: () => t });
		const feedB = feedOn(storeB, { now: () => t });
		const tag = await revocationUserTag(SALT, "erin");
		await storeA.login({ sub: "erin", trace: "t", sid: "sid-e-old" });
		t += 100;
		const { epoch } = await storeA.logoutAll("erin", { exceptSid: "sid-e-old" });
		const exp = Math.ceil((epoch + 125_000) / 1000);
		await feedA.document(); // A's queue of log writes drained
		const before = payloadOf(await feedB.document());
		expect((before.users as Record<string, unknown>)[tag]).toEqual([epoch, exp, "sid-e-old"]);
		t += 100; // same second, after the epoch: fresh (written by instance B)
		await storeB.login({ sub: "erin", trace: "t", sid: "sid-e-new" });
		t += 1000; // the next second: its tokens' iat is past the epoch anyway, not listed
		await storeB.login({ sub: "erin", trace: "t", sid: "sid-e-later" });
		await feedB.document();
		const delta = payloadOf(await feedA.delta(before.seq));
		expect(delta.users).toEqual({ [tag]: [epoch, exp, "sid-e-old", ["sid-e-new"]] });
		// a newer logout everywhere replaces the entry and its fresh sessions
		const second = await storeB.logoutAll("erin");
		await feedB.document();
		const after = payloadOf(await feedA.delta(delta.seq));
		expect(after.users).toEqual({
			[tag]: [second.epoch, Math.ceil((second.epoch + 125_000) / 1000)],
		});
		feedA.close();
		feedB.close();
	});

	it("push: a stream on one instance carries the entries another instance wrote (pushSyncMs)", async () => {
		const storeA = new MemoryStore();
		const storeB = new MemoryStore();
		const feedA = feedOn(storeA);
		const feedB = feedOn(storeB, { pushSyncMs: 100 });
		const res = await feedB.handle(
			new Request("http://127.0.0.1/.well-known/xshl-revocations", {
				headers: { accept: "text/event-stream" },
			}),
		);
		expect(res.status).toBe(200);
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		const dec = new TextDecoder();
		let text = "";
		const nextEvent = async (): Promise<{ id: number; payload: Record<string, unknown> }> => {
			for (;;) {
				const end = text.indexOf("\n\n");
				if (end !== -1) {
					const block = text.slice(0, end);
					text = text.slice(end + 2);
					const id = /^id: (\d+)$/m.exec(block)?.[1];
					const data = /^data: (.+)$/m.exec(block)?.[1];
					if (id !== undefined && data !== undefined)
						return { id: Number(id), payload: payloadOf(data) };
					continue; // a heartbeat
				}
				text += dec.decode((await reader.read()).value);
			}
		};
		const first = await nextEvent();
		expect(first.payload.since).toBeUndefined();
		await storeA.login({ sub: "frank", trace: "t", sid: "sid-f1" });
		await storeA.revokeSession({ sub: "frank", sid: "sid-f1" });
		const next = await nextEvent(); // written by A, found by B's sync
		expect(next.payload.since).toBe(first.id);
		expect(next.payload.sids).toEqual({ "sid-f1": expect.any(Number) });
		expect(next.id).toBe(next.payload.seq);
		expect(feedB.subscribers).toBe(1);
		await reader.cancel();
		expect(feedB.subscribers).toBe(0);
		feedA.close();
		feedB.close();
	});

	it("a log write that fails (Redis gone) is reported as an error event", async () => {
		const gone = connect(DB);
		await gone.ping();
		gone.disconnect();
		const store = new MemoryStore();
		const feed = createRevocationFeed({
			store,
			accessTokenTtlMs: 120_000,
			salt: SALT,
			log: { redis: gone, prefix: `${prefix}:{gone}:` },
			sign: async () => "unused",
		});
		const errors: string[] = [];
		feed.on("error", (e) => errors.push(e.error.message));
		await store.login({ sub: "dave", trace: "t", sid: "sid-d1" });
		await store.revokeSession({ sub: "dave", sid: "sid-d1" });
		await expect(feed.denyJti({ jti: "j1", exp: 2_000_000_000 })).resolves.toBeUndefined();
		// the login's same-second check, the revocation, the jti
		expect(errors).toEqual([
			"Connection is closed.",
			"Connection is closed.",
			"Connection is closed.",
		]);
		feed.close();
	});
});
