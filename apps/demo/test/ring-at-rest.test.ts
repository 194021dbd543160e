import { randomBytes } from "node:crypto";
import { KeyRing, type KeyRingSnapshot } from "@xshl/keys/ring";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { secretRingWrapper } from "../src/ring-at-rest.js";
import { createDeps } from "../src/wiring.js";
import { cleanRedis, RING_KEK, redisDb9, redisReachable } from "./procs.js";

const reachable = await redisReachable();
const required = process.env.CI === "true";
const ISSUER = "0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d";

describe("the key ring at rest", () => {
	it("RING_KEK is required with REDIS_URL in issuer mode, and must be 32 bytes", () => {
		expect(() => loadConfig({ REDIS_URL: "redis://127.0.0.1:6379/9" })).toThrowError(
			"RING_KEK is required with REDIS_URL: the shared key ring is stored encrypted (32 bytes, base64url)",
		);
		expect(() =>
			loadConfig({ REDIS_URL: "redis://127.0.0.1:6379/9", RING_KEK: "short" }),
		).toThrowError("RING_KEK must be 32 bytes in base64url (43 characters)");
		expect(
			loadConfig({ ISSUER_JWKS_URL: "http://127.0.0.1:1/jwks", REDIS_URL: "redis://x:1/9" })
				.ringKek,
		).toBe(undefined);
	});

	it("a blob wrapped for one Redis key does not open under another or with another KEK", async () => {
		const kek = new Uint8Array(Buffer.from(RING_KEK, "base64url"));
		const a = await secretRingWrapper(kek, "p1:keyring");
		const stored = await a.wrap('{"x":1}');
		expect(await a.unwrap(stored)).toBe('{"x":1}');
		const moved = await secretRingWrapper(kek, "p2:keyring");
		await expect(moved.unwrap(stored)).rejects.toThrowError(
			"the stored key ring does not open with this RING_KEK",
		);
		const other = await secretRingWrapper(new Uint8Array(32).fill(9), "p1:keyring");
		await expect(other.unwrap(stored)).rejects.toThrowError(
			"the stored key ring does not open with this RING_KEK",
		);
		await expect(a.unwrap('{"version":1}')).rejects.toThrowError(
			"the stored key ring is not wrapped (xkek1)",
		);
	});
});

describe.runIf(reachable || required)(
	"a reader of Redis cannot obtain a usable private key",
	() => {
		const prefix = `xshl-test-${randomBytes(6).toString("hex")}`;
		let reader: Redis;
		let close: (() => Promise<void>) | undefined;

		beforeAll(async () => {
			if (!reachable)
				throw new Error(`Redis at ${redisDb9()} is unreachable (required under CI=true)`);
			const config = loadConfig({
				REDIS_URL: redisDb9(),
				REDIS_PREFIX: prefix,
				RING_KEK,
				ISSUER,
				SIGNING_ALG: "EdDSA",
			});
			const deps = await createDeps(config);
			close = async () => deps.store?.close();
			reader = new Redis(redisDb9());
		});

		afterAll(async () => {
			await close?.();
			reader?.disconnect();
			if (reachable) await cleanRedis(prefix);
		});

		it("stores only ciphertext: no JWK private members, no PEM, no snapshot", async () => {
			const keys = await reader.keys(`${prefix}*`);
			expect(keys).toContain(`${prefix}:keyring`);
			for (const k of keys) {
				const type = await reader.type(k);
				const text =
					type === "string"
						? ((await reader.get(k)) ?? "")
						: type === "hash"
							? JSON.stringify(await reader.hgetall(k))
							: "";
				expect(text, k).not.toMatch(/"d"\s*:/);
				expect(text, k).not.toContain("PRIVATE KEY");
			}
			const stored = (await reader.get(`${prefix}:keyring`))!;
			expect(stored).toMatch(/^xkek1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
			expect(() => JSON.parse(stored)).toThrowError(SyntaxError);
		});

		it("what is stored does not restore into a ring (nothing to sign with)", async () => {
			const stored = (await reader.get(`${prefix}:keyring`))!;
			await expect(
				(async () => KeyRing.restore(JSON.parse(stored) as KeyRingSnapshot))(),
			).rejects.toThrowError();
			// with the operator's KEK it does: the ring is really in there
			const wrapper = await secretRingWrapper(
				new Uint8Array(Buffer.from(RING_KEK, "base64url")),
				`${prefix}:keyring`,
			);
			const ring = await KeyRing.restore(
				JSON.parse(await wrapper.unwrap(stored)) as KeyRingSnapshot,
			);
			expect(ring.signingKey().alg).toBe("EdDSA");
		});
	},
);
