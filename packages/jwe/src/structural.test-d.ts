import type { LocalKeySet } from "@xshl/keys";
import type { KeyRing } from "@xshl/keys/ring";
import type { Session } from "@xshl/session-core";
import { describe, expectTypeOf, it } from "vitest";
import type { DecryptionKeyInput, DeserializeResult } from "./deserialize";
import type { decryptThenVerify } from "./nested";
import type { RecipientKeySet } from "./serialize";
import type { JweSessionLike } from "./session";

describe("structural contracts with @xshl/keys and @xshl/session-core (no runtime dependency)", () => {
	it("any @xshl/keys key set is a RecipientKeySet", () => {
		expectTypeOf<LocalKeySet>().toExtend<RecipientKeySet>();
	});

	it("KeyRing#decryptionKeys() is a DecryptionKeyInput as is", () => {
		expectTypeOf<ReturnType<KeyRing["decryptionKeys"]>>().toExtend<DecryptionKeyInput>();
	});

	it("a session-core Session is what sessionJwe() takes", () => {
		expectTypeOf<Session>().toExtend<JweSessionLike>();
	});

	it("a decrypted JWE carries no claims; decryptThenVerify returns the verifier's type", () => {
		expectTypeOf<DeserializeResult>().not.toHaveProperty("claims");
		expectTypeOf<DeserializeResult["json"]>().returns.toBeUnknown();
		expectTypeOf<Awaited<ReturnType<typeof decryptThenVerify<{ sub: string }>>>>().toEqualTypeOf<{
			sub: string;
		}>();
	});
});
