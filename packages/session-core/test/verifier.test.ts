// A compiled verifier keeps one jose options object per algorithm list: these tests pin that
// it still reads the injected clock on every call and follows the key set's algorithms.
import { Trace } from "@xshl/trace";
import { jwtVerify } from "jose";
import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import {
	createSessionVerifier,
	Session,
	SessionAlgNotAllowedError,
	SessionConfig,
	SessionConfigError,
	SessionExpiredError,
	SessionKeyUnknownError,
	SessionNotYetValidError,
	SessionSidMismatchError,
	SessionSignatureInvalidError,
	SessionTokenMalformedError,
	SessionTraceMismatchError,
	sessionClaimsSchema,
	type VerifySessionOptions,
} from "../src/index";
import { APP, caught, fixture, NOW_MS, SALT, tamper, UA } from "./helpers";

describe("createSessionVerifier: per-call state", () => {
	it("reads a custom clock on every call (one verifier, the clock moves)", async () => {
		let clock = NOW_MS;
		const { config } = await fixture("ES256", { now: () => clock });
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier({ ...session.options, now: () => clock });

		expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
		// default expires 120 s, leeway 5 s: exp <= now - leeway is expired
		clock = NOW_MS + 125_000;
		const expired = await caught(() => verifier.verify(token));
		expect(expired).toBeInstanceOf(SessionExpiredError);
		expect(expired.code).toBe("ERR_SESSION_EXPIRED");
		clock = NOW_MS + 124_000;
		expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
		clock = NOW_MS - 6_000;
		const early = await caught(() => verifier.verify(token));
		expect(early).toBeInstanceOf(SessionNotYetValidError);
		expect(early.code).toBe("ERR_SESSION_NOT_YET_VALID");
	});

	it("follows the key set's algorithms when they change after compilation", async () => {
		const es = await fixture("ES256");
		const session = new Session(es.config, new Trace(UA, SALT));
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier(session.options);
		expect((await verifier.verify(token)).sid).toBe(session.sid);

		// a key set whose algorithms() no longer lists ES256: the ES256 token is refused
		let algs = ["EdDSA"];
		const narrowed = createSessionVerifier({
			...session.options,
			keys: { ...pick(es.keys), algorithms: () => [...algs] },
		});
		const refused = await caught(() => narrowed.verify(token));
		expect(refused).toBeInstanceOf(SessionAlgNotAllowedError);
		expect(refused.code).toBe("ERR_SESSION_ALG_NOT_ALLOWED");
		// the same verifier accepts it once ES256 is back (a fresh array every call)
		algs = ["ES256", "EdDSA"];
		expect((await narrowed.verify(token)).sid).toBe(session.sid);
		algs = ["EdDSA"];
		expect((await caught(() => narrowed.verify(token))).code).toBe("ERR_SESSION_ALG_NOT_ALLOWED");
	});
});

function pick(keys: {
	name: string;
	resolver: (h: { kid?: string; alg?: string }, t?: unknown) => Promise<CryptoKey>;
	getKey: (q: { kid?: string; alg?: string }) => Promise<CryptoKey>;
}) {
	return { name: keys.name, resolver: keys.resolver, getKey: keys.getKey.bind(keys) };
}

describe("verifyWithHeader", () => {
	it("returns the claims and the protected header jose decoded", async () => {
		const { config, key } = await fixture("EdDSA");
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier(session.options);
		const result = await verifier.verifyWithHeader(token);
		expect(result.protectedHeader).toEqual({ alg: "EdDSA", kid: key.kid, typ: "xshl-session+jwt" });
		expect(result.claims).toEqual(await verifier.verify(token));
		expect(result.claims.sid).toBe(session.sid);
		const bad = await caught(() => verifier.verifyWithHeader(tamper(token)));
		expect(bad).toBeInstanceOf(SessionSignatureInvalidError);
		expect(bad.code).toBe("ERR_SESSION_SIGNATURE_INVALID");
	});
});

describe("cache (opt-in verified-token cache)", () => {
	async function setup(cache?: { maxEntries: number; maxAgeMs?: number }, maxTokenAgeMs?: number) {
		const clock = { ms: NOW_MS };
		const f = await fixture("ES256", { now: () => clock.ms }, "cache_set");
		const session = new Session(f.config, UA, SALT);
		session.aud = "service-api";
		session.payloads = { plan: "pro", nested: { list: [1, 2] } };
		const verifier = createSessionVerifier({
			...session.options,
			...(cache ? { cache } : {}),
			...(maxTokenAgeMs ? { maxTokenAgeMs } : {}),
		});
		return { clock, keys: f.keys, session, verifier };
	}

	it("is off by default: every call verifies the signature", async () => {
		const { keys, session, verifier } = await setup();
		const token = await session.jwt();
		const before = keys.resolverCalls;
		const a = await verifier.verify(token);
		const b = await verifier.verify(token);
		expect(keys.resolverCalls - before).toBe(2);
		expect(a).not.toBe(b);
		expect(Object.isFrozen(a)).toBe(false);
	});

	it("reuses a verification of the same token string, with frozen claims", async () => {
		const { keys, session, verifier } = await setup({ maxEntries: 10 });
		const token = await session.jwt();
		const before = keys.resolverCalls;
		const a = await verifier.verify(token);
		const b = await verifier.verify(token);
		const c = await verifier.verifyWithHeader(token);
		expect(keys.resolverCalls - before).toBe(1);
		expect(b).toBe(a);
		expect(c.claims).toBe(a);
		expect(c.protectedHeader.alg).toBe("ES256");
		expect(a.jti).toBe(session.get("jti"));
		expect(a._payloads).toEqual({ plan: "pro", nested: { list: [1, 2] } });
		expect(Object.isFrozen(a)).toBe(true);
		expect(Object.isFrozen((a._payloads as { nested: { list: number[] } }).nested.list)).toBe(true);
		expect(Object.isFrozen(c.protectedHeader)).toBe(true);
		// another token string is a miss
		await verifier.verify(await session.jwt());
		expect(keys.resolverCalls - before).toBe(2);
	});

	it("still checks exp, nbf, iat and maxTokenAgeMs (with leeway) on every hit", async () => {
		const { clock, keys, session, verifier } = await setup({ maxEntries: 10 }, 60_000);
		const token = await session.jwt();
		await verifier.verify(token);
		const calls = keys.resolverCalls;

		// the clock goes back before nbf - leeway (5 s): refused from the cache
		clock.ms = NOW_MS - 6_000;
		const early = await caught(() => verifier.verify(token));
		expect(early).toBeInstanceOf(SessionNotYetValidError);
		expect([early.code, early.claim]).toEqual(["ERR_SESSION_NOT_YET_VALID", "nbf"]);
		expect(keys.resolverCalls).toBe(calls);

		clock.ms = NOW_MS;
		await verifier.verify(token);
		expect(keys.resolverCalls).toBe(calls + 1);
		// older than maxTokenAgeMs (60 s) + leeway: refused from the cache with claim iat
		clock.ms = NOW_MS + 66_000;
		const old = await caught(() => verifier.verify(token));
		expect(old).toBeInstanceOf(SessionExpiredError);
		expect([old.code, old.claim]).toEqual(["ERR_SESSION_EXPIRED", "iat"]);
		expect(keys.resolverCalls).toBe(calls + 1);
	});

	it("never serves an entry at or past the token's exp; the full check decides", async () => {
		const { clock, keys, session, verifier } = await setup({ maxEntries: 10 });
		const token = await session.jwt(); // exp = now + 120
		await verifier.verify(token);
		const calls = keys.resolverCalls;
		clock.ms = NOW_MS + 119_000;
		await verifier.verify(token);
		expect(keys.resolverCalls).toBe(calls);
		// past exp, inside the leeway: verified again (signature), not served from the cache
		clock.ms = NOW_MS + 122_000;
		await verifier.verify(token);
		await verifier.verify(token);
		expect(keys.resolverCalls).toBe(calls + 2);
		clock.ms = NOW_MS + 125_000;
		const expired = await caught(() => verifier.verify(token));
		expect(expired).toBeInstanceOf(SessionExpiredError);
		expect([expired.code, expired.claim]).toEqual(["ERR_SESSION_EXPIRED", "exp"]);
	});

	it("maxAgeMs bounds the reuse; maxEntries evicts the least recently used", async () => {
		const { clock, keys, session, verifier } = await setup({ maxEntries: 2, maxAgeMs: 10_000 });
		const [t1, t2, t3] = [await session.jwt(), await session.jwt(), await session.jwt()];
		await verifier.verify(t1);
		await verifier.verify(t2);
		await verifier.verify(t1); // hit: t1 becomes the most recent
		await verifier.verify(t3); // evicts t2
		const calls = keys.resolverCalls;
		await verifier.verify(t1);
		await verifier.verify(t3);
		expect(keys.resolverCalls).toBe(calls);
		await verifier.verify(t2);
		expect(keys.resolverCalls).toBe(calls + 1);
		clock.ms = NOW_MS + 10_000; // maxAgeMs passed: verified again
		await verifier.verify(t2);
		expect(keys.resolverCalls).toBe(calls + 2);
	});

	it("rejections are never cached; trace and sid are checked on every call", async () => {
		const { keys, session, verifier } = await setup({ maxEntries: 10 });
		const other = new Session(session.config, "curl/8.0", SALT);
		other.aud = "service-api";
		const foreign = await other.jwt();
		const calls = keys.resolverCalls;
		for (let i = 0; i < 2; i++) {
			const e = await caught(() => verifier.verify(foreign));
			expect(e).toBeInstanceOf(SessionSidMismatchError);
			expect(e.code).toBe("ERR_SESSION_SID_MISMATCH");
		}
		expect(keys.resolverCalls).toBe(calls + 2);
		// same sid, other trace (sid fixed by the caller): a trace mismatch, every time
		const pinned = createSessionVerifier({
			...other.options,
			trace: session.trace,
			cache: { maxEntries: 10 },
		});
		for (let i = 0; i < 2; i++) {
			const e = await caught(() => pinned.verify(foreign));
			expect(e).toBeInstanceOf(SessionTraceMismatchError);
			expect(e.code).toBe("ERR_SESSION_TRACE_MISMATCH");
		}
	});

	it("follows the algorithm allowlist on hits; keeps a removed key's cached tokens (documented)", async () => {
		const { session } = await setup();
		const token = await session.jwt();
		let algs = ["ES256"];
		let keyPresent = true;
		const base = session.config.keys;
		const keys = {
			name: base.name,
			algorithms: () => algs,
			getKey: base.getKey.bind(base),
			resolver: (h: { kid?: string; alg?: string }, t?: unknown) =>
				keyPresent
					? base.resolver(h, t)
					: Promise.reject(Object.assign(new Error("gone"), { code: "ERR_KEYS_NO_MATCHING_KEY" })),
		};
		const verifier = createSessionVerifier({ ...session.options, keys, cache: { maxEntries: 4 } });
		await verifier.verify(token);
		// the trade-off: the key leaves the key set, the cached token still verifies until exp
		keyPresent = false;
		expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
		const fresh = await session.jwt();
		const unknown = await caught(() => verifier.verify(fresh));
		expect(unknown).toBeInstanceOf(SessionKeyUnknownError);
		expect(unknown.code).toBe("ERR_SESSION_KEY_UNKNOWN");
		// the algorithm leaves the allowlist: cached or not, refused
		algs = ["EdDSA"];
		const refused = await caught(() => verifier.verify(token));
		expect(refused).toBeInstanceOf(SessionAlgNotAllowedError);
		expect(refused.code).toBe("ERR_SESSION_ALG_NOT_ALLOWED");
	});

	it("freezes plain objects and arrays only (a custom schema's typed array stays usable)", async () => {
		const { session } = await setup();
		session.set("bin", "AQID");
		const token = await session.jwt();
		const schema = sessionClaimsSchema.extend({
			bin: z.string().transform((v) => Uint8Array.from(atob(v), (c) => c.charCodeAt(0))),
		});
		const verifier = createSessionVerifier({
			...session.options,
			schema,
			cache: { maxEntries: 2 },
		});
		const a = await verifier.verify(token);
		const b = await verifier.verify(token);
		expect(b).toBe(a);
		expect([...a.bin]).toEqual([1, 2, 3]);
		expect(Object.isFrozen(a)).toBe(true);
		expect(Object.isFrozen(a.bin)).toBe(false);
	});

	it("cache options are validated", async () => {
		const { session } = await setup();
		for (const cache of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { maxEntries: 2, ttl: 3 }]) {
			const e = await caught(() =>
				createSessionVerifier({ ...session.options, cache } as VerifySessionOptions),
			);
			expect(e).toBeInstanceOf(SessionConfigError);
			expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
		}
	});
});

describe("verify options in milliseconds", () => {
	it("refuses the old second-based names with a hint, and takes leewayMs/maxTokenAgeMs", async () => {
		const f = await fixture("ES256");
		const e = await caught(() =>
			createSessionVerifier({ keys: f.keys, leeway: 5, maxTokenAge: 60 } as never),
		);
		expect(e).toBeInstanceOf(SessionConfigError);
		expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
		expect((e as unknown as SessionConfigError).issues).toEqual([
			{ path: "leeway", message: "renamed to leewayMs, in milliseconds (5 s is 5000)" },
			{
				path: "maxTokenAge",
				message: "renamed to maxTokenAgeMs, in milliseconds (120 s is 120000)",
			},
		]);
		const cacheError = await caught(() =>
			createSessionVerifier({ keys: f.keys, cache: { maxEntries: 1, maxAge: 60 } } as never),
		);
		expect(cacheError).toBeInstanceOf(SessionConfigError);
		expect(createSessionVerifier({ keys: f.keys, leewayMs: 0, maxTokenAgeMs: 1000 }).sid).toBe(
			undefined,
		);
		const bad = await caught(() => createSessionVerifier({ keys: f.keys, leewayMs: 60_001 }));
		expect((bad as unknown as SessionConfigError).issues[0]?.path).toBe("leewayMs");
	});

	it("leewayMs is the exp tolerance: 3 s past exp passes with 5000, fails with 2000", async () => {
		const clock = { ms: NOW_MS };
		const f = await fixture("ES256", { now: () => clock.ms }, "leeway_set");
		const session = new Session(f.config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt(); // exp = now + 120
		clock.ms = NOW_MS + 123_000;
		const loose = createSessionVerifier({ ...session.options, leewayMs: 5000 });
		expect((await loose.verify(token)).jti).toBe(session.get("jti"));
		const tight = createSessionVerifier({ ...session.options, leewayMs: 2000 });
		const e = await caught(() => tight.verify(token));
		expect(e).toBeInstanceOf(SessionExpiredError);
		expect([e.code, e.claim]).toEqual(["ERR_SESSION_EXPIRED", "exp"]);
	});
});

/** The segment `index` of `token` with the unused low bits of its last character set. */
function spareBits(token: string, index: number): string {
	const parts = token.split(".");
	const part = parts[index]!;
	const rest = part.length % 4;
	expect(rest === 2 || rest === 3).toBe(true);
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const last = alphabet.indexOf(part.at(-1)!);
	parts[index] = part.slice(0, -1) + alphabet[last | (rest === 2 ? 0x0f : 0x03)];
	return parts.join(".");
}

describe("strict parsing (issue 12 §2)", () => {
	it("a segment whose last character carries non-zero unused bits is malformed", async () => {
		const { config, keys } = await fixture("ES256");
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier(session.options);
		// the signature is 64 bytes: 86 characters, the last one carries 4 unused bits
		const mutated = spareBits(token, 2);
		expect(mutated).not.toBe(token);
		// control: the bytes are the same, and jose alone accepts the second string (the old behaviour)
		const sig = (t: string) => Buffer.from(t.split(".")[2]!, "base64url");
		expect(sig(mutated).equals(sig(token))).toBe(true);
		const key = await keys.getKey({ kid: config.header.kid, alg: "ES256" });
		const raw = await jwtVerify(mutated, key, { currentDate: new Date(NOW_MS) });
		expect(raw.payload.jti).toBe(session.get("jti"));
		const before = keys.resolverCalls;
		for (const t of [
			mutated,
			...[0, 1].filter((i) => token.split(".")[i]!.length % 4 > 1).map((i) => spareBits(token, i)),
		]) {
			const e = await caught(() => verifier.verify(t));
			expect(e).toBeInstanceOf(SessionTokenMalformedError);
			expect(e.code).toBe("ERR_SESSION_TOKEN_MALFORMED");
			expect(e.message).toContain("not canonical base64url");
		}
		// a segment of 1 character modulo 4 holds no whole byte (86 + 3 = 89 characters)
		const [h, p, s] = token.split(".");
		expect(s!.length).toBe(86);
		const short = await caught(() => verifier.verify(`${h}.${p}.${s}AAA`));
		expect(short).toBeInstanceOf(SessionTokenMalformedError);
		expect(short.message).toContain("not canonical base64url");
		expect(keys.resolverCalls).toBe(before);
		expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
	});

	it("RFC 9864: alg Ed25519 verifies beside EdDSA when the key set lists EdDSA", async () => {
		const ed = await fixture("EdDSA");
		// one Ed25519 key, published as EdDSA; the resolver finds it for either name
		const keys = {
			name: "session_name",
			resolver: async () => ed.key.publicKey,
			getKey: async () => ed.key.publicKey,
			algorithms: () => ["EdDSA"],
		};
		const config = new SessionConfig({
			keys,
			app: APP,
			audience: ["service-api"],
			header: { alg: "Ed25519", kid: ed.key.kid },
			key: ed.key.privateKey,
			now: () => NOW_MS,
		});
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier(session.options);
		const { protectedHeader, claims } = await verifier.verifyWithHeader(token);
		expect(protectedHeader.alg).toBe("Ed25519");
		expect(claims.jti).toBe(session.get("jti"));
		// control: a verifier told only EdDSA refuses the new name
		const strict = createSessionVerifier({ ...session.options, algorithms: ["EdDSA"] });
		const e = await caught(() => strict.verify(token));
		expect(e).toBeInstanceOf(SessionAlgNotAllowedError);
		expect(e.code).toBe("ERR_SESSION_ALG_NOT_ALLOWED");
	});
});

describe("engines (issue 13 §1)", () => {
	it("auto picks the synchronous node:crypto engine on Node; engine: jose forces jose", async () => {
		const f = await fixture("ES256");
		expect(createSessionVerifier({ keys: f.keys }).engine).toBe("node");
		expect(createSessionVerifier({ keys: f.keys, engine: "jose" }).engine).toBe("jose");
		const e = await caught(() =>
			createSessionVerifier({ keys: f.keys, engine: "webcrypto" as never }),
		);
		expect((e as unknown as SessionConfigError).issues[0]?.path).toBe("engine");
	});

	it("the node engine never calls WebCrypto verify, and converts each key once", async () => {
		const { config, keys } = await fixture("ES256");
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const tokens = [await session.jwt(), await session.jwt(), await session.jwt()];
		const node = createSessionVerifier(session.options);
		const jose = createSessionVerifier({ ...session.options, engine: "jose" });
		const nodeCrypto = await import("node:crypto");
		const from = vi.spyOn(nodeCrypto.KeyObject, "from");
		const subtle = vi.spyOn(crypto.subtle, "verify").mockRejectedValue(new Error("no WebCrypto"));
		try {
			for (const t of tokens) expect((await node.verify(t)).sid).toBe(session.sid);
			// the same key object from the key set: one conversion for three verifications
			expect(from).toHaveBeenCalledTimes(1);
			expect(subtle).not.toHaveBeenCalled();
			// control: jose goes through WebCrypto, which now fails
			const e = await caught(() => jose.verify(tokens[0]!));
			expect(e.code).toBe("ERR_SESSION_SIGNATURE_INVALID");
			expect(subtle).toHaveBeenCalledTimes(1);
		} finally {
			from.mockRestore();
			subtle.mockRestore();
		}
		expect(keys.resolverCalls).toBeGreaterThan(0);
	});

	it("binds the algorithm to the key: a PS256 header over an RS256 key is refused by both engines", async () => {
		const rs = await fixture("RS256");
		// a lax key set: it returns the RS256 key whatever alg the header names
		const lax = {
			name: "session_name",
			resolver: async () => rs.key.publicKey,
			getKey: async () => rs.key.publicKey,
			algorithms: () => ["RS256", "PS256"],
		};
		const session = new Session(rs.config, UA, SALT);
		session.aud = "service-api";
		const [h, p] = (await session.jwt()).split(".") as [string, string];
		const header = JSON.parse(Buffer.from(h, "base64url").toString());
		const nodeCrypto = await import("node:crypto");
		const pkcs8 = nodeCrypto.createPrivateKey(rs.key.pkcs8);
		const ph = Buffer.from(JSON.stringify({ ...header, alg: "PS256" })).toString("base64url");
		const sig = nodeCrypto.sign("sha256", Buffer.from(`${ph}.${p}`), {
			key: pkcs8,
			padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING,
			saltLength: 32,
		});
		const pss = `${ph}.${p}.${sig.toString("base64url")}`;
		for (const engine of ["auto", "jose"] as const) {
			const verifier = createSessionVerifier({ ...session.options, keys: lax, engine });
			const e = await caught(() => verifier.verify(pss));
			expect(e).toBeInstanceOf(SessionSignatureInvalidError);
			expect([verifier.engine, e.code]).toEqual([
				engine === "auto" ? "node" : "jose",
				"ERR_SESSION_SIGNATURE_INVALID",
			]);
		}
	});
});

describe("per-call trace (issue 13 §3)", () => {
	async function clients() {
		const f = await fixture("ES256", {}, "per_call_set");
		const alice = new Session(f.config, new Trace(UA, "alice-salt"));
		const bob = new Session(f.config, new Trace(UA, "bob-salt"));
		alice.aud = "service-api";
		bob.aud = "service-api";
		return { f, alice, bob, a: await alice.jwt(), b: await bob.jwt() };
	}

	it("one compiled verifier serves every client: the call's trace decides sid and trace", async () => {
		const { f, alice, bob, a, b } = await clients();
		const verifier = createSessionVerifier({
			keys: f.keys,
			audience: ["service-api"],
			now: () => NOW_MS,
		});
		expect(verifier.sid).toBeUndefined();
		// a fresh Trace per request, as a server builds it from the request
		expect((await verifier.verify(a, { trace: new Trace(UA, "alice-salt") })).sid).toBe(alice.sid);
		expect(
			(await verifier.verifyWithHeader(b, { trace: new Trace(UA, "bob-salt") })).claims.sid,
		).toBe(bob.sid);
		// another client's token: its sid is not this client's
		const e = await caught(() => verifier.verify(a, { trace: new Trace(UA, "bob-salt") }));
		expect(e).toBeInstanceOf(SessionSidMismatchError);
		expect([e.code, e.claim]).toEqual(["ERR_SESSION_SID_MISMATCH", "sid"]);
		// control: without a trace nothing binds the token to a client
		expect((await verifier.verify(a)).sid).toBe(alice.sid);
	});

	it("the call's trace replaces the compiled one; with an explicit sid only the trace claim is checked", async () => {
		const { f, alice, a } = await clients();
		const compiled = createSessionVerifier({ ...alice.options, trace: new Trace(UA, "bob-salt") });
		expect((await compiled.verify(a, { trace: new Trace(UA, "alice-salt") })).jti).toBe(
			alice.get("jti"),
		);
		// explicit sid: a trace with the same sid text is not enough, the trace claim must match
		const pinned = createSessionVerifier({ keys: f.keys, sid: alice.sid, now: () => NOW_MS });
		const e = await caught(() => pinned.verify(a, { trace: new Trace(UA, "bob-salt") }));
		expect(e).toBeInstanceOf(SessionTraceMismatchError);
		expect([e.code, e.claim]).toEqual(["ERR_SESSION_TRACE_MISMATCH", "trace"]);
		const bad = await caught(() => pinned.verify(a, { trace: "alice" as never }));
		expect(bad).toBeInstanceOf(SessionConfigError);
		expect((bad as unknown as SessionConfigError).issues).toEqual([
			{ path: "trace", message: "expected a Trace from @xshl/trace" },
		]);
	});

	it("keeps the first plain Trace of a text (its trace-value memo serves the next request); a subclass is used as given", async () => {
		const { f, alice, a } = await clients();
		const verifier = createSessionVerifier({
			keys: f.keys,
			audience: ["service-api"],
			now: () => NOW_MS,
		});
		const first = new Trace(UA, "alice-salt");
		let computed = 0;
		const get = first.get.bind(first);
		first.get = (jti: string) => {
			computed++;
			return get(jti);
		};
		expect((await verifier.verify(a, { trace: first })).sid).toBe(alice.sid);
		expect(computed).toBe(1);
		// a fresh Trace of the same text: the kept one checks the trace claim
		const fresh = new Trace(UA, "alice-salt");
		fresh.get = () => {
			throw new Error("the fresh Trace was not expected to compute");
		};
		expect((await verifier.verify(a, { trace: fresh })).sid).toBe(alice.sid);
		expect(computed).toBe(2);
		// a subclass decides for itself, even with a known text
		class Refusing extends Trace {
			override validate(): boolean {
				return false;
			}
		}
		const e = await caught(() => verifier.verify(a, { trace: new Refusing(UA, "alice-salt") }));
		expect(e).toBeInstanceOf(SessionTraceMismatchError);
		expect([e.code, e.claim]).toEqual(["ERR_SESSION_TRACE_MISMATCH", "trace"]);
		// and its sid is still derived from its text
		const b = await caught(() => verifier.verify(a, { trace: new Refusing(UA, "bob-salt") }));
		expect(b).toBeInstanceOf(SessionSidMismatchError);
	});

	it("the verified-token cache honours the call's trace on every hit", async () => {
		const { f, alice, a } = await clients();
		const verifier = createSessionVerifier({
			keys: f.keys,
			audience: ["service-api"],
			now: () => NOW_MS,
			cache: { maxEntries: 10 },
		});
		const calls = f.keys.resolverCalls;
		const first = await verifier.verify(a, { trace: new Trace(UA, "alice-salt") });
		// a hit for another client is refused, and does not evict the entry
		const e = await caught(() => verifier.verify(a, { trace: new Trace(UA, "bob-salt") }));
		expect(e).toBeInstanceOf(SessionSidMismatchError);
		const again = await verifier.verify(a, { trace: new Trace(UA, "alice-salt") });
		expect(again).toBe(first);
		expect(again.sid).toBe(alice.sid);
		expect(f.keys.resolverCalls - calls).toBe(1);
	});
});

describe("a key set's resolveSync (the node engine's lookup without a promise)", () => {
	async function setup() {
		const f = await fixture("ES256");
		const session = new Session(f.config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const lookups: unknown[] = [];
		let answer: (h: { kid?: string; alg?: string }) => unknown = (h) =>
			h.kid === f.key.kid ? f.key.publicKey : undefined;
		const keys = Object.assign(f.keys, {
			resolveSync: (h: { kid?: string; alg?: string }) => {
				lookups.push({ ...h });
				return answer(h) as CryptoKey | undefined;
			},
		});
		const verifier = createSessionVerifier({ ...session.options, keys, now: () => NOW_MS });
		const joseVerifier = createSessionVerifier({
			...session.options,
			keys,
			now: () => NOW_MS,
			engine: "jose",
		});
		return {
			f,
			token,
			keys,
			lookups,
			verifier,
			joseVerifier,
			set: (a: typeof answer) => (answer = a),
		};
	}

	it("a key at hand is used with no resolver call; the result is jose's", async () => {
		const { f, token, keys, lookups, verifier, joseVerifier } = await setup();
		const before = keys.resolverCalls;
		const claims = await verifier.verify(token);
		expect(keys.resolverCalls).toBe(before);
		expect(lookups).toEqual([{ alg: "ES256", kid: f.key.kid, typ: "xshl-session+jwt" }]);
		expect(claims).toEqual(await joseVerifier.verify(token));
		// the jose engine never asks it
		expect(lookups).toHaveLength(1);
		// a forged signature is refused on this path too
		expect((await caught(() => verifier.verify(tamper(token)))).code).toBe(
			"ERR_SESSION_SIGNATURE_INVALID",
		);
	});

	it("undefined, a throw or something not a CryptoKey: the resolver answers, its error mapped", async () => {
		const { f, token, keys, verifier, joseVerifier, set } = await setup();
		const expected = await joseVerifier.verify(token);
		for (const answer of [
			() => undefined,
			() => {
				throw new Error("lookup exploded");
			},
			() => f.key.publicJwk,
		]) {
			set(answer);
			const before = keys.resolverCalls;
			expect(await verifier.verify(token)).toEqual(expected);
			expect(keys.resolverCalls).toBe(before + 1);
		}
		// the resolver's own refusal is what the caller sees
		set(() => undefined);
		const other = new Session(
			new SessionConfig({
				keys,
				app: APP,
				audience: ["service-api"],
				header: { alg: "ES256", kid: "unknown-kid" },
				key: f.key.privateKey,
				now: () => NOW_MS,
			}),
			UA,
			SALT,
		);
		other.aud = "service-api";
		const e = await caught(async () => verifier.verify(await other.jwt()));
		expect(e.code).toBe("ERR_SESSION_KEY_UNKNOWN");
	});
});

describe("the node engine's verified-header memo", () => {
	it("a known header segment still needs a good signature; each call gets its own header object", async () => {
		const { config } = await fixture("ES256");
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const verifier = createSessionVerifier({ ...session.options, now: () => NOW_MS });
		expect(verifier.engine).toBe("node");
		const one = await verifier.verifyWithHeader(token);
		expect(Object.isFrozen(one.protectedHeader)).toBe(false);
		(one.protectedHeader as Record<string, unknown>).alg = "none";
		(one.protectedHeader as Record<string, unknown>).extra = 1;
		// the same header segment (now known) on a forged token: refused as before
		const forged = tamper(token);
		expect(forged.split(".")[0]).toBe(token.split(".")[0]);
		const e = await caught(() => verifier.verify(forged));
		expect(e.code).toBe("ERR_SESSION_SIGNATURE_INVALID");
		// the caller's edits did not reach the memo
		const two = await verifier.verifyWithHeader(token);
		expect(two.protectedHeader).not.toBe(one.protectedHeader);
		expect(two.protectedHeader).toEqual({
			alg: "ES256",
			kid: config.header.kid,
			typ: "xshl-session+jwt",
		});
		// a known header whose alg the allowlist no longer has is refused
		const narrowed = createSessionVerifier({
			...session.options,
			now: () => NOW_MS,
			algorithms: ["ES256"],
		});
		await narrowed.verify(token);
		const other = createSessionVerifier({
			...session.options,
			now: () => NOW_MS,
			algorithms: ["EdDSA"],
		});
		expect((await caught(() => other.verify(token))).code).toBe("ERR_SESSION_ALG_NOT_ALLOWED");
	});
});

describe("engine selection and fallbacks", () => {
	it("without process.getBuiltinModule (web runtimes) detection finds nothing and verifiers use jose", async () => {
		const { detectNodeCrypto } = await import("../src/internal/engine-node");
		expect(detectNodeCrypto()).toBeDefined();
		const saved = process.getBuiltinModule;
		(process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
		try {
			expect(detectNodeCrypto()).toBeUndefined();
			vi.resetModules();
			const fresh = await import("../src/verify");
			const f = await fixture("ES256");
			const verifier = fresh.createSessionVerifier({ keys: f.keys });
			expect(verifier.engine).toBe("jose");
		} finally {
			process.getBuiltinModule = saved;
			vi.resetModules();
		}
	});

	it("workerd and Vercel's edge runtime keep jose although they expose node:crypto", async () => {
		const { detectNodeCrypto } = await import("../src/internal/engine-node");
		const g = globalThis as { EdgeRuntime?: unknown };
		expect(detectNodeCrypto()).toBeDefined();
		vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
		try {
			expect(detectNodeCrypto()).toBeUndefined();
		} finally {
			vi.unstubAllGlobals();
		}
		g.EdgeRuntime = "edge-runtime";
		try {
			expect(detectNodeCrypto()).toBeUndefined();
		} finally {
			delete g.EdgeRuntime;
		}
		expect(detectNodeCrypto()).toBeDefined();
	});

	it("a resolver that returns a JWK (not a CryptoKey) is verified through jose, same results", async () => {
		const { config, key } = await fixture("ES256");
		const session = new Session(config, UA, SALT);
		session.aud = "service-api";
		const token = await session.jwt();
		const jwkKeys = {
			name: "session_name",
			resolver: async () => ({ ...key.publicJwk, alg: "ES256" }) as unknown as CryptoKey,
			getKey: async () => key.publicKey,
			algorithms: () => ["ES256"],
		};
		for (const engine of ["auto", "jose"] as const) {
			const verifier = createSessionVerifier({ ...session.options, keys: jwkKeys, engine });
			expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
			const bad = await caught(() => verifier.verify(tamper(token)));
			expect([verifier.engine, bad.code]).toEqual([
				engine === "auto" ? "node" : "jose",
				"ERR_SESSION_SIGNATURE_INVALID",
			]);
		}
	});
});
