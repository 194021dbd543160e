import { decodeJwt, exportPKCS8, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { APP, caught, fixture, makeKey, now, TestKeySet } from "../test/helpers";
import {
	DEFAULT_LEEWAY_MS,
	DEFAULT_SESSION_EXPIRES_MS,
	DEFAULT_UID,
	MAX_SESSION_EXPIRES_MS,
	Session,
	SessionConfig,
	SessionConfigError,
	type SessionConfigInput,
	SessionKeyError,
} from "./index";

async function cfgError(input: Partial<SessionConfigInput> & Record<string, unknown>) {
	const { keys, key } = await fixture();
	const e = await caught(
		() =>
			new SessionConfig({
				keys,
				header: { alg: "ES256", kid: key.kid },
				key: key.privateKey,
				...input,
			} as SessionConfigInput),
	);
	expect(e).toBeInstanceOf(SessionConfigError);
	expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
	return e as SessionConfigError;
}

describe("SessionConfig defaults", () => {
	it("fills app, version, expiresMs, leewayMs, allowHmac and adds typ to the header", async () => {
		const { keys, key } = await fixture();
		const c = new SessionConfig({
			keys,
			header: { alg: "ES256", kid: key.kid },
			key: key.privateKey,
		});
		expect([c.app, c.version, c.expiresMs, c.leewayMs, c.allowHmac, c.audience, c.issuers]).toEqual(
			[DEFAULT_UID, 1, 120_000, 5000, false, undefined, undefined],
		);
		expect([DEFAULT_LEEWAY_MS, DEFAULT_SESSION_EXPIRES_MS, MAX_SESSION_EXPIRES_MS]).toEqual([
			5000, 120_000, 900_000,
		]);
		expect(c.header).toEqual({ alg: "ES256", kid: key.kid, typ: "xshl-session+jwt" });
		expect(c.keys).toBe(keys);
		expect(c.key).toBe(key.privateKey);
		expect(c.maxTokenBytes).toBe(8192);
		expect(typeof c.now()).toBe("number");
	});
});

describe("SessionConfig validation names the field", () => {
	it.each([
		["keys missing", { keys: undefined }, "keys"],
		[
			"keys without a name",
			{ keys: { name: "", resolver() {}, algorithms() {}, getKey() {} } },
			"keys",
		],
		["app not a UUID", { app: "my-app" }, "app"],
		["empty audience", { audience: [] }, "audience"],
		["header missing", { header: undefined }, "header"],
		["header.kid missing", { header: { alg: "ES256" } }, "header.kid"],
		["header.alg missing", { header: { kid: "k" } }, "header.alg"],
		["alg none (ALG-01)", { header: { alg: "none", kid: "k" } }, "header.alg"],
		["alg None (ALG-02)", { header: { alg: "None", kid: "k" } }, "header.alg"],
		["alg 'ES256 ' (ALG-16)", { header: { alg: "ES256 ", kid: "k" } }, "header.alg"],
		["alg HS256 without allowHmac", { header: { alg: "HS256", kid: "k" } }, "header.alg"],
		["alg ES256K", { header: { alg: "ES256K", kid: "k" } }, "header.alg"],
		["header.typ", { header: { alg: "ES256", kid: "es256-1", typ: "JWT" } }, "header.typ"],
		["header.jku", { header: { alg: "ES256", kid: "es256-1", jku: "http://x" } }, "header.jku"],
		["header.crit", { header: { alg: "ES256", kid: "es256-1", crit: ["x"] } }, "header.crit"],
		["version 0", { version: 0 }, "version"],
		["expiresMs 0", { expiresMs: 0 }, "expiresMs"],
		["expiresMs 1.5", { expiresMs: 1.5 }, "expiresMs"],
		["expiresMs 901000 (cap 900000)", { expiresMs: 901_000 }, "expiresMs"],
		["leewayMs 60001", { leewayMs: 60_001 }, "leewayMs"],
		["leewayMs -1", { leewayMs: -1 }, "leewayMs"],
		["leewayMs 1.5", { leewayMs: 1.5 }, "leewayMs"],
		["now not a function", { now: 5 }, "now"],
		["maxTokenBytes 0", { maxTokenBytes: 0 }, "maxTokenBytes"],
		["mergeClaims with a computed claim", { mergeClaims: ["scope", "exp"] }, "mergeClaims.1"],
		["mergeClaims with __proto__", { mergeClaims: ["__proto__"] }, "mergeClaims.0"],
	])("%s", async (_label, input, path) => {
		const e = await cfgError(input as never);
		expect(e.issues.map((i) => i.path)).toContain(path);
		expect(e.message).toContain(`${path}:`);
	});

	it("expiresMs must be whole seconds, and says so", async () => {
		const e = await cfgError({ expiresMs: 120_500 });
		expect(e.issues).toEqual([
			{
				path: "expiresMs",
				message: "expiresMs must be whole seconds (a multiple of 1000): it becomes the exp claim",
			},
		]);
		const { keys, key } = await fixture();
		const base = { keys, header: { alg: "ES256", kid: key.kid }, key: key.privateKey };
		expect(new SessionConfig({ ...base, expiresMs: 1000 }).expiresMs).toBe(1000);
		expect(new SessionConfig({ ...base, expiresMs: 900_000 }).expiresMs).toBe(900_000);
		expect(new SessionConfig({ ...base, leewayMs: 1500 }).leewayMs).toBe(1500);
	});

	it("the old second-based names are refused with the new name, never read", async () => {
		const e = await cfgError({ expires: 120, leeway: 5 } as never);
		expect(e.issues).toEqual([
			{
				path: "expires",
				message: "expires was renamed to expiresMs (milliseconds, whole seconds: 120 s is 120000)",
			},
			{ path: "leeway", message: "leeway was renamed to leewayMs (milliseconds: 5 s is 5000)" },
		]);
	});

	it('a root-level problem has the path ""', async () => {
		const e = await caught(() => new SessionConfig(null as never));
		expect(e).toBeInstanceOf(SessionConfigError);
		expect((e as SessionConfigError).issues.map((i) => i.path)).toEqual([""]);
		expect(e.message).toMatch(/^invalid session config: \(root\): /);
	});

	it("ALG-08: a falsy key is a config error before any token is read", async () => {
		for (const key of [undefined, null, false, "", 0]) {
			const e = await cfgError({ key: key as never });
			expect(e.issues[0]?.path).toBe("key");
		}
	});

	it("ALG-09: a key that is an object with toString, a number or an array is never coerced", async () => {
		const tricky = { toString: () => "-----BEGIN PRIVATE KEY-----" };
		for (const key of [tricky, 42, ["-----BEGIN PRIVATE KEY-----"], new Date()]) {
			const e = await cfgError({ key: key as never });
			expect(e.issues[0]?.path).toBe("key");
		}
	});

	it("refuses a public key where a private one is needed, in every form", async () => {
		const k = await makeKey("ES256");
		const rsa = await fixture("RS256");
		for (const key of [
			k.publicKey,
			k.publicJwk,
			k.spki,
			new TextEncoder().encode(k.spki),
			"-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----",
			"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
		]) {
			const e = await cfgError({ key: key as never });
			expect(e.issues[0]?.path).toBe("key");
			expect(e.message).toMatch(/public/);
		}
		expect(rsa.key.alg).toBe("RS256");
	});

	it("refuses PKCS#1/SEC1 and encrypted PEM blocks with a hint", async () => {
		const e1 = await cfgError({
			key: "-----BEGIN EC PRIVATE KEY-----\nAA\n-----END EC PRIVATE KEY-----",
		});
		expect(e1.message).toMatch(/PKCS#8/);
		const e2 = await cfgError({
			key: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA\n-----END ENCRYPTED PRIVATE KEY-----",
		});
		expect(e2.message).toMatch(/encrypted/);
		const e3 = await cfgError({ key: "not a pem" });
		expect(e3.issues[0]?.path).toBe("key");
	});

	it("ALG-10: a key that does not fit alg is refused (CryptoKey and JWK at construction)", async () => {
		const rsa = await fixture("RS256");
		const p384 = await makeKey("ES384");
		const ed = await fixture("EdDSA");
		const ps = await makeKey("PS256");
		for (const [key, alg] of [
			[rsa.key.privateKey, "ES256"],
			[rsa.key.privateJwk, "ES256"],
			[p384.privateKey, "ES256"],
			[p384.privateJwk, "ES256"],
			[ed.key.privateKey, "ES256"],
			[ed.key.privateJwk, "ES256"],
			[ps.privateKey, "RS256"],
			[rsa.key.privateKey, "PS256"],
			[{ ...rsa.key.privateJwk, alg: "RS256" }, "PS256"],
		] as const) {
			const e = await cfgError({ key: key as never, header: { alg, kid: "k" } });
			expect(e.issues[0]?.path).toBe("key");
		}
	});

	it("ALG-10: a PEM that does not fit alg is refused when the key is imported", async () => {
		const rsa = await fixture("RS256");
		const { keys } = await fixture();
		const config = new SessionConfig({
			keys,
			header: { alg: "ES256", kid: "k" },
			key: rsa.key.pkcs8,
		});
		const e = await caught(() => config.signingKey());
		expect(e).toBeInstanceOf(SessionKeyError);
		expect(e.code).toBe("ERR_SESSION_KEY_INVALID");
		const e2 = await caught(() => new Session(config).jwt());
		expect(e2.code).toBe("ERR_SESSION_KEY_INVALID");
		const e3 = await caught(() =>
			SessionConfig.create({ keys, header: { alg: "ES256", kid: "k" }, key: rsa.key.pkcs8 }),
		);
		expect(e3.code).toBe("ERR_SESSION_KEY_INVALID");
	});

	it("ALG-12: a 1024-bit RSA key is refused at import", async () => {
		const pair = (await crypto.subtle.generateKey(
			{
				name: "RSASSA-PKCS1-v1_5",
				modulusLength: 1024,
				publicExponent: new Uint8Array([1, 0, 1]),
				hash: "SHA-256",
			},
			true,
			["sign", "verify"],
		)) as CryptoKeyPair;
		const { keys } = await fixture();
		const pem = await exportPKCS8(pair.privateKey);
		for (const key of [pair.privateKey, pem]) {
			const e = await caught(() =>
				SessionConfig.create({ keys, header: { alg: "RS256", kid: "k" }, key }),
			);
			expect(e).toBeInstanceOf(SessionKeyError);
			expect(e.code).toBe("ERR_SESSION_KEY_INVALID");
			expect(e.message).toMatch(/2048/);
		}
	});
});

describe("key forms", () => {
	it("signs with a PKCS#8 PEM string, PEM bytes, a private JWK and a CryptoKey", async () => {
		const { keys, key } = await fixture("EdDSA");
		for (const k of [
			key.pkcs8,
			new TextEncoder().encode(key.pkcs8),
			key.privateJwk,
			key.privateKey,
		]) {
			const config = await SessionConfig.create({
				keys,
				header: { alg: "EdDSA", kid: key.kid },
				key: k,
				now,
				app: APP,
			});
			const token = await new Session(config, "ua").jwt();
			const { payload } = await jwtVerify(token, key.publicKey, {
				algorithms: ["EdDSA"],
				currentDate: new Date(now()),
			});
			expect(payload.iss).toBe(APP);
		}
	});
});

describe("HMAC (opt-in, single service)", () => {
	const secret = crypto.getRandomValues(new Uint8Array(32));

	it("ALG-15: refuses short, empty, text and PEM/JWK-looking secrets", async () => {
		const words = ["secret", "password", "changeme", "your-256-bit-secret", "jwt", ""];
		for (const w of words) {
			const e = await cfgError({
				header: { alg: "HS256", kid: "h" },
				allowHmac: true,
				key: new TextEncoder().encode(w),
			});
			expect(e.issues[0]?.path).toBe("key");
		}
		const k = await makeKey("ES256");
		for (const key of [
			new TextEncoder().encode(k.spki),
			new TextEncoder().encode(JSON.stringify(k.publicJwk)),
			"a string secret that is long enough to pass the length",
			new Uint8Array(31),
		]) {
			const e = await cfgError({
				header: { alg: "HS256", kid: "h" },
				allowHmac: true,
				key: key as never,
			});
			expect(e.issues[0]?.path).toBe("key");
		}
		const e = await cfgError({ header: { alg: "HS512", kid: "h" }, allowHmac: true, key: secret });
		expect(e.message).toMatch(/64 bytes/);
	});

	it("issues and merges HS256 tokens only with allowHmac and a 32-byte secret", async () => {
		const keys = new TestKeySet("svc");
		const config = new SessionConfig({
			keys,
			header: { alg: "HS256", kid: "h" },
			key: secret,
			allowHmac: true,
			now,
		});
		const issuer = new Session(config, "ua");
		issuer.sub = "user";
		const token = await issuer.jwt();
		const target = new Session(config, "ua");
		await target.merge(token);
		expect(target.sub).toBe("user");
		expect(decodeJwt(token).sub).toBe("user");
	});
});
