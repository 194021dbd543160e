// Security-catalog rows as the CLI meets them (../shared/SECURITY-CATALOG.md).
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { run } from "../src/run";
import { memoryIO } from "./helpers/io";

const PRIVATE = ["d", "p", "q", "dp", "dq", "qi", "k"];

describe("RING-01: the JWKS xshl prints holds only public members; each kid is its RFC 7638 thumbprint", () => {
	it.each(["ES256", "EdDSA", "RS256", "PS256"])("keys generate --alg %s --enc", async (alg) => {
		const out = join(await mkdtemp(join(tmpdir(), "xshl-cli-ring01-")), "ring.json");
		const m = memoryIO();
		expect(await run(["keys", "generate", "--alg", alg, "--enc", "--out", out], m.io)).toBe(0);
		const jwks = JSON.parse(m.out()) as { keys: Record<string, string>[] };
		expect(jwks.keys).toHaveLength(4);
		for (const jwk of jwks.keys) {
			expect(PRIVATE.filter((p) => p in jwk)).toEqual([]);
			expect(jwk.kty).not.toBe("oct");
			expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk as never, "sha256"));
		}
		// the private half is only in the 0600 snapshot, never on stdout or stderr
		const snapshot = await readFile(out, "utf8");
		expect(snapshot).toMatch(/"d":/);
		expect(`${m.out()}${m.err()}`).not.toMatch(/"d":/);
		expect((await stat(out)).mode & 0o777).toBe(0o600);
	});
});

describe("RING-03: generated keys have the kty, curve and size of their alg", () => {
	it("ES256 → EC P-256, EdDSA → OKP Ed25519, RS256/PS256 → RSA 2048 bits, encryption keys to match", async () => {
		const dir = await mkdtemp(join(tmpdir(), "xshl-cli-ring03-"));
		const shapes: Record<string, string[]> = {};
		for (const alg of ["ES256", "EdDSA", "RS256", "PS256"]) {
			const m = memoryIO();
			expect(
				await run(
					["keys", "generate", "--alg", alg, "--enc", "--out", join(dir, `${alg}.json`)],
					m.io,
				),
			).toBe(0);
			const { keys } = JSON.parse(m.out()) as { keys: Record<string, string>[] };
			shapes[alg] = keys.map((k) =>
				[k.use, k.alg, k.kty, k.crv ?? `${Buffer.from(k.n!, "base64url").length * 8} bits`].join(
					" ",
				),
			);
		}
		expect(shapes).toEqual({
			ES256: [
				"sig ES256 EC P-256",
				"sig ES256 EC P-256",
				"enc ECDH-ES+A256KW EC P-256",
				"enc ECDH-ES+A256KW EC P-256",
			],
			EdDSA: [
				"sig EdDSA OKP Ed25519",
				"sig EdDSA OKP Ed25519",
				"enc ECDH-ES+A256KW EC P-256",
				"enc ECDH-ES+A256KW EC P-256",
			],
			RS256: [
				"sig RS256 RSA 2048 bits",
				"sig RS256 RSA 2048 bits",
				"enc RSA-OAEP-256 RSA 2048 bits",
				"enc RSA-OAEP-256 RSA 2048 bits",
			],
			PS256: [
				"sig PS256 RSA 2048 bits",
				"sig PS256 RSA 2048 bits",
				"enc RSA-OAEP-256 RSA 2048 bits",
				"enc RSA-OAEP-256 RSA 2048 bits",
			],
		});
	});
});
