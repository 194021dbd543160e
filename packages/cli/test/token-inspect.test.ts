import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "@xshl/jwe";
import { KeyRing } from "@xshl/keys/ring";
import { sessionId, Trace } from "@xshl/session-core";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliTokenMalformedError } from "../src/errors";
import { snapshotRing } from "../src/internal/ring-file";
import { run } from "../src/run";
import { inspectToken } from "../src/token-inspect";
import { memoryIO } from "./helpers/io";
import { startServer, type TestServer } from "./helpers/server";
import { issue, NAME, SALT, UA } from "./helpers/tokens";

let ring: KeyRing;
let other: KeyRing;
let server: TestServer;
let jwksUrl: string;
let dir: string;

beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: "ECDH-ES+A256KW" });
	other = await KeyRing.generate({ signing: "ES256", encryption: false });
	server = await startServer({
		"/jwks.json": async (req, res) => {
			const r = await ring.jwksResponse({ headers: req.headers });
			res.writeHead(r.status, r.headers).end(r.body);
		},
	});
	jwksUrl = `${server.origin}/jwks.json`;
	dir = await mkdtemp(join(tmpdir(), "xshl-cli-token-"));
});
afterAll(() => server.close());

describe("token inspect, in process", () => {
	it("a valid token: header, claims with human times, signature named by its key, exit 0", async () => {
		const now = Math.floor(Date.now() / 1000) * 1000; // whole seconds, as NumericDates
		const token = await issue(ring, now);
		const report = await inspectToken({ token, jwks: jwksUrl, now: () => now + 30_000 });
		const kid = ring.signingKey().kid;
		expect(report.kind).toBe("jws");
		expect(report.header).toEqual({ alg: "ES256", kid, typ: "xshl-session+jwt" });
		expect(report.claims?.sub).toBe("user-123");
		expect(report.expired).toBe(false);
		expect(report.notYetValid).toBe(false);
		const exp = report.times.find((t) => t.claim === "exp")!;
		expect(exp.value).toBe(Math.floor(now / 1000) + 120);
		expect(exp.iso).toBe(new Date(exp.value * 1000).toISOString().replace(/\.000Z$/, "Z"));
		expect(report.times.map((t) => t.claim)).toEqual(["iat", "nbf", "exp"]);
		expect(report.signature).toEqual({
			valid: true,
			key: { kid, kty: "EC", alg: "ES256", crv: "P-256" },
		});
		expect(report.session).toEqual({ valid: true });
		expect(report.ok).toBe(true);

		const m = memoryIO({ now: () => now + 30_000 });
		expect(await run(["token", "inspect", token, "--jwks", jwksUrl], m.io)).toBe(0);
		expect(m.out()).toContain(`JWS signed with ES256, kid ${kid}`);
		expect(m.out()).toContain("✓ not expired: expires in 90 seconds");
		expect(m.out()).toContain(`✓ signature verified by key ${kid} (EC P-256 ES256)`);
		expect(m.out()).toContain("(30 seconds ago)");
		expect(m.out()).not.toContain("\u001b[");
		expect(m.err()).toBe("");
	});

	it("an expired token: expired, the session verifier says ERR_SESSION_EXPIRED, exit 1", async () => {
		const issuedAt = Date.now() - 10 * 60_000;
		const token = await issue(ring, issuedAt);
		const report = await inspectToken({ token, jwks: jwksUrl });
		expect(report.expired).toBe(true);
		expect(report.signature?.valid).toBe(true);
		expect(report.session?.valid).toBe(false);
		expect(report.session?.error?.code).toBe("ERR_SESSION_EXPIRED");
		expect(report.ok).toBe(false);

		const m = memoryIO();
		expect(await run(["token", "inspect", token, "--json"], m.io)).toBe(1);
		const json = JSON.parse(m.out());
		expect(json.expired).toBe(true);
		expect(json.ok).toBe(false);
		expect(json.signature).toBeUndefined();
	});

	it("--name and --trace: the right client passes both checks", async () => {
		const token = await issue(ring);
		const report = await inspectToken({ token, jwks: jwksUrl, name: NAME, trace: [UA, SALT] });
		expect(report.binding).toEqual({
			name: NAME,
			sid: { expected: sessionId(NAME, new Trace(UA, SALT)), valid: true },
			trace: { valid: true },
		});
		expect(report.session).toEqual({ valid: true });
		expect(report.ok).toBe(true);
	});

	it("a wrong trace: sid and trace both fail, the verifier says ERR_SESSION_SID_MISMATCH, exit 1", async () => {
		const token = await issue(ring);
		const report = await inspectToken({
			token,
			jwks: jwksUrl,
			name: NAME,
			trace: ["curl/8.5.0", SALT],
		});
		expect(report.binding?.sid.valid).toBe(false);
		expect(report.binding?.trace.valid).toBe(false);
		expect(report.session?.error?.code).toBe("ERR_SESSION_SID_MISMATCH");
		expect(report.signature?.valid).toBe(true);
		expect(report.ok).toBe(false);

		const m = memoryIO();
		const code = await run(
			["token", "inspect", token, "--name", NAME, "--trace", "curl/8.5.0", "--trace", SALT],
			m.io,
		);
		expect(code).toBe(1);
		expect(m.out()).toContain(`✗ sid does not match name "${NAME}" and the trace`);
		expect(m.out()).toContain("✗ trace does not match the given parts");
	});

	it("a wrong name only: the sid check fails and the trace check passes", async () => {
		const token = await issue(ring);
		const report = await inspectToken({ token, name: "other_name", trace: [UA, SALT] });
		expect(report.binding?.sid.valid).toBe(false);
		expect(report.binding?.trace.valid).toBe(true);
		expect(report.ok).toBe(false);
	});

	it("a token signed by a key outside the JWKS: signature not verified, ERR_KEYS_NO_MATCHING_KEY", async () => {
		const token = await issue(other);
		const report = await inspectToken({ token, jwks: jwksUrl });
		expect(report.signature?.valid).toBe(false);
		expect(report.signature?.error?.code).toBe("ERR_KEYS_NO_MATCHING_KEY");
		expect(report.session?.error?.code).toBe("ERR_SESSION_KEY_UNKNOWN");
		expect(report.ok).toBe(false);
	});

	it("a tampered signature: ERR_JWS_SIGNATURE_VERIFICATION_FAILED", async () => {
		const token = await issue(ring);
		const [h, p, sig] = token.split(".");
		const flipped = `${sig!.startsWith("A") ? "B" : "A"}${sig!.slice(1)}`;
		const report = await inspectToken({ token: `${h}.${p}.${flipped}`, jwks: jwksUrl });
		expect(report.signature?.valid).toBe(false);
		expect(report.signature?.error?.code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
		expect(report.session?.error?.code).toBe("ERR_SESSION_SIGNATURE_INVALID");
	});

	it("--jwks FILE verifies against a JWKS file", async () => {
		const file = join(dir, "jwks.json");
		await writeFile(file, JSON.stringify(ring.jwks()));
		const report = await inspectToken({ token: await issue(ring), jwks: file });
		expect(report.signature?.valid).toBe(true);
		expect(report.signature?.key?.kid).toBe(ring.signingKey().kid);
	});

	it("a JWKS URL that is down: ERR_KEYS_UNAVAILABLE, exit 1", async () => {
		const report = await inspectToken({
			token: await issue(ring),
			jwks: `${server.origin}/missing.json`,
		});
		expect(report.signature?.valid).toBe(false);
		expect(report.signature?.error?.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(report.ok).toBe(false);
	});

	it("with colour: the encoded token in coloured segments, green and red marks", async () => {
		const token = await issue(ring);
		const [h, p, sig] = token.split(".");
		const m = memoryIO({ color: true });
		expect(
			await run(
				["token", "inspect", token, "--name", "other_name", "--trace", UA, "--trace", SALT],
				m.io,
			),
		).toBe(1);
		const dot = "\u001b[2m.\u001b[22m";
		expect(
			m
				.out()
				.startsWith(
					`\u001b[31m${h}\u001b[39m${dot}\u001b[35m${p}\u001b[39m${dot}\u001b[36m${sig}\u001b[39m\n\n`,
				),
		).toBe(true);
		expect(m.out()).toContain("\u001b[32m✓ trace matches the given parts\u001b[39m");
		expect(m.out()).toContain('\u001b[31m✗ sid does not match name "other_name"');
	});

	it("reads the token from stdin with '-' and strips a Bearer prefix", async () => {
		const token = await issue(ring);
		const m = memoryIO({ stdin: `Bearer ${token}\n` });
		expect(await run(["token", "inspect", "-", "--json"], m.io)).toBe(0);
		expect(JSON.parse(m.out()).claims.sub).toBe("user-123");
	});

	it("a malformed token: ERR_CLI_TOKEN_MALFORMED, exit 1", async () => {
		await expect(inspectToken({ token: "a.b" })).rejects.toThrow(CliTokenMalformedError);
		await expect(inspectToken({ token: "e30.e30.a+b" })).rejects.toMatchObject({
			code: "ERR_CLI_TOKEN_MALFORMED",
			message: "part 3 has characters outside base64url",
		});
		const m = memoryIO();
		expect(await run(["token", "inspect", "not-a-token", "--json"], m.io)).toBe(1);
		expect(JSON.parse(m.out())).toEqual({
			ok: false,
			error: {
				code: "ERR_CLI_TOKEN_MALFORMED",
				message: "expected a compact JWS (3 parts) or JWE (5 parts), got 1 part",
			},
		});
	});

	it("a JWE is described without --key and decrypted (nested JWS inspected) with a ring snapshot", async () => {
		const inner = await issue(ring);
		const enc = ring.encryptionKey()!;
		const jwe = await serialize(
			inner,
			{ alg: enc.alg, enc: "A256GCM", kid: enc.kid, cty: "JWT" },
			{ key: enc.publicKey },
		);
		const described = await inspectToken({ token: jwe });
		expect(described.kind).toBe("jwe");
		expect(described.header).toMatchObject({ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: enc.kid });
		expect(described.jwe).toMatchObject({
			encryptedKeyBytes: 40,
			ivBytes: 12,
			tagBytes: 16,
			decrypted: false,
		});
		expect(described.claims).toBeUndefined();
		expect(described.ok).toBe(true);

		const keyFile = join(dir, "ring.json");
		await writeFile(keyFile, JSON.stringify(await snapshotRing(ring)), { mode: 0o600 });
		const decrypted = await inspectToken({ token: jwe, key: keyFile, jwks: jwksUrl });
		expect(decrypted.jwe?.decrypted).toBe(true);
		expect(decrypted.nested?.kind).toBe("jws");
		expect(decrypted.nested?.claims?.sub).toBe("user-123");
		expect(decrypted.nested?.signature?.valid).toBe(true);
		expect(decrypted.ok).toBe(true);

		const wrong = join(dir, "other.json");
		await writeFile(
			wrong,
			JSON.stringify(await snapshotRing(await KeyRing.generate({ signing: "ES256" }))),
		);
		const failed = await inspectToken({ token: jwe, key: wrong });
		expect(failed.jwe?.decrypted).toBe(false);
		expect(failed.jwe?.error?.code).toBe("ERR_JWE_NO_MATCHING_KEY");
		expect(failed.ok).toBe(false);
	});

	it("--key also takes a PKCS#8 PEM or a private JWK; a JSON payload becomes the claims", async () => {
		const { publicKey, privateKey } = await generateKeyPair("ECDH-ES+A256KW", {
			extractable: true,
		});
		const exp = Math.floor(Date.now() / 1000) + 60;
		const jwe = await serialize(
			{ hello: "world", exp },
			{ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "enc-1" },
			{ key: publicKey },
		);
		const pem = join(dir, "enc.pem");
		await writeFile(pem, await exportPKCS8(privateKey));
		const fromPem = await inspectToken({ token: jwe, key: pem });
		expect(fromPem.jwe?.decrypted).toBe(true);
		expect(fromPem.claims).toEqual({ hello: "world", exp });
		expect(fromPem.times.map((t) => t.claim)).toEqual(["exp"]);
		expect(fromPem.expired).toBe(false);
		expect(fromPem.ok).toBe(true);

		const jwk = join(dir, "enc.jwk.json");
		await writeFile(jwk, JSON.stringify(await exportJWK(privateKey)));
		const m = memoryIO();
		expect(await run(["token", "inspect", jwe, "--key", jwk], m.io)).toBe(0);
		expect(m.out()).toContain("JWE encrypted with ECDH-ES+A256KW / A256GCM, kid enc-1");
		expect(m.out()).toContain("✓ decrypted");
		expect(m.out()).toContain("hello  world");
	});
});
