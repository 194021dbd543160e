// The rows of ../shared/SECURITY-CATALOG.md this package answers for (ALG-06/07, HDR-01..06,
// KEY-01..15, RING-01..03), one describe per row id, each with a valid control so a test that
// rejects everything fails.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
	CompactEncrypt,
	calculateJwkThumbprint,
	compactDecrypt,
	exportJWK,
	generateKeyPair,
	importPKCS8,
	jwtVerify,
	SignJWT,
} from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
	KeysConfigError,
	KeysUnavailableError,
	LocalKeySet,
	MultipleMatchingKeysError,
	NoMatchingKeyError,
	RemoteKeySet,
	type RemoteKeySetOptions,
} from "../src/index";
import { createNodeFetch } from "../src/node";
import {
	type EncryptionAlg,
	jwkThumbprint,
	KeyRing,
	type KeyRingSnapshot,
	type SigningAlg,
} from "../src/ring";
import {
	clock,
	deadUrl,
	finalError,
	json,
	makeKey,
	once,
	PUBLIC_MEMBERS,
	rejection,
	sign,
	signWith,
	startServer,
	type TestKey,
	type TestServer,
} from "./helpers";

let A: TestKey;
let B: TestKey;
let R: TestKey;
let server: TestServer;
let listener: TestServer;
let keys: RemoteKeySet;
const c = clock();

beforeAll(async () => {
	A = await makeKey("a");
	B = await makeKey("b");
	R = await makeKey("r", "RS256");
	server = await startServer(json({ keys: [A.publicJwk, R.publicJwk] }));
	listener = await startServer(json({ keys: [] }));
	keys = new RemoteKeySet({
		name: "session_name",
		url: server.url(),
		now: c.now,
		random: () => 0.5,
	});
	await keys.load();
});

afterAll(async () => {
	keys.close();
	await server.close();
	await listener.close();
});

async function hs256(
	kid: string,
	secret: Uint8Array,
	header: Record<string, unknown> = {},
): Promise<string> {
	return new SignJWT({ sub: "admin" })
		.setProtectedHeader({ alg: "HS256", kid, ...header })
		.sign(secret);
}

async function control(): Promise<void> {
	expect(
		(await jwtVerify(await sign(A), keys.resolver, { algorithms: keys.algorithms("sig") })).payload
			.sub,
	).toBe("u1");
}

function b64(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString("base64url");
}

// per-test servers and key sets, closed after each test
const servers: TestServer[] = [];
const sets: RemoteKeySet[] = [];

afterEach(async () => {
	for (const k of sets.splice(0)) k.close();
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
	const s = await startServer(handler);
	servers.push(s);
	return s;
}

function remote(url: string, extra: Partial<RemoteKeySetOptions> = {}): RemoteKeySet {
	const ks = new RemoteKeySet({ name: "session_name", url, random: () => 0.5, ...extra });
	sets.push(ks);
	return ks;
}

describe("ALG-06/ALG-07: alg confusion", () => {
	it("ALG-06/ALG-07: a key without alg never enables HS*; an RSA kid with alg HS256 is rejected", async () => {
		const noAlg = { ...R.publicJwk, alg: undefined, kid: "r-noalg" };
		const ks = new LocalKeySet({ name: "n", jwks: { keys: [noAlg] } });
		await ks.load();
		expect(ks.algorithms("sig")).toEqual(["RS256"]);
		// computed once per key index, handed out as a copy: a caller's edit reaches nobody
		const list = ks.algorithms("sig");
		list.push("HS256");
		expect(ks.algorithms("sig")).toEqual(["RS256"]);
		expect(ks.algorithms("sig")).not.toBe(ks.algorithms("sig"));
		const t = await hs256("r-noalg", new Uint8Array(32));
		const e = await rejection(jwtVerify(t, ks.resolver));
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(e.reason).toBe("no-candidate");
		// PS256 with an alg-less RSA key works too (imported on demand, then memoised)
		const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const pub = { ...pair.publicKey.export({ format: "jwk" }), kid: "ps" };
		const local = new LocalKeySet({ name: "n", jwks: { keys: [pub] } });
		await local.load();
		expect(local.get("ps", { alg: "PS256" })).toBeUndefined();
		const ps = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "PS256", kid: "ps" })
			.sign(
				await importPKCS8(
					pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
					"PS256",
				),
			);
		expect((await jwtVerify(ps, local.resolver)).payload.sub).toBe("u1");
		expect(local.get("ps", { alg: "PS256" })).toBeInstanceOf(CryptoKey);
	});
});

describe("HDR-01: kid injection: paths", () => {
	it("HDR-01: path-traversal kids signed with an empty/null key -> ERR_KEYS_NO_MATCHING_KEY", async () => {
		for (const kid of ["../../../../dev/null", "/dev/null", "/invalid_path"]) {
			const t = await hs256(kid, new Uint8Array(1));
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		}
		await control();
	});
});

describe("HDR-02: kid injection: SQL and shell", () => {
	it("HDR-02: SQL/shell injection kids -> rejected; the local listener records 0 hits", async () => {
		const before = listener.requests;
		const kids = [
			"x' UNION SELECT '1';--",
			"|sleep 10",
			`| curl ${listener.url("/x")}`,
			`$(curl ${listener.url("/y")})`,
		];
		for (const kid of kids) {
			const t = await hs256(kid, new TextEncoder().encode("1"));
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		}
		expect(listener.requests).toBe(before);
		await control();
	});
});

describe("HDR-03: kid (JS): prototype names", () => {
	it("HDR-03: prototype kids (__proto__, constructor, toString, hasOwnProperty) -> ERR_KEYS_NO_MATCHING_KEY, never a TypeError", async () => {
		for (const kid of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
			const t = await sign(A, { sub: "u1" }, { kid });
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
			expect(keys.get(kid)).toBeUndefined();
		}
		await control();
	});
});

describe("HDR-04: kid abuse", () => {
	it('HDR-04: kid "", no kid with several keys, a 10 KB kid -> rejected before any fetch; 10 000 random kids keep the memo bounded', async () => {
		const before = server.requests;
		const empty = await rejection(jwtVerify(await sign(A, {}, { kid: "" }), keys.resolver));
		expect(empty.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(empty.reason).toBe("kid-invalid");
		const long = await rejection(
			jwtVerify(await sign(A, {}, { kid: "k".repeat(10_240) }), keys.resolver),
		);
		expect(long.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(long.reason).toBe("kid-invalid");
		expect(long.message).not.toContain("kkkk");
		const noKid = await new SignJWT({ sub: "u1" })
			.setProtectedHeader({ alg: "ES256" })
			.sign(A.privateKey);
		const multi = await rejection(jwtVerify(noKid, keys.resolver));
		expect(multi).toBeInstanceOf(MultipleMatchingKeysError);
		expect(multi.code).toBe("ERR_KEYS_MULTIPLE_MATCHING_KEYS");
		// even though its alg narrows to one key: no kid is only fine when the set has one key
		expect(multi.count).toBe(2);
		const single = new LocalKeySet({ name: "n", jwks: { keys: [A.publicJwk] } });
		expect((await jwtVerify(noKid, single.resolver)).payload.sub).toBe("u1");
		expect(server.requests).toBe(before);
		c.advance(30_000);
		await Promise.allSettled(
			Array.from({ length: 10_000 }, () => keys.getKey({ kid: crypto.randomUUID() })),
		);
		expect(server.requests).toBe(before + 1);
		expect(keys.stats().unknownKids).toBe(1024);
		await control();
	});
});

describe("HDR-05: jwk embed", () => {
	it("HDR-05: an embedded attacker jwk with a copied kid is never used -> signature verification fails", async () => {
		const attacker = await generateKeyPair("ES256", { extractable: true });
		const jwk = await exportJWK(attacker.publicKey);
		const forged = await new SignJWT({ sub: "admin" })
			.setProtectedHeader({ alg: "ES256", kid: "a", jwk: { ...jwk, kid: "a" } })
			.sign(attacker.privateKey);
		const e = await rejection(jwtVerify(forged, keys.resolver));
		expect(e.code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
		const unknown = await new SignJWT({ sub: "admin" })
			.setProtectedHeader({ alg: "ES256", kid: "attacker", jwk })
			.sign(attacker.privateKey);
		expect((await rejection(jwtVerify(unknown, keys.resolver))).code).toBe(
			"ERR_KEYS_NO_MATCHING_KEY",
		);
		await control();
	});
});

describe("HDR-06: jku/x5u", () => {
	it("HDR-06: jku and x5u pointing at a local listener -> rejected, and the listener receives 0 requests", async () => {
		const attacker = await generateKeyPair("ES256", { extractable: true });
		listener.handler = json({ keys: [{ ...(await exportJWK(attacker.publicKey)), kid: "evil" }] });
		const before = listener.requests;
		for (const [kid, header] of [
			["evil", { jku: listener.url("/jwks.json") }],
			["evil", { x5u: listener.url("/cert.pem") }],
			["a", { jku: listener.url("/jwks.json") }],
		] as const) {
			const t = await new SignJWT({ sub: "admin" })
				.setProtectedHeader({ alg: "ES256", kid, ...header })
				.sign(attacker.privateKey);
			const e = await rejection(jwtVerify(t, keys.resolver));
			expect(e.code).toBe(
				kid === "a" ? "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" : "ERR_KEYS_NO_MATCHING_KEY",
			);
		}
		expect(listener.requests).toBe(before);
		await control();
	});
});

describe("KEY-01: JWKS down at start", () => {
	it("KEY-01: JWKS down at start -> ERR_KEYS_UNAVAILABLE (never a no-match); recovers without a restart", async () => {
		const url = await deadUrl();
		const c = clock();
		const ks = remote(url, { now: c.now, retries: 0 });
		const e = await rejection(ks.load());
		expect(e).toBeInstanceOf(KeysUnavailableError);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.reason).toBe("fetch-failed");
		expect(e.cause.code).toBe("ERR_KEYS_NETWORK");
		expect(e.cause.causeCode).toBe("ECONNREFUSED");
		// inside the error backoff (5 s * jitter 0.5) the verify fails fast, still as UNAVAIL
		const token = await sign(A);
		const v = await rejection(jwtVerify(token, ks.resolver));
		expect(v.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(v.reason).toBe("backoff");
		expect(ks.health()).toEqual({ status: "unavailable", state: "empty" });
		// the endpoint comes up on the same port
		const port = Number(new URL(url).port);
		const server = await startServer(json({ keys: [A.publicJwk] }), undefined, "http", port);
		try {
			c.advance(2_501);
			const { payload } = await jwtVerify(token, ks.resolver);
			expect(payload.sub).toBe("u1");
			expect(server.requests).toBe(1);
		} finally {
			await server.close();
		}
	});
});

describe("KEY-02: refresh fails", () => {
	it("KEY-02: refresh fails (500, then connection refused): the last good set keeps serving, events fire, then UNAVAIL after maxStaleMs", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }, { "cache-control": "max-age=60" }));
		const c = clock();
		const events: string[] = [];
		const ks = remote(s.url(), {
			now: c.now,
			retries: 1,
			retryBaseDelayMs: 1,
			maxStaleMs: 600_000,
		});
		for (const type of ["refresh", "refreshError", "stale", "expired"] as const)
			ks.on(type, () => events.push(type));
		await ks.load();
		const token = await sign(A);
		s.handler = json({ error: "boom" }, {}, 500);
		c.advance(61_000);
		const failed = finalError(ks);
		const stale = once<{ ageMs: number; maxStaleMs: number }>((l) => ks.on("stale", l));
		expect((await jwtVerify(token, ks.resolver)).payload.sub).toBe("u1");
		expect(await stale).toEqual({ ageMs: 1_000, maxStaleMs: 600_000 });
		const err = await failed;
		expect(err.error.code).toBe("ERR_KEYS_HTTP_STATUS");
		expect(err.error.responseStatus).toBe(500);
		expect(err.final).toBe(true);
		expect(ks.stats()).toMatchObject({
			state: "stale",
			consecutiveFailures: 1,
			lastErrorCode: "ERR_KEYS_HTTP_STATUS",
		});
		expect(ks.health()).toEqual({ status: "degraded", state: "stale" });
		// the endpoint goes away entirely
		const port = s.port;
		await s.close();
		c.advance(10_000);
		const refused = finalError(ks);
		expect((await jwtVerify(token, ks.resolver)).payload.sub).toBe("u1");
		expect((await refused).error).toMatchObject({
			code: "ERR_KEYS_NETWORK",
			causeCode: "ECONNREFUSED",
		});
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		// past maxStaleMs: lookups fail as UNAVAIL (503), never as a 401-style no-match
		c.advance(600_000);
		const e = await rejection(jwtVerify(token, ks.resolver));
		expect(e).toBeInstanceOf(KeysUnavailableError);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.reason).toBe("expired");
		expect(ks.get("a")).toBeUndefined();
		expect(ks.health()).toEqual({ status: "unavailable", state: "expired" });
		expect(events).toContain("expired");
		expect(events.filter((t) => t === "stale")).toHaveLength(1);
		expect(port).toBeGreaterThan(0);
	});
});

describe("KEY-03: status codes", () => {
	it.each([500, 502, 404, 204, 304])(
		"KEY-03: status %i on first load -> typed error naming the status",
		async (status) => {
			const s = await serve((_req, res) => {
				res.writeHead(status);
				res.end();
			});
			const e = await rejection(remote(s.url(), { retries: 0 }).load());
			expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
			expect(e.cause.code).toBe("ERR_KEYS_HTTP_STATUS");
			expect(e.cause.responseStatus).toBe(status);
			expect(e.cause.message).toBe(`JWKS endpoint answered ${status}, expected 200`);
		},
	);

	it("KEY-03: a 404 during refresh does not replace the keys", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		s.handler = json({}, {}, 404);
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.responseStatus).toBe(404);
		expect(s.requests).toBe(2); // 404 is not retried
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});
});

describe("KEY-04: timeout", () => {
	it("KEY-04: a server that never sends headers -> ERR_KEYS_FETCH_TIMEOUT", async () => {
		const s = await serve(() => {});
		const e = await rejection(remote(s.url(), { timeoutMs: 100, retries: 0 }).load());
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
		expect(e.cause.timeoutMs).toBe(100);
	});

	it("KEY-04: headers then a body that trickles -> the timeout covers the body", async () => {
		const timers: NodeJS.Timeout[] = [];
		const s = await serve((_req, res) => {
			res.writeHead(200, { "content-type": "application/json" });
			res.write('{"keys":[');
			timers.push(setInterval(() => res.write(" "), 20));
		});
		try {
			const e = await rejection(remote(s.url(), { timeoutMs: 150, retries: 0 }).load());
			expect(e.cause.code).toBe("ERR_KEYS_FETCH_TIMEOUT");
		} finally {
			for (const t of timers) clearInterval(t);
		}
	});
});

describe("KEY-05: huge body", () => {
	it("KEY-05: a 10 MiB body with Content-Length is refused before reading", async () => {
		let written = 0;
		const s = await serve((_req, res) => {
			res.writeHead(200, {
				"content-type": "application/json",
				"content-length": String(10 * 1024 * 1024),
			});
			const chunk = Buffer.alloc(64 * 1024, 0x20);
			const pump = (): void => {
				while (written < 10 * 1024 * 1024) {
					written += chunk.length;
					if (!res.write(chunk)) return void res.once("drain", pump);
				}
				res.end();
			};
			pump();
		});
		const e = await rejection(remote(s.url()).load());
		expect(e.cause.code).toBe("ERR_KEYS_RESPONSE_TOO_LARGE");
		expect(e.cause.maxResponseBytes).toBe(131_072);
		expect(s.requests).toBe(1); // not retried
	});

	it("KEY-05: a chunked body without Content-Length is cut at maxResponseBytes; good keys are retained", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		let read = 0;
		const ks = remote(s.url(), {
			now: c.now,
			fetch: async (input, init) => {
				const r = await globalThis.fetch(input, init);
				if (r.body === null) return r;
				const counted = r.body.pipeThrough(
					new TransformStream<Uint8Array, Uint8Array>({
						transform(chunk, ctl) {
							read += chunk.byteLength;
							ctl.enqueue(chunk);
						},
					}),
				);
				return new Response(counted, { status: r.status, headers: r.headers });
			},
		});
		await ks.load();
		read = 0;
		s.handler = (_req, res) => {
			res.writeHead(200, { "content-type": "application/json" });
			const chunk = Buffer.alloc(16 * 1024, 0x20);
			let sent = 0;
			const pump = (): void => {
				while (sent < 10 * 1024 * 1024) {
					sent += chunk.length;
					if (!res.write(chunk)) return void res.once("drain", pump);
				}
				res.end();
			};
			res.on("close", () => {
				sent = Number.POSITIVE_INFINITY;
			});
			pump();
		};
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.code).toBe("ERR_KEYS_RESPONSE_TOO_LARGE");
		expect(read).toBeGreaterThan(131_072);
		expect(read).toBeLessThanOrEqual(131_072 + 3 * 65_536);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
	});
});

describe("KEY-06: malformed", () => {
	it.each([
		['{"keys":[', "ERR_KEYS_JWKS_INVALID", "JWKS response is not valid JSON"],
		["[]", "ERR_KEYS_JWKS_INVALID", "JWKS must be a JSON object with a keys array"],
		['{"keys":{}}', "ERR_KEYS_JWKS_INVALID", "JWKS must be a JSON object with a keys array"],
		[
			'{"keys":[1,"x"]}',
			"ERR_KEYS_JWKS_INVALID",
			"JWKS has no usable key (2 given, 2 rejected); the previous set is kept",
		],
		[
			'{"keys":[]}',
			"ERR_KEYS_JWKS_INVALID",
			"JWKS has no usable key (0 given, 0 rejected); the previous set is kept",
		],
	])("KEY-06: %s -> %s; the last good set is retained", async (body, code, message) => {
		const s = await serve(json(body));
		const cold = await rejection(remote(s.url()).load());
		expect(cold.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(cold.cause.code).toBe(code);
		expect(cold.cause.message).toBe(message);
		expect(s.requests).toBe(1); // parse errors are not retried
		// warm: the previous set keeps serving
		s.handler = json({ keys: [A.publicJwk] });
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		s.handler = json(body);
		c.advance(600_001);
		const failed = finalError(ks);
		await ks.getKey({ kid: "a" });
		expect((await failed).error.code).toBe(code);
		expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a"]);
	});

	it("KEY-06: an HTML error page -> ERR_KEYS_CONTENT_TYPE; a missing content type parses with a warning", async () => {
		const s = await serve((_req, res) => {
			res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
			res.end("<html>502 Bad Gateway</html>");
		});
		const e = await rejection(remote(s.url()).load());
		expect(e.cause.code).toBe("ERR_KEYS_CONTENT_TYPE");
		expect(e.cause.contentType).toBe("text/html");
		s.handler = (_req, res) => {
			res.writeHead(200);
			res.end(JSON.stringify({ keys: [A.publicJwk] }));
		};
		const warnings: { code: string; message: string }[] = [];
		const ks = remote(s.url());
		ks.on("warning", (w) => warnings.push(w));
		await ks.load();
		expect(warnings).toEqual([
			{ code: "no-content-type", message: "JWKS response has no content type; parsing it as JSON" },
		]);
		s.handler = json({ keys: [A.publicJwk] }, { "content-type": "application/jwk-set+json" });
		await remote(s.url()).load();
	});
});

describe("KEY-07: bad keys", () => {
	it("drops each bad key with its index, kid and reason", async () => {
		const p384 = await makeKey("p384", "ES384");
		const rsa = await makeKey("rsa2", "RS256");
		const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
			format: "jwk",
		});
		const encEc = await makeKey("enc-ec", "ES256");
		const { privateKey } = await generateKeyPair("ES256", { extractable: true });
		const priv = await exportJWK(privateKey);
		const y = Buffer.from(A.publicJwk.y!, "base64url");
		y[31] = (y[31]! ^ 1) & 0xff;
		const bad = [
			A.publicJwk,
			{ ...encEc.publicJwk, kid: "use-enc", use: "enc", alg: undefined },
			{
				...encEc.publicJwk,
				kid: "ops-encrypt",
				use: undefined,
				alg: undefined,
				key_ops: ["encrypt"],
			},
			{ ...A.publicJwk, kid: "alg-mismatch", alg: "RS256" },
			{ kty: "oct", kid: "oct", k: "c2VjcmV0" },
			{ ...p384.publicJwk, kid: "wrong-crv", alg: "ES256" },
			{ ...weak, kid: "rsa-1024", alg: "RS256" },
			{ ...rsa.publicJwk, kid: "e-1", e: "AQ" },
			{ ...A.publicJwk, kid: "off-curve", y: b64(y) },
			{ ...priv, kid: "private-d", alg: "ES256" },
			{ ...rsa.publicJwk, kid: "private-pq", p: "AQAB", q: "AQAB" },
			{ ...A.publicJwk, kid: "private-k", k: "AQAB" },
			{ kty: "EC", kid: "p-192", crv: "P-192", x: "AQAB", y: "AQAB" },
			{ kty: "XYZ", kid: "unknown-kty" },
			R.publicJwk,
		];
		const s = await startServer(json({ keys: bad }));
		try {
			const ks = new RemoteKeySet({ name: "n", url: s.url(), use: "sig" });
			const rejected: unknown[] = [];
			ks.on("keyRejected", (r) => rejected.push(r));
			await ks.load();
			expect(rejected).toEqual([
				{ index: 1, kid: "use-enc", reason: "not usable for sig" },
				{ index: 2, kid: "ops-encrypt", reason: "not usable for sig" },
				{ index: 3, kid: "alg-mismatch", reason: 'alg "RS256" does not fit kty EC crv P-256' },
				{ index: 4, kid: "oct", reason: "symmetric (oct) keys are never accepted" },
				{ index: 5, kid: "wrong-crv", reason: 'alg "ES256" does not fit kty EC crv P-384' },
				{ index: 6, kid: "rsa-1024", reason: "RSA key is 1024 bits, at least 2048 required" },
				{ index: 7, kid: "e-1", reason: "RSA public exponent must be odd and at least 3" },
				{
					index: 8,
					kid: "off-curve",
					reason: "key import failed (invalid key material, e.g. an EC point not on the curve)",
				},
				{ index: 9, kid: "private-d", reason: "private members present (d)" },
				{ index: 10, kid: "private-pq", reason: "private members present (p, q)" },
				{ index: 11, kid: "private-k", reason: "private members present (k)" },
				{ index: 12, kid: "p-192", reason: 'unsupported EC curve "P-192"' },
				{ index: 13, kid: "unknown-kty", reason: "unsupported kty" },
			]);
			expect(ks.stats().rejectedKeys).toBe(13);
			for (const k of [A, R])
				expect((await jwtVerify(await sign(k), ks.resolver)).payload.sub).toBe("u1");
			expect(ks.jwks().keys.map((k) => k.kid)).toEqual(["a", "r"]);
			// the same enc keys are kept (for JWE recipients) by a set that is not restricted to sig
			const both = new RemoteKeySet({ name: "n", url: s.url() });
			await both.load();
			expect(both.get("use-enc", { use: "enc" })).toBeInstanceOf(CryptoKey);
			expect(both.get("use-enc", { use: "sig" })).toBeUndefined();
			const e = await rejection(both.getKey({ kid: "use-enc", use: "sig", alg: "ES256" }));
			expect(e).toBeInstanceOf(NoMatchingKeyError);
			expect(e.reason).toBe("no-candidate");
			both.close();
			ks.close();
		} finally {
			await s.close();
		}
	});
});

describe("KEY-08: duplicate kid", () => {
	it("KEY-08: two different keys with one kid are reported as duplicates and the lookup fails closed", async () => {
		const d1 = await makeKey("dup");
		const d2 = await makeKey("dup");
		const sigShared = await makeKey("shared");
		const encShared = await makeKey("shared", "RSA-OAEP-256", { use: "enc" });
		const s = await serve(
			json({
				keys: [A.publicJwk, d1.publicJwk, d2.publicJwk, sigShared.publicJwk, encShared.publicJwk],
			}),
		);
		const ks = remote(s.url());
		const rejected: unknown[] = [];
		ks.on("keyRejected", (r) => rejected.push(r));
		await ks.load();
		expect(rejected).toEqual([
			{ index: 1, kid: "dup", reason: "duplicate kid" },
			{ index: 2, kid: "dup", reason: "duplicate kid" },
		]);
		for (const t of [await sign(d1), await sign(d2)]) {
			const e = await rejection(jwtVerify(t, ks.resolver));
			expect(e).toBeInstanceOf(MultipleMatchingKeysError);
			expect(e.code).toBe("ERR_KEYS_MULTIPLE_MATCHING_KEYS");
			expect(e.count).toBe(2);
		}
		expect(ks.get("dup")).toBeUndefined();
		// an RFC-legal shared kid across purposes resolves by use
		expect((await jwtVerify(await sign(sigShared), ks.resolver)).payload.sub).toBe("u1");
		expect(await ks.getKey({ kid: "shared", use: "enc" })).toBe(ks.get("shared", { use: "enc" }));
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(1);
	});
});

describe("KEY-09: redirect", () => {
	it("KEY-09: a redirect to another origin is refused and the target gets 0 requests; same origin is followed; allowRedirectOrigins opens one", async () => {
		const target = await serve(json({ keys: [A.publicJwk] }));
		const s = await serve((req, res) => {
			if (req.url === "/same") {
				res.writeHead(302, { location: "/jwks.json" });
				return res.end();
			}
			if (req.url === "/jwks.json") return json({ keys: [A.publicJwk] })(req, res);
			res.writeHead(302, { location: target.url() });
			res.end();
		});
		const e = await rejection(remote(s.url("/other")).load());
		expect(e.cause.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
		expect(e.cause.message).toBe(
			`redirect from ${s.origin} to another origin (${target.origin}) refused; list it in allowRedirectOrigins`,
		);
		expect(target.requests).toBe(0);
		expect(s.requests).toBe(1);
		// localhost is another origin too
		s.handler = (_req, res) => {
			res.writeHead(301, { location: `http://localhost:${s.port}/jwks.json` });
			res.end();
		};
		expect((await rejection(remote(s.url("/x")).load())).cause.code).toBe(
			"ERR_KEYS_REDIRECT_REFUSED",
		);
		s.handler = (req, res) => {
			if (req.url === "/same") {
				res.writeHead(307, { location: "/jwks.json" });
				return res.end();
			}
			if (req.url === "/loop") {
				res.writeHead(302, { location: "/loop" });
				return res.end();
			}
			if (req.url === "/jwks.json") return json({ keys: [A.publicJwk] })(req, res);
			res.writeHead(302, { location: target.url() });
			res.end();
		};
		await remote(s.url("/same")).load();
		const loop = await rejection(remote(s.url("/loop")).load());
		expect(loop.cause.message).toBe("more than 3 redirects refused");
		await remote(s.url("/other"), { allowRedirectOrigins: [target.origin] }).load();
		expect(target.requests).toBe(1);
	});
});

describe("KEY-10: TLS", () => {
	let dir: string;
	let cert: string;
	let server: TestServer;
	let plain: TestServer;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), "xshl-keys-tls-"));
		execFileSync(
			"openssl",
			[
				"req",
				"-x509",
				"-newkey",
				"ec",
				"-pkeyopt",
				"ec_paramgen_curve:P-256",
				"-nodes",
				"-keyout",
				join(dir, "key.pem"),
				"-out",
				join(dir, "cert.pem"),
				"-days",
				"1",
				"-subj",
				"/CN=127.0.0.1",
				"-addext",
				"subjectAltName=IP:127.0.0.1",
			],
			{ stdio: "ignore" },
		);
		cert = readFileSync(join(dir, "cert.pem"), "utf8");
		const tls = createServer({ key: readFileSync(join(dir, "key.pem")), cert });
		server = await startServer(json({ keys: [A.publicJwk] }), tls, "https");
		plain = await startServer(json({ keys: [A.publicJwk] }));
	});

	afterAll(async () => {
		await server.close();
		await plain.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it("refuses a self-signed certificate by default with a typed TLS error carrying the runtime's code", async () => {
		const before = server.requests;
		const ks = new RemoteKeySet({ name: "n", url: server.url() });
		const e = await rejection(ks.load());
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.code).toBe("ERR_KEYS_TLS");
		expect(e.cause.causeCode).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
		expect(e.cause.retryable).toBe(false);
		expect(server.requests).toBe(before);
		// the Node fetch without a CA refuses it too
		const viaNode = new RemoteKeySet({ name: "n", url: server.url(), fetch: createNodeFetch() });
		expect((await rejection(viaNode.load())).cause.causeCode).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
	});

	it("accepts it with the custom CA (createNodeFetch from @xshl/keys/node) and verifies tokens", async () => {
		const ks = new RemoteKeySet({
			name: "n",
			url: server.url(),
			fetch: createNodeFetch({ ca: cert }),
		});
		await ks.load();
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		expect(ks.stats().requests).toBe(1);
	});

	it("never follows https -> http, even to an allowed origin", async () => {
		server.handler = (_req, res) => {
			res.writeHead(302, { location: plain.url() });
			res.end();
		};
		try {
			const before = plain.requests;
			const ks = new RemoteKeySet({
				name: "n",
				url: server.url("/redirect"),
				fetch: createNodeFetch({ ca: cert }),
				allowRedirectOrigins: [plain.origin],
			});
			const e = await rejection(ks.load());
			expect(e.cause.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
			expect(e.cause.message).toBe("redirect from https to http refused");
			expect(plain.requests).toBe(before);
		} finally {
			server.handler = json({ keys: [A.publicJwk] });
		}
	});

	it("the insecure option works only under NODE_ENV=test and warns each time", async () => {
		const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
		expect(process.env.NODE_ENV).toBe("test");
		const ks = new RemoteKeySet({
			name: "n",
			url: server.url(),
			fetch: createNodeFetch({ dangerouslyDisableTlsVerification: true }),
		});
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		createNodeFetch({ dangerouslyDisableTlsVerification: true });
		expect(warn).toHaveBeenCalledTimes(2);
		expect(String(warn.mock.calls[0]![0])).toContain("TLS verification is DISABLED");
		const saved = process.env.NODE_ENV;
		process.env.NODE_ENV = "production";
		try {
			let error: unknown;
			try {
				createNodeFetch({ dangerouslyDisableTlsVerification: true });
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(KeysConfigError);
			expect((error as KeysConfigError).issues[0]!.path).toBe("dangerouslyDisableTlsVerification");
		} finally {
			process.env.NODE_ENV = saved;
		}
		expect(warn).toHaveBeenCalledTimes(2);
	});
});

describe("KEY-11: kid flood", () => {
	it("KEY-11: 10 000 concurrent unknown kids on a cold cache -> exactly 1 fetch; after the cooldown exactly 1 more; good keys stay", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		const flood = async (): Promise<void> => {
			const results = await Promise.allSettled(
				Array.from({ length: 10_000 }, () =>
					ks.getKey({ kid: crypto.randomUUID(), alg: "ES256", use: "sig" }),
				),
			);
			for (const r of results) {
				expect(r.status).toBe("rejected");
				expect((r as PromiseRejectedResult).reason).toBeInstanceOf(NoMatchingKeyError);
			}
		};
		await flood();
		expect(s.requests).toBe(1);
		expect(ks.stats().unknownKids).toBe(1024);
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		c.advance(29_999);
		await flood();
		expect(s.requests).toBe(1);
		c.advance(1);
		await flood();
		expect(s.requests).toBe(2);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		// 1 000 verifications of tokens with random kids, inside the window: no fetch
		const tokens = await Promise.all(
			Array.from({ length: 1_000 }, () => sign(A, { sub: "x" }, { kid: crypto.randomUUID() })),
		);
		const verdicts = await Promise.allSettled(tokens.map((t) => jwtVerify(t, ks.resolver)));
		expect(
			verdicts.every(
				(v) => v.status === "rejected" && v.reason.code === "ERR_KEYS_NO_MATCHING_KEY",
			),
		).toBe(true);
		expect(s.requests).toBe(2);
		expect(ks.stats().unknownKidLookups).toBe(31_000);
	});
});

describe("KEY-12: cooldown bypass", () => {
	it("KEY-12: a forced refetch that fails (500) or yields zero usable keys still starts the cooldown", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now, retries: 0 });
		await ks.load();
		const flood = () =>
			Promise.allSettled(
				Array.from({ length: 500 }, () => ks.getKey({ kid: crypto.randomUUID() })),
			);
		s.handler = json({}, {}, 500);
		c.advance(30_000);
		await flood();
		expect(s.requests).toBe(2);
		c.advance(10_000);
		await flood();
		expect(s.requests).toBe(2);
		s.handler = json({ keys: [] });
		c.advance(20_000);
		await flood();
		expect(s.requests).toBe(3);
		await flood();
		expect(s.requests).toBe(3);
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		const e = await rejection(ks.getKey({ kid: "zzz" }));
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(e.reason).toBe("cooldown");
	});
});

describe("KEY-13: single-flight", () => {
	it("KEY-13: 100 concurrent lookups on a cold cache share 1 fetch; the same error reaches every waiter", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const ks = remote(s.url());
		const keys = await Promise.all(Array.from({ length: 100 }, () => ks.getKey({ kid: "a" })));
		expect(new Set(keys).size).toBe(1);
		expect(s.requests).toBe(1);
		const bad = await serve(json({}, {}, 500));
		const cold = remote(bad.url(), { retries: 0 });
		const errors = await Promise.allSettled(
			Array.from({ length: 100 }, () => cold.getKey({ kid: "a" })),
		);
		expect(bad.requests).toBe(1);
		const causes = new Set(errors.map((r) => (r as PromiseRejectedResult).reason.cause));
		expect(causes.size).toBe(1);
		expect([...causes][0]).toMatchObject({
			code: "ERR_KEYS_HTTP_STATUS",
			responseStatus: 500,
			status: 503,
		});
		for (const r of errors)
			expect((r as PromiseRejectedResult).reason.code).toBe("ERR_KEYS_UNAVAILABLE");
	});

	it("KEY-13: 100 concurrent lookups at TTL expiry cause 1 background fetch", async () => {
		const s = await serve(json({ keys: [A.publicJwk] }));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		c.advance(600_001);
		const done = once<unknown>((l) => ks.on("refresh", l));
		await Promise.all(Array.from({ length: 100 }, () => ks.getKey({ kid: "a" })));
		await done;
		expect(s.requests).toBe(2);
	});
});

describe("KEY-14: retries", () => {
	it("KEY-14: an endpoint failing N+1 times -> exactly N+1 attempts with growing backoff, then a typed error", async () => {
		const s = await serve(json({}, {}, 503));
		const delays: number[] = [];
		const spent: [boolean, number][] = [];
		const starts = new Set<number>();
		const ks = remote(s.url(), { retries: 2, retryBaseDelayMs: 10, random: () => 0.999 });
		ks.on("refreshError", (e) => {
			if (!e.final) delays.push(e.retryInMs);
			spent.push([e.final, e.durationMs]);
			starts.add(e.startedAt);
		});
		const before = Date.now();
		const e = await rejection(ks.load());
		// one refresh: every report names the same start, taken when load() began
		expect(starts.size).toBe(1);
		const [startedAt] = [...starts] as [number];
		expect(startedAt).toBeGreaterThanOrEqual(before);
		expect(startedAt).toBeLessThanOrEqual(before + 1000);
		expect(s.requests).toBe(3);
		expect(delays).toEqual([10, 20]);
		// each report carries the refresh's time so far; the final one covers both retry delays
		expect(spent.map(([final]) => final)).toEqual([false, false, true]);
		const ms = spent.map(([, d]) => d);
		expect(ms[0]).toBeGreaterThanOrEqual(0);
		expect(ms[1]).toBeGreaterThanOrEqual(ms[0] as number);
		expect(ms[2]).toBeGreaterThanOrEqual(30);
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.responseStatus).toBe(503);
		// Retry-After is honoured up to the cap
		const t = await serve((_req, res) => {
			res.writeHead(429, { "retry-after": "120" });
			res.end();
		});
		const capped: number[] = [];
		const k2 = remote(t.url(), { retries: 1, retryMaxDelayMs: 30 });
		k2.on("refreshError", (ev) => {
			if (!ev.final) capped.push(ev.retryInMs);
		});
		await rejection(k2.load());
		expect(capped).toEqual([30]);
		expect(t.requests).toBe(2);
		// a 408 then a 200 succeeds on the retry
		let n = 0;
		const u = await serve((req, res) =>
			(n++ === 0 ? json({}, {}, 408) : json({ keys: [A.publicJwk] }))(req, res),
		);
		await remote(u.url(), { retryBaseDelayMs: 1 }).load();
		expect(u.requests).toBe(2);
	});
});

describe("KEY-15: rotation pick-up", () => {
	it("KEY-15: a new kid is picked up with one refetch; a retired kid verifies while published, then is rejected", async () => {
		let keys = [A.publicJwk];
		const s = await serve((req, res) => json({ keys })(req, res));
		const c = clock();
		const ks = remote(s.url(), { now: c.now });
		await ks.load();
		const tokenA = await sign(A);
		const tokenB = await sign(B);
		keys = [A.publicJwk, B.publicJwk];
		c.advance(30_000);
		expect((await jwtVerify(tokenB, ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(2);
		expect((await jwtVerify(tokenA, ks.resolver)).payload.sub).toBe("u1");
		keys = [B.publicJwk];
		c.advance(600_001);
		const refreshed = once<{ removed: string[] }>((l) => ks.on("refresh", l));
		await jwtVerify(tokenB, ks.resolver);
		expect((await refreshed).removed).toEqual(["a"]);
		const e = await rejection(jwtVerify(tokenA, ks.resolver));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(s.requests).toBe(3);
	});
});

describe("RING-01: publish", () => {
	it("the JWKS carries only public members, each kid is its RFC 7638 thumbprint, toJSON is public-only", async () => {
		for (const signing of ["RS256", "ES256", "EdDSA"] as const) {
			const ring = await KeyRing.generate({
				signing,
				encryption: signing === "RS256" ? "RSA-OAEP-256" : "ECDH-ES+A256KW",
			});
			for (const k of ring.jwks().keys) {
				expect(Object.keys(k).sort()).toEqual(PUBLIC_MEMBERS[k.kty]);
				const { kid, use, alg, ...material } = k;
				expect(kid).toBe(await calculateJwkThumbprint(material as never, "sha256"));
				expect(kid).toBe(await jwkThumbprint(k));
			}
			const text = JSON.stringify(ring);
			for (const m of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(text).not.toContain(`"${m}":`);
			expect(JSON.parse(text).active).toBe(ring.signingKey().kid);
		}
	});

	it("RFC 7638 §3.1 vector", async () => {
		const jwk = {
			kty: "RSA",
			n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
			e: "AQAB",
			alg: "RS256",
			kid: "2011-04-29",
		};
		expect(await jwkThumbprint(jwk)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	});

	it("jwksResponse(): content type, cache headers, strong ETag and 304", async () => {
		const ring = await KeyRing.generate({ signing: "ES256" });
		const r = await ring.jwksResponse();
		expect(r.status).toBe(200);
		expect(JSON.parse(r.body)).toEqual(ring.jwks());
		expect(r.headers["content-type"]).toBe("application/jwk-set+json");
		expect(r.headers["cache-control"]).toBe(
			"public, max-age=600, stale-while-revalidate=60, stale-if-error=86400",
		);
		expect(r.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
		expect(await ring.jwksResponse({ headers: { "if-none-match": r.headers.etag } })).toEqual({
			status: 304,
			headers: r.headers,
			body: "",
		});
		expect(
			(
				await ring.jwksResponse({
					headers: new Headers({ "if-none-match": `W/${r.headers.etag}` }),
				})
			).status,
		).toBe(304);
		expect((await ring.jwksResponse({ headers: { "if-none-match": '"other"' } })).status).toBe(200);
		await ring.rotate();
		expect((await ring.jwksResponse({ headers: { "if-none-match": r.headers.etag } })).status).toBe(
			200,
		);
	});
});

describe("RING-02: rotation grace", () => {
	it("the retired key verifies within the grace and is rejected after it; new tokens carry the new kid", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", graceMs: 3_600_000, now: c.now });
		const ks = ring.keySet("session_name");
		const old = ring.signingKey().kid;
		const next = ring.list().find((k) => k.use === "sig" && k.state === "next")!.kid;
		const oldToken = await signWith(ring);
		await ring.rotate();
		expect(ring.signingKey().kid).toBe(next);
		const newToken = await signWith(ring);
		expect((await jwtVerify(newToken, ks.resolver)).protectedHeader.kid).toBe(next);
		expect(
			ring
				.list()
				.map((k) => [k.kid === old ? "old" : k.kid === next ? "new" : "fresh", k.use, k.state]),
		).toEqual([
			["new", "sig", "active"],
			["fresh", "sig", "next"],
			["old", "sig", "retired"],
			["fresh", "enc", "active"],
			["fresh", "enc", "next"],
			["fresh", "enc", "retired"],
		]);
		c.advance(3_599_999);
		expect((await jwtVerify(oldToken, ks.resolver)).protectedHeader.kid).toBe(old);
		c.advance(1);
		const e = await rejection(jwtVerify(oldToken, ks.resolver));
		expect(e).toBeInstanceOf(NoMatchingKeyError);
		expect(e.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(old);
		expect((await jwtVerify(newToken, ks.resolver)).protectedHeader.kid).toBe(next);
	});

	it("rotate({ at }) schedules the switch: shared instances switch at that instant; max-age shrinks, then no-cache", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const old = ring.signingKey().kid;
		const next = ring.list().find((k) => k.state === "next")!.kid;
		await ring.rotate({ at: c.t + 300_000 });
		const copy = await KeyRing.restore(await ring.snapshot(), { now: c.now });
		expect(ring.signingKey().kid).toBe(old);
		expect(copy.signingKey().kid).toBe(old);
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe(
			"public, max-age=300, stale-while-revalidate=60, stale-if-error=86400",
		);
		c.advance(240_000);
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe("no-cache");
		c.advance(60_000);
		expect(ring.signingKey().kid).toBe(next);
		expect(copy.signingKey().kid).toBe(next);
		expect(ring.list().find((k) => k.kid === old)!.state).toBe("retired");
		expect((await ring.jwksResponse()).headers["cache-control"]).toBe(
			"public, max-age=600, stale-while-revalidate=60, stale-if-error=86400",
		);
		await expect(ring.rotate({ at: Number.NaN })).rejects.toMatchObject({
			code: "ERR_KEYS_CONFIG_INVALID",
		});
	});

	it("a token signed by the ring verifies through a RemoteKeySet served from the ring's JWKS, before and after rotate()", async () => {
		const ring = await KeyRing.generate({ signing: "RS256" });
		const s = await startServer((req, res) => {
			void ring.jwksResponse({ headers: req.headers }).then((r) => {
				res.writeHead(r.status, r.headers);
				res.end(r.body);
			});
		});
		servers.push(s);
		const c = clock();
		const ks = new RemoteKeySet({
			name: "session_name",
			url: s.url(),
			now: c.now,
			random: () => 0.5,
		});
		await ks.load();
		const before = await signWith(ring);
		expect(
			(await jwtVerify(before, ks.resolver, { algorithms: ks.algorithms("sig") })).payload.sub,
		).toBe("u1");
		await ring.rotate();
		const after = await signWith(ring);
		// the new active key was already published as "next": no refetch needed
		expect(
			(await jwtVerify(after, ks.resolver, { algorithms: ks.algorithms("sig") })).payload.sub,
		).toBe("u1");
		expect((await jwtVerify(before, ks.resolver)).payload.sub).toBe("u1");
		expect(s.requests).toBe(1);
		// the next refresh sees the new next key; an unchanged ring answers 304
		c.advance(600_000);
		await ks.load();
		expect(
			ks
				.jwks()
				.keys.map((k) => k.kid)
				.sort(),
		).toEqual(
			ring
				.jwks()
				.keys.map((k) => k.kid)
				.sort(),
		);
		await ks.load();
		expect(ks.stats().notModified).toBe(1);
		ks.close();
	});
});

describe("RING-03: generation/import", () => {
	it.each([
		["RS256", "RSA", undefined, 256],
		["PS256", "RSA", undefined, 256],
		["ES256", "EC", "P-256", 0],
		["EdDSA", "OKP", "Ed25519", 0],
	] as [SigningAlg, string, string | undefined, number][])(
		"%s signing keys: kty %s, crv %s, RSA modulus of %i bytes; tokens verify through keySet()",
		async (alg, kty, crv, modulusBytes) => {
			const ring = await KeyRing.generate({ signing: alg, encryption: false });
			const { keys } = ring.jwks();
			expect(keys).toHaveLength(2); // active + next
			for (const k of keys) {
				expect(k.kty).toBe(kty);
				expect(k.crv).toBe(crv);
				expect(k.alg).toBe(alg);
				expect(k.use).toBe("sig");
				if (kty === "RSA") expect(Buffer.from(k.n!, "base64url").length).toBe(modulusBytes);
			}
			const ks = ring.keySet("session_name");
			await ks.load();
			const token = await signWith(ring);
			const { protectedHeader } = await jwtVerify(token, ks.resolver, {
				algorithms: ks.algorithms("sig"),
			});
			expect(protectedHeader).toEqual({ alg, kid: ring.signingKey().kid });
			// an Ed25519 key verifies under both of its names (RFC 9864)
			expect(ks.algorithms("sig")).toEqual(alg === "EdDSA" ? ["Ed25519", "EdDSA"] : [alg]);
		},
	);

	it.each([
		["RSA-OAEP-256", "P-256", "RSA", undefined],
		["ECDH-ES+A256KW", "P-256", "EC", "P-256"],
		["ECDH-ES+A256KW", "X25519", "OKP", "X25519"],
	] as [EncryptionAlg, "P-256" | "X25519", string, string | undefined][])(
		"%s (%s) encryption keys: kty %s crv %s; a JWE to encryptionKey() decrypts with decryptionKeys()",
		async (alg, curve, kty, crv) => {
			const ring = await KeyRing.generate({
				signing: "ES256",
				encryption: alg,
				encryptionCurve: curve,
			});
			const enc = ring.encryptionKey()!;
			expect(enc.alg).toBe(alg);
			const published = ring.jwks().keys.filter((k) => k.use === "enc");
			expect(published).toHaveLength(2);
			for (const k of published) {
				expect(k.kty).toBe(kty);
				expect(k.crv).toBe(crv);
			}
			const jwe = await new CompactEncrypt(new TextEncoder().encode("hello"))
				.setProtectedHeader({ alg, enc: "A256GCM", kid: enc.kid })
				.encrypt(enc.publicKey);
			const dk = ring.decryptionKeys().find((d) => d.kid === enc.kid)!;
			const { plaintext } = await compactDecrypt(jwe, dk.privateKey);
			expect(new TextDecoder().decode(plaintext)).toBe("hello");
			// the ring's decryption resolver picks the key by the JWE header
			expect(
				new TextDecoder().decode((await compactDecrypt(jwe, ring.decryptionResolver)).plaintext),
			).toBe("hello");
			await ring.rotate();
			expect(
				new TextDecoder().decode((await compactDecrypt(jwe, ring.decryptionResolver)).plaintext),
			).toBe("hello");
			const other = await new CompactEncrypt(new TextEncoder().encode("x"))
				.setProtectedHeader({ alg, enc: "A256GCM", kid: "unknown" })
				.encrypt(enc.publicKey);
			await expect(compactDecrypt(other, ring.decryptionResolver)).rejects.toMatchObject({
				code: "ERR_KEYS_NO_MATCHING_KEY",
			});
			// the verifier view hands out the recipient key by kid
			expect(await ring.keySet("n").getKey({ kid: enc.kid, use: "enc" })).toBe(enc.publicKey);
		},
	);

	it("refuses invalid options (CFG)", async () => {
		for (const bad of [
			{ signing: "HS256" },
			{ signing: "ES256", encryption: "RSA1_5" },
			{ signing: "RS256", modulusLength: 1024 },
			{ signing: "ES256", graceMs: -1 },
		]) {
			const e = await rejection(KeyRing.generate(bad as never));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
		}
	});

	it.each(["jwk", "pem"] as const)(
		"round-trips through snapshot({format:%s}) with the same kids and schedule",
		async (format) => {
			const c = clock();
			const ring = await KeyRing.generate({
				signing: "EdDSA",
				encryption: "RSA-OAEP-256",
				now: c.now,
			});
			await ring.rotate();
			const exported = await ring.snapshot({ format });
			expect(exported.version).toBe(1);
			expect(exported.keys).toHaveLength(6);
			if (format === "pem")
				expect(exported.keys[0]!.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
			const copy = await KeyRing.restore(JSON.parse(JSON.stringify(exported)) as KeyRingSnapshot, {
				now: c.now,
			});
			expect(copy.list()).toEqual(ring.list());
			expect(copy.jwks()).toEqual(ring.jwks());
			const token = await signWith(copy);
			expect((await jwtVerify(token, ring.keySet("n").resolver)).protectedHeader.kid).toBe(
				ring.signingKey().kid,
			);
		},
	);

	it("refuses an encrypted PEM, a PEM with junk around it, PKCS#1, a public JWK, RSA-1024, a wrong kid and a duplicate (CFG)", async () => {
		const ring = await KeyRing.generate({ signing: "RS256", encryption: false });
		const good = await ring.snapshot({ format: "pem" });
		const first = good.keys[0]!;
		const pem = first.privateKey as string;
		const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
		const cases: [string, KeyRingSnapshot][] = [
			[
				"encrypted PEM is not supported",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: rsa.privateKey.export({
								type: "pkcs8",
								format: "pem",
								cipher: "aes-256-cbc",
								passphrase: "x",
							}) as string,
						},
					],
				},
			],
			[
				"exactly one PKCS#8 PEM block",
				{ version: 1, keys: [{ ...first, privateKey: `${pem}trailing junk` }] },
			],
			[
				"exactly one PKCS#8 PEM block",
				{ version: 1, keys: [{ ...first, privateKey: `junk\n${pem}` }] },
			],
			[
				"exactly one PKCS#8 PEM block",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string,
						},
					],
				},
			],
			[
				"has no private part",
				{ version: 1, keys: [{ ...first, privateKey: { ...ring.jwks().keys[0] } }] },
			],
			[
				"RSA key is 1024 bits, at least 2048 required",
				{
					version: 1,
					keys: [
						{
							...first,
							privateKey: weak.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
						},
					],
				},
			],
			[
				"kid is not the RFC 7638 thumbprint",
				{ version: 1, keys: [{ ...first, kid: "chosen-by-attacker" }] },
			],
			["duplicate kid", { version: 1, keys: [first, first] }],
			["no active signing key", { version: 1, keys: [good.keys[1]!] }],
			["use enc does not fit alg RS256", { version: 1, keys: [{ ...first, use: "enc" }] }],
			["invalid key ring snapshot", { version: 2, keys: [first] } as never],
		];
		for (const [message, exported] of cases) {
			const e = await rejection(KeyRing.restore(exported));
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
			expect(e.message).toContain(message);
			expect(e.message).not.toContain("MII");
		}
		expect((await KeyRing.restore(good)).signingKey().kid).toBe(ring.signingKey().kid);
	});

	it("a private JWK given to a verify-only LocalKeySet is refused (CFG), as are oct keys", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
		const priv = (await ring.snapshot()).keys[0]!.privateKey as Record<string, unknown>;
		expect(() => new LocalKeySet({ name: "n", jwks: { keys: [priv] } })).toThrow(KeysConfigError);
		let error: unknown;
		try {
			new LocalKeySet({
				name: "n",
				jwks: { keys: [ring.jwks().keys[0], { kty: "oct", k: "c2VjcmV0" }] },
			});
		} catch (e) {
			error = e;
		}
		// a test that cannot fail is a defect: the constructor must throw
		expect(error).toBeInstanceOf(KeysConfigError);
		expect((error as KeysConfigError).issues).toEqual([
			{ path: "jwks.keys.1", message: "symmetric (oct) keys are never accepted" },
		]);
	});

	it("a ring generated with extractable:false cannot be exported (CFG)", async () => {
		const ring = await KeyRing.generate({
			signing: "ES256",
			encryption: false,
			extractable: false,
		});
		const e = await rejection(ring.snapshot());
		expect(e.code).toBe("ERR_KEYS_CONFIG_INVALID");
	});

	it("signingKey() on a ring whose active key was removed throws ERR_KEYS_RING_EMPTY", async () => {
		const c = clock();
		const ring = await KeyRing.generate({ signing: "ES256", encryption: false, now: c.now });
		const exported = await ring.snapshot();
		const active = exported.keys.find((k) => k.activateAt !== undefined)!;
		const imported = await KeyRing.restore(
			{ version: 1, keys: [{ ...active, retireAt: c.t + 10, removeAt: c.t + 20 }] },
			{ now: c.now },
		);
		c.advance(10);
		expect(() => imported.signingKey()).toThrow(
			expect.objectContaining({ code: "ERR_KEYS_RING_EMPTY" }),
		);
	});
});
