// Issue 12 §3 and issue 18 §2: the ring never outgrows what RemoteKeySet accepts (cap,
// minimum rotation interval, 80 % warning), withdraw(kid), and the ring's events.
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
	KeyRingRotationTooSoonError,
	MAX_PUBLISHED_KEYS,
	NoMatchingKeyError,
	RemoteKeySet,
} from "../src/index";
import { KeyRing, type KeyRingEvents } from "../src/ring";
import { clock, rejection, startServer } from "./helpers";

type Seen = { [K in keyof KeyRingEvents]: { type: K } & KeyRingEvents[K] }[keyof KeyRingEvents];

function record(ring: KeyRing): Seen[] {
	const seen: Seen[] = [];
	for (const type of ["rotate", "withdraw", "expire", "evict", "capacityWarning"] as const)
		ring.on(type, (e) => seen.push({ type, ...e } as Seen));
	return seen;
}

async function signWith(ring: KeyRing): Promise<string> {
	const { privateKey, header } = ring.signingKey();
	return new SignJWT({ sub: "u1" }).setProtectedHeader(header).sign(privateKey);
}

const HOUR = 3_600_000;

describe("minimum rotation interval", () => {
	it("refuses a rotation closer than minRotationIntervalMs (1 h by default) to the previous switch", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		await ring.rotate(); // the first rotation after generation is never refused
		const active = ring.signingKey().kid;
		c.advance(HOUR - 1);
		const e = await rejection(ring.rotate());
		expect(e).toBeInstanceOf(KeyRingRotationTooSoonError);
		expect(e.code).toBe("ERR_KEYS_ROTATION_TOO_SOON");
		expect(e.status).toBe(409);
		expect(e.retryAt).toBe(c.t + 1);
		expect(ring.signingKey().kid).toBe(active);
		// a scheduled switch is measured the same way
		expect((await rejection(ring.rotate({ at: c.t + 0 }))).retryAt).toBe(c.t + 1);
		await ring.rotate({ at: c.t + 1 });
		c.advance(1);
		expect(ring.signingKey().kid).not.toBe(active);
	});

	it("control: minRotationIntervalMs: 0 lets rotations follow each other", async () => {
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			minRotationIntervalMs: 0,
		});
		await ring.rotate();
		await ring.rotate();
		expect(ring.list().map((k) => k.state)).toEqual(["active", "next", "retired", "retired"]);
	});

	it("survives snapshot()/restore(): the previous switch travels with the retired key", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		await ring.rotate();
		const copy = await KeyRing.restore(await ring.snapshot(), { now: c.now });
		c.advance(60_000);
		expect((await rejection(copy.rotate())).code).toBe("ERR_KEYS_ROTATION_TOO_SOON");
	});
});

describe("the publish cap (MAX_PUBLISHED_KEYS)", () => {
	it("is the RemoteKeySet's default maxKeys: 100", () => {
		expect(MAX_PUBLISHED_KEYS).toBe(100);
	});

	it("drops the oldest retired keys beyond the cap (evict) and warns at 80 % (capacityWarning)", async () => {
		const c = clock();
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			minRotationIntervalMs: 0,
			maxPublishedKeys: 10,
			now: c.now,
		});
		const seen = record(ring);
		const retired: string[] = [];
		for (let i = 0; i < 6; i++) {
			retired.push(ring.signingKey().kid);
			await ring.rotate();
			c.advance(1);
		}
		// 2 + 6 = 8 keys: 80 % of 10 warns after the 6th rotation, not before
		expect(ring.list()).toHaveLength(8);
		expect(seen.filter((e) => e.type === "capacityWarning")).toEqual([
			{ type: "capacityWarning", keys: 8, maxPublishedKeys: 10 },
		]);
		for (let i = 0; i < 3; i++) {
			retired.push(ring.signingKey().kid);
			await ring.rotate();
			c.advance(1);
		}
		expect(ring.list()).toHaveLength(10);
		expect(seen.filter((e) => e.type === "evict")).toEqual([
			{ type: "evict", kids: [retired[0]], maxPublishedKeys: 10 },
		]);
		expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(retired[0]);
		expect(ring.jwks().keys.map((k) => k.kid)).toContain(retired[1]);
		expect(ring.list().filter((k) => k.state === "active")).toHaveLength(1);
	});

	it("with the defaults, 49 rotations a day (the reported case) never publish more than a RemoteKeySet accepts", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", now: c.now });
		const seen = record(ring);
		let refused = 0;
		for (let i = 0; i < 49; i++) {
			const r = await ring.rotate().catch((e: unknown) => e);
			if (r instanceof KeyRingRotationTooSoonError) refused++;
			c.advance(Math.floor(86_400_000 / 49));
		}
		// every 29.4 min: one rotation in three is at least 1 h after the previous switch
		expect(refused).toBe(32);
		expect(ring.jwks().keys.length).toBeLessThanOrEqual(52);
		expect(seen.filter((e) => e.type === "evict" || e.type === "capacityWarning")).toEqual([]);
		// a fresh verifier accepts the whole JWKS
		const s = await startServer((_req, res) => {
			res.writeHead(200, { "content-type": "application/json" });
			res.end(JSON.stringify(ring.jwks()));
		});
		try {
			const ks = new RemoteKeySet({ name: "n", url: s.url() });
			await ks.load();
			expect(ks.stats().keys).toBe(ring.jwks().keys.length);
			ks.close();
		} finally {
			await s.close();
		}
	});

	it("refuses maxPublishedKeys above MAX_PUBLISHED_KEYS (CFG)", async () => {
		const e = await rejection(
			KeyRing.generate({ signing: "ES256", maxPublishedKeys: MAX_PUBLISHED_KEYS + 1 }),
		);
		expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
		expect(e.issues[0].path).toBe("maxPublishedKeys");
	});
});

describe("withdraw(kid)", () => {
	it("the active key leaves the JWKS and signing at once; the published next key signs", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const seen = record(ring);
		const ks = ring.keySet("n");
		const old = ring.signingKey().kid;
		const next = ring.list().find((k) => k.state === "next")!.kid;
		const oldToken = await signWith(ring);
		await ring.withdraw(old);
		expect(ring.signingKey().kid).toBe(next);
		expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(old);
		expect(ring.list().map((k) => k.state)).toEqual(["active", "next"]);
		const e = await rejection(jwtVerify(oldToken, ks.resolver));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect((await jwtVerify(await signWith(ring), ks.resolver)).protectedHeader.kid).toBe(next);
		expect(seen).toEqual([
			{ type: "withdraw", kid: old, use: "sig", state: "active", activeKid: next },
		]);
	});

	it("a retired key goes before its grace ends; a next key is replaced by a new one", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const seen = record(ring);
		const retired = ring.signingKey().kid;
		await ring.rotate();
		await ring.withdraw(retired);
		expect(ring.list().map((k) => k.state)).toEqual(["active", "next"]);
		const next = ring.list()[1]!.kid;
		await ring.withdraw(next);
		const after = ring.list();
		expect(after.map((k) => k.state)).toEqual(["active", "next"]);
		expect(after[1]!.kid).not.toBe(next);
		expect(seen.filter((e) => e.type === "withdraw").map((e) => [e.type, e.state])).toEqual([
			["withdraw", "retired"],
			["withdraw", "next"],
		]);
	});

	it("withdrawing a key scheduled by rotate({ at }) cancels that switch", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const active = ring.signingKey().kid;
		await ring.rotate({ at: c.t + 600_000 });
		const scheduled = ring.list().find((k) => k.activateAt === c.t + 600_000)!.kid;
		await ring.withdraw(scheduled);
		c.advance(600_000);
		expect(ring.signingKey().kid).toBe(active);
		expect(ring.list().map((k) => k.state)).toEqual(["active", "next"]);
		expect(ring.list()[0]!.retireAt).toBeUndefined();
	});

	it("an unknown kid throws ERR_KEYS_NO_MATCHING_KEY and changes nothing", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
		const before = ring.jwks();
		const e = await rejection(ring.withdraw("nope"));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect(e.reason).toBe("unknown-kid");
		expect(ring.jwks()).toEqual(before);
	});
});

describe("events (issue 18 §2)", () => {
	it("rotate carries the switch time and, per use, the active, retired and next kids", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", now: c.now });
		const seen = record(ring);
		const before = ring.list();
		await ring.rotate({ at: c.t + 120_000 });
		const after = ring.list();
		const kid = (use: string, state: string, list = before) =>
			list.find((k) => k.use === use && k.state === state && k.activateAt === undefined)?.kid ??
			list.find((k) => k.use === use && k.state === state)!.kid;
		expect(seen).toEqual([
			{
				type: "rotate",
				at: c.t + 120_000,
				rotations: ["sig", "enc"].map((use) => ({
					use,
					activeKid: kid(use, "next"),
					retiredKid: kid(use, "active"),
					nextKid: after.find((k) => k.use === use && k.activateAt === undefined)!.kid,
				})),
			},
		]);
		// payloads carry kids and times only, never key material
		expect(JSON.stringify(seen)).not.toMatch(/"(d|p|q|x|y|n)":/);
	});

	it("expire fires once when a retired key's grace ends and it leaves the JWKS", async () => {
		const c = clock();
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			graceMs: 60_000,
			now: c.now,
		});
		const seen = record(ring);
		const old = ring.signingKey().kid;
		await ring.rotate();
		c.advance(59_999);
		ring.jwks();
		expect(seen.filter((e) => e.type === "expire")).toEqual([]);
		c.advance(1);
		expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(old);
		ring.jwks();
		expect(seen.filter((e) => e.type === "expire")).toEqual([
			{ type: "expire", kid: old, use: "sig", removeAt: c.t },
		]);
	});

	it("a listener that throws never breaks the call; off() unsubscribes", async () => {
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			minRotationIntervalMs: 0,
		});
		let calls = 0;
		ring.on("rotate", () => {
			throw new Error("broken logger");
		});
		const off = ring.on("rotate", () => {
			calls++;
		});
		await ring.rotate();
		off();
		await ring.rotate();
		expect(calls).toBe(1);
		expect(ring.list().filter((k) => k.state === "retired")).toHaveLength(2);
	});
});
