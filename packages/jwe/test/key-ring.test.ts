/**
 * Integration with the real `@xshl/keys` (devDependency only): keys from the issuer's
 * KeyRing, recipients looked up in its LocalKeySet, rotation, nested tokens and a sealed
 * session from `@xshl/session-core`.
 * @see issue 6
 */
import { KeyRing } from "@xshl/keys/ring";
import { Session, SessionConfig, verifySession } from "@xshl/session-core";
import { Trace } from "@xshl/trace";
import { describe, expect, it } from "vitest";
import {
	CONTENT_ENCRYPTION_ALGORITHMS,
	decryptThenVerify,
	deserialize,
	JweDecryptionFailedError,
	JweNoMatchingKeyError,
	jwtVerifier,
	serialize,
	sessionJwe,
	signThenEncrypt,
} from "../src/index";
import { headerOf, rejects } from "./helpers";

const rings = [
	["RSA-OAEP-256", {}],
	["ECDH-ES+A256KW", { encryptionCurve: "P-256" }],
	["ECDH-ES+A256KW", { encryptionCurve: "X25519" }],
] as const;

describe("with @xshl/keys' KeyRing and LocalKeySet", () => {
	it.each(rings)(
		"round trips %s %o with every enc (non-default ones explicitly allowed)",
		async (encryption, extra) => {
			const ring = await KeyRing.generate({ signing: "ES256", encryption, ...extra });
			const keys = ring.keySet("session_name");
			const { kid, alg } = ring.encryptionKey()!;
			for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
				const policy = { contentEncryptionAlgorithms: [enc] };
				const token = await serialize({ n: 1, enc }, { alg, enc, kid }, { keys, ...policy });
				expect(headerOf(token)).toMatchObject({ alg: encryption, enc, kid });
				const result = await deserialize(token, { keys: ring.decryptionKeys(), ...policy });
				expect(result.json()).toEqual({ n: 1, enc });
			}
		},
	);

	it("keeps decrypting tokens for the retired key after rotate()", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: "ECDH-ES+A256KW" });
		const before = ring.encryptionKey()!;
		const old = await serialize(
			"old",
			{ alg: before.alg, enc: "A256GCM", kid: before.kid },
			{
				keys: ring.keySet("session_name"),
			},
		);
		await ring.rotate();
		const after = ring.encryptionKey()!;
		expect(after.kid).not.toBe(before.kid);
		const fresh = await serialize(
			"new",
			{ alg: after.alg, enc: "A256GCM", kid: after.kid },
			{
				keys: ring.keySet("session_name"),
			},
		);
		const options = { keys: ring.decryptionKeys() };
		expect((await deserialize(old, options)).text()).toBe("old");
		expect((await deserialize(fresh, { keys: ring.decryptionKeys() })).text()).toBe("new");
		// another ring's keys do not decrypt it: the kid is unknown there
		const other = await KeyRing.generate({ signing: "ES256", encryption: "ECDH-ES+A256KW" });
		await rejects(
			deserialize(fresh, { keys: other.decryptionKeys() }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
		// and a right-kid-wrong-key attempt is the one decryption error
		const forged = other.decryptionKeys().map((k) => ({ ...k, kid: after.kid }));
		await rejects(
			deserialize(fresh, { keys: forged }),
			JweDecryptionFailedError,
			"ERR_JWE_DECRYPTION_FAILED",
		);
	});

	it("a signing kid is not an encryption recipient", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: "RSA-OAEP-256" });
		const { kid } = ring.signingKey();
		const e = await rejects(
			serialize("x", { alg: "RSA-OAEP-256", enc: "A256GCM", kid }, { keys: ring.keySet("s") }),
			JweNoMatchingKeyError,
			"ERR_JWE_NO_MATCHING_KEY",
		);
		expect((e.cause as { code: string }).code).toMatch(/^ERR_KEYS_/);
	});

	it("nested: sign with the ring's signing key, encrypt to its encryption key, verify with its key set", async () => {
		const ring = await KeyRing.generate({ signing: "EdDSA", encryption: "RSA-OAEP-256" });
		const keys = ring.keySet("session_name");
		const signing = ring.signingKey();
		const enc = ring.encryptionKey()!;
		const token = await signThenEncrypt(
			{ sub: "u1" },
			{ alg: enc.alg, enc: "A256GCM", kid: enc.kid },
			{
				keys,
				signingKey: signing.privateKey,
				signingHeader: signing.header,
			},
		);
		const claims = await decryptThenVerify(token, {
			keys: ring.decryptionKeys(),
			verify: jwtVerifier({ key: keys.resolver, algorithms: ["EdDSA"] }),
		});
		expect(claims).toEqual({ sub: "u1" });
	});

	it("a session sealed with the ring opens through verifySession", async () => {
		const ring = await KeyRing.generate({ signing: "ES256", encryption: "ECDH-ES+A256KW" });
		const keys = ring.keySet("session_name");
		const signing = ring.signingKey();
		const session = new Session(
			new SessionConfig({ keys, header: signing.header, key: signing.privateKey }),
			"ua",
			"salt",
		);
		const jwe = sessionJwe(session, { decryptionKeys: ring.decryptionKeys() });
		const enc = ring.encryptionKey()!;
		const sealed = await jwe.seal({ alg: enc.alg, enc: "A256GCM", kid: enc.kid });
		const claims = await jwe.open(sealed, (jws) =>
			verifySession(jws, { keys, trace: new Trace("ua", "salt") }),
		);
		expect(claims.sid).toBe(session.sid);
		expect(
			(
				await jwe.deserialize(
					await jwe.serialize("p", { alg: enc.alg, enc: "A256GCM", kid: enc.kid }),
				)
			).text(),
		).toBe("p");
	});
});
