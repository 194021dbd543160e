// Integration with the real @xshl/keys: an issuer KeyRing, its live LocalKeySet, and a
// verifier's RemoteKeySet loading the ring's JWKS from a local HTTP server (port 0).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalKeySet, RemoteKeySet } from "@xshl/keys";
import { KeyRing, type SigningAlg } from "@xshl/keys/ring";
import { Trace } from "@xshl/trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	Session,
	SessionConfig,
	type SessionKeySet,
	SessionKeysUnavailableError,
	SessionKeyUnknownError,
	verifySession,
} from "../src/index";
import { APP, caught, craft, makeKey, SALT, UA } from "./helpers";

let server: Server;
let url = "";
let ring: KeyRing;
let hits = 0;

beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	server = createServer((req, res) => {
		hits++;
		if (req.url !== "/jwks.json") {
			res.statusCode = 404;
			res.end();
			return;
		}
		res.setHeader("content-type", "application/json");
		res.end(JSON.stringify(ring.jwks()));
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function issuerConfig(r: KeyRing, keys: SessionKeySet = r.keySet("session_name")): SessionConfig {
	const { header, privateKey } = r.signingKey();
	return new SessionConfig({ keys, app: APP, audience: ["service-api"], header, key: privateKey });
}

describe("@xshl/keys satisfies SessionKeySet", () => {
	it.each(["ES256", "EdDSA", "RS256", "PS256"] as SigningAlg[])(
		"%s: KeyRing issues, its LocalKeySet verifies and merges",
		async (signing) => {
			const r = signing === "ES256" ? ring : await KeyRing.generate({ signing, encryption: false });
			const config = issuerConfig(r);
			const issuer = new Session(config, UA, SALT);
			issuer.sub = "user-1";
			issuer.aud = "service-api";
			const token = await issuer.jwt();
			const target = new Session(config, UA, SALT);
			await target.merge(token);
			expect(target.sub).toBe("user-1");
			const local = new LocalKeySet({ name: "session_name", jwks: r.jwks() });
			const claims = await verifySession(token, {
				keys: local,
				trace: new Trace(UA, SALT),
				audience: ["service-api"],
			});
			expect(claims.sid).toBe(issuer.sid);
		},
	);

	it("a verifier's RemoteKeySet loads the ring's JWKS over HTTP and verifies", async () => {
		const remote = new RemoteKeySet({ name: "session_name", url, retries: 0 });
		const issuer = new Session(issuerConfig(ring), UA, SALT);
		issuer.aud = "service-api";
		issuer.scope = ["read"];
		const token = await issuer.jwt();
		const options = { keys: remote, trace: new Trace(UA, SALT), audience: ["service-api"] };
		const claims = await verifySession(token, options);
		expect(claims.scope).toEqual(["read"]);
		expect(hits).toBe(1);
		expect((await verifySession(await issuer.jwt(), options)).sid).toBe(issuer.sid);
		expect(hits).toBe(1);
	});

	it("HDR-01/03 against real key sets: unknown and prototype kids are ERR_SESSION_KEY_UNKNOWN", async () => {
		const attacker = await makeKey("ES256", "x");
		const remote = new RemoteKeySet({ name: "session_name", url, retries: 0 });
		const local = ring.keySet("session_name");
		for (const keys of [local, remote]) {
			for (const kid of [
				"__proto__",
				"constructor",
				"toString",
				"../../../../dev/null",
				"unknown",
			]) {
				const t = await craft(
					{ alg: "ES256", kid, typ: "xshl-session+jwt" },
					{ sub: "x" },
					attacker.privateKey,
				);
				const e = await caught(() => verifySession(t, { keys }));
				expect(e).toBeInstanceOf(SessionKeyUnknownError);
				expect(e.code).toBe("ERR_SESSION_KEY_UNKNOWN");
				expect(e.cause?.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
			}
		}
	});

	it("keys that cannot be fetched give ERR_SESSION_KEYS_UNAVAILABLE (503), never a 401 code", async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const down = new RemoteKeySet({
			name: "session_name",
			url: `http://127.0.0.1:${port}/jwks.json`,
			retries: 0,
			timeoutMs: 500,
		});
		const issuer = new Session(issuerConfig(ring), UA, SALT);
		issuer.aud = "service-api";
		const e = await caught(async () => verifySession(await issuer.jwt(), { keys: down }));
		expect(e).toBeInstanceOf(SessionKeysUnavailableError);
		expect(e.code).toBe("ERR_SESSION_KEYS_UNAVAILABLE");
		expect((e as unknown as { status: number }).status).toBe(503);
		expect(e.cause?.code).toBe("ERR_KEYS_UNAVAILABLE");
	});

	it("after rotation, tokens of the new key verify with the live key set, old tokens still verify in the grace", async () => {
		const r = await KeyRing.generate({ signing: "EdDSA", encryption: false });
		const keys = r.keySet("session_name");
		const old = new Session(issuerConfig(r, keys), UA);
		old.aud = "service-api";
		const oldToken = await old.jwt();
		await r.rotate();
		const fresh = new Session(issuerConfig(r, keys), UA);
		fresh.aud = "service-api";
		const newToken = await fresh.jwt();
		const options = { keys, trace: new Trace(UA), audience: ["service-api"] };
		expect((await verifySession(newToken, options)).sub).toBeDefined();
		expect((await verifySession(oldToken, options)).sid).toBe(old.sid);
	});
});
