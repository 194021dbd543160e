/**
 * The session adapter with the real `@xshl/session-core` (devDependency only): the Python
 * original's `session.serialize(b"payload", protected)` / `session.deserialize(token)`, and a
 * sealed (signed, then encrypted) session opened with `verifySession`.
 * @see issue 6
 */
import { Session, SessionConfig, verifySession } from "@xshl/session-core";
import { Trace } from "@xshl/trace";
import { exportPKCS8, exportSPKI, generateKeyPair, importSPKI } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
	JweConfigError,
	JweDecryptionFailedError,
	JweNestedVerificationFailedError,
	JweNoMatchingKeyError,
	sessionJwe,
} from "../src/index";
import { headerOf, rejects } from "./helpers";

const UA = "Mozilla/5.0 (X11; Linux x86_64)";
const SALT = "per-login-salt";

/** A static key set with signing and encryption keys, shaped like @xshl/keys' KeySet. */
class TestKeySet {
	readonly name = "session_name";
	readonly #keys = new Map<string, { alg: string; use: "sig" | "enc"; key: CryptoKey }>();
	add(kid: string, alg: string, use: "sig" | "enc", key: CryptoKey): this {
		this.#keys.set(kid, { alg, use, key });
		return this;
	}
	algorithms(use: "sig" | "enc"): string[] {
		return [...new Set([...this.#keys.values()].filter((k) => k.use === use).map((k) => k.alg))];
	}
	readonly resolver = (header: { kid?: string; alg?: string }): Promise<CryptoKey> =>
		this.getKey({ ...header, use: "sig" });
	async getKey(query: { kid?: string; alg?: string; use?: "sig" | "enc" }): Promise<CryptoKey> {
		const entry = query.kid === undefined ? undefined : this.#keys.get(query.kid);
		if (
			!entry ||
			(query.alg && entry.alg !== query.alg) ||
			(query.use && entry.use !== query.use)
		) {
			throw Object.assign(new Error("no matching key"), { code: "ERR_KEYS_NO_MATCHING_KEY" });
		}
		return entry.key;
	}
}

const ENC_HEADER = { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "enc-1" };
let keys: TestKeySet;
let session: Session;
let encPrivate: CryptoKey;

beforeAll(async () => {
	const sig = await generateKeyPair("ES256");
	const enc = await generateKeyPair("RSA-OAEP-256");
	encPrivate = enc.privateKey;
	keys = new TestKeySet()
		.add("sig-1", "ES256", "sig", sig.publicKey)
		.add("enc-1", "RSA-OAEP-256", "enc", enc.publicKey);
	session = new Session(
		new SessionConfig({ keys, header: { alg: "ES256", kid: "sig-1" }, key: sig.privateKey }),
		UA,
		SALT,
	);
	session.sub = "user-123";
});

describe("sessionJwe(session): the original's serialize/deserialize", () => {
	it("serialize(b'payload', protected) then deserialize(token) gives the payload back", async () => {
		const jwe = sessionJwe(session, { decryptionKeys: [{ kid: "enc-1", privateKey: encPrivate }] });
		const token = await jwe.serialize(new TextEncoder().encode("payload"), ENC_HEADER);
		expect(headerOf(token)).toEqual(ENC_HEADER);
		const result = await jwe.deserialize(token);
		expect(result.text()).toBe("payload");
	});

	it("like the original, decrypts with config.key when it is a PEM (bytes or text)", async () => {
		const rsa = await generateKeyPair("RS256", { extractable: true });
		const pem = await exportPKCS8(rsa.privateKey);
		// the original used one RSA key for RS256 and RSA-OAEP-256; here that is opt-in by omission
		const encPublic = await importSPKI(await exportSPKI(rsa.publicKey), "RSA-OAEP-256");
		const ks = new TestKeySet()
			.add("rs-1", "RS256", "sig", rsa.publicKey)
			.add("rs-1-enc", "RSA-OAEP-256", "enc", encPublic);
		for (const key of [pem, new TextEncoder().encode(pem)]) {
			const s = new Session(
				new SessionConfig({ keys: ks, header: { alg: "RS256", kid: "rs-1" }, key }),
				UA,
				SALT,
			);
			const jwe = sessionJwe(s);
			const token = await jwe.serialize("pem", { ...ENC_HEADER, kid: "rs-1-enc" });
			expect((await jwe.deserialize(token)).text()).toBe("pem");
		}
	});

	it("a signing CryptoKey is never used to decrypt: a config error asks for decryptionKeys", async () => {
		const jwe = sessionJwe(session);
		const token = await jwe.serialize("x", ENC_HEADER);
		const e = await rejects(jwe.deserialize(token), JweConfigError, "ERR_JWE_CONFIG_INVALID");
		expect(e.message).toContain("a signing key cannot decrypt");
	});

	it("a kid missing from the key set is ERR_JWE_NO_MATCHING_KEY (the original raised ValueError)", async () => {
		const jwe = sessionJwe(session);
		await rejects(
			jwe.serialize("x", { ...ENC_HEADER, kid: "nope" }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
		// a signing kid is not an encryption key
		await rejects(
			jwe.serialize("x", { ...ENC_HEADER, kid: "sig-1" }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
	});

	it("refuses a session without config.keys", () => {
		expect(() => sessionJwe({ config: {} } as never)).toThrow(JweConfigError);
	});
});

describe("seal/open: sign with the session, encrypt, then decrypt and verifySession", () => {
	it("opens to the verified session claims", async () => {
		const jwe = sessionJwe(session, { decryptionKeys: { kid: "enc-1", privateKey: encPrivate } });
		const token = await jwe.seal(ENC_HEADER);
		expect(headerOf(token)).toMatchObject({ cty: "JWT", kid: "enc-1" });
		const claims = await jwe.open(token, (jws) =>
			verifySession(jws, { keys, trace: new Trace(UA, SALT) }),
		);
		expect(claims.sid).toBe(session.sid);
		expect(claims.sub).toBe("user-123");
	});

	it("a sealed session from another client (trace) decrypts but does not verify", async () => {
		const jwe = sessionJwe(session, { decryptionKeys: { kid: "enc-1", privateKey: encPrivate } });
		const token = await jwe.seal(ENC_HEADER);
		const e = await rejects(
			jwe.open(token, (jws) => verifySession(jws, { keys, trace: new Trace("curl/8", SALT) })),
			JweNestedVerificationFailedError,
			"ERR_JWE_NESTED_VERIFICATION_FAILED",
		);
		expect((e.cause as { code: string }).code).toMatch(/^ERR_SESSION_/);
	});

	it("a tampered sealed session is the one decryption error", async () => {
		const jwe = sessionJwe(session, { decryptionKeys: { kid: "enc-1", privateKey: encPrivate } });
		const parts = (await jwe.seal(ENC_HEADER)).split(".");
		parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith("AA") ? "BA" : "AA"}`;
		await rejects(
			jwe.open(parts.join("."), () => ({})),
			JweDecryptionFailedError,
			"ERR_JWE_DECRYPTION_FAILED",
		);
	});

	it("FMT-04: session-core's verifySession rejects a JWE (never decrypts and trusts it)", async () => {
		const jwe = sessionJwe(session, { decryptionKeys: { kid: "enc-1", privateKey: encPrivate } });
		const token = await jwe.seal(ENC_HEADER);
		const e = await verifySession(token, { keys }).then(
			() => undefined,
			(err: unknown) => err as { code: string },
		);
		expect(e?.code).toBe("ERR_SESSION_TOKEN_MALFORMED");
	});
});
