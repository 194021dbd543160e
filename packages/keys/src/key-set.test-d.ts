import type { CompactDecryptGetKey, JWTVerifyGetKey } from "jose";
import { expectTypeOf, test } from "vitest";
import type {
	KeySet,
	KeysErrorCode,
	KeysErrors,
	LocalKeySet,
	NoMatchingKeyError,
	ReferenceKeys,
	RemoteKeySet,
} from "./index";
import { type EncryptionAlg, KeyRing, type SigningAlg, type SigningKey } from "./ring";

test("every key set satisfies the KeySet contract and jose's key-function type", () => {
	expectTypeOf<RemoteKeySet>().toExtend<KeySet>();
	expectTypeOf<LocalKeySet>().toExtend<KeySet>();
	expectTypeOf<ReferenceKeys>().toExtend<RemoteKeySet>();
	expectTypeOf<KeySet["resolver"]>().toExtend<JWTVerifyGetKey>();
	expectTypeOf<KeySet["get"]>().returns.toEqualTypeOf<CryptoKey | undefined>();
	expectTypeOf<KeyRing["decryptionResolver"]>().toExtend<CompactDecryptGetKey>();
});

test("the ring's algorithm unions are closed", () => {
	expectTypeOf<SigningAlg>().toEqualTypeOf<"RS256" | "PS256" | "ES256" | "EdDSA">();
	expectTypeOf<EncryptionAlg>().toEqualTypeOf<"RSA-OAEP-256" | "ECDH-ES+A256KW">();
	expectTypeOf<ReturnType<KeyRing["signingKey"]>>().toEqualTypeOf<SigningKey>();
	// @ts-expect-error HS256 is never a ring algorithm
	void KeyRing.generate({ signing: "HS256" });
});

test("the error union narrows on code", () => {
	expectTypeOf<KeysErrors["code"]>().toEqualTypeOf<KeysErrorCode>();
	expectTypeOf<
		Extract<KeysErrors, { code: "ERR_KEYS_NO_MATCHING_KEY" }>
	>().toEqualTypeOf<NoMatchingKeyError>();
});
