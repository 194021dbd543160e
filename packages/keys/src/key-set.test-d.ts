import type { CompactDecryptGetKey, JWTVerifyGetKey } from "jose";
import { expectTypeOf, test } from "vitest";
import type {
	ConfigIssue,
	KeySet,
	KeysErrorCode,
	KeysErrors,
	LocalKeySet,
	NoMatchingKeyError,
	ReferenceKeys,
	RemoteKeySet,
	RemoteKeySetOptions,
} from "./index";
import {
	type EncryptionAlg,
	KeyRing,
	type KeyRingEvents,
	type KeyRingOptions,
	type KeyRingSnapshot,
	type SigningAlg,
	type SigningKey,
} from "./ring";

test("every key set satisfies the KeySet contract and jose's key-function type", () => {
	expectTypeOf<RemoteKeySet>().toExtend<KeySet>();
	expectTypeOf<LocalKeySet>().toExtend<KeySet>();
	expectTypeOf<ReferenceKeys>().toExtend<RemoteKeySet>();
	expectTypeOf<KeySet["resolver"]>().toExtend<JWTVerifyGetKey>();
	expectTypeOf<KeySet["get"]>().returns.toEqualTypeOf<CryptoKey | undefined>();
	expectTypeOf<KeyRing["decryptionResolver"]>().toExtend<CompactDecryptGetKey>();
});

test("the ring's algorithm unions are closed", () => {
	expectTypeOf<SigningAlg>().toEqualTypeOf<"RS256" | "PS256" | "ES256" | "EdDSA" | "Ed25519">();
	expectTypeOf<EncryptionAlg>().toEqualTypeOf<"RSA-OAEP-256" | "ECDH-ES+A256KW">();
	expectTypeOf<ReturnType<KeyRing["signingKey"]>>().toEqualTypeOf<SigningKey>();
	// @ts-expect-error HS256 is never a ring algorithm
	void KeyRing.generate({ signing: "HS256" });
});

test("the renamed API: snapshot()/restore(), on() returning an unsubscribe function, Ms and Bytes options", () => {
	expectTypeOf<KeyRing["snapshot"]>().returns.resolves.toEqualTypeOf<KeyRingSnapshot>();
	expectTypeOf<(typeof KeyRing)["restore"]>().parameter(0).toEqualTypeOf<KeyRingSnapshot>();
	expectTypeOf<KeyRing>().not.toHaveProperty("exportPrivate");
	expectTypeOf<typeof KeyRing>().not.toHaveProperty("import");
	expectTypeOf<ReturnType<KeyRing["on"]>>().toEqualTypeOf<() => void>();
	expectTypeOf<ReturnType<RemoteKeySet["on"]>>().toEqualTypeOf<() => void>();
	expectTypeOf<KeyRingOptions>().toHaveProperty("maxAgeMs");
	expectTypeOf<KeyRingOptions>().not.toHaveProperty("maxAgeSeconds");
	expectTypeOf<RemoteKeySetOptions>().toHaveProperty("maxResponseBytes");
	expectTypeOf<RemoteKeySetOptions>().not.toHaveProperty("maxBytes");
	expectTypeOf<RemoteKeySetOptions>().not.toHaveProperty("onEvent");
	expectTypeOf<ConfigIssue["path"]>().toEqualTypeOf<string>();
	expectTypeOf<KeyRingEvents["withdraw"]>().toEqualTypeOf<{
		kid: string;
		use: "sig" | "enc";
		state: "next" | "active" | "retired";
		activeKid: string | undefined;
	}>();
});

test("the error union narrows on code", () => {
	expectTypeOf<KeysErrors["code"]>().toEqualTypeOf<KeysErrorCode>();
	expectTypeOf<
		Extract<KeysErrors, { code: "ERR_KEYS_NO_MATCHING_KEY" }>
	>().toEqualTypeOf<NoMatchingKeyError>();
});
