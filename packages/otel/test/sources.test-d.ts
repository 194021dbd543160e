// The real objects of the other packages fit the structural parts of instrument().
import { RemoteKeySet } from "@xshl/keys";
import type { RevocationFeedClient } from "@xshl/keys/revocations";
import type { KeyRing } from "@xshl/keys/ring";
import type { createSessionVerifier } from "@xshl/session-core";
import type { MemoryStore } from "@xshl/session-store";
import type { RedisStore } from "@xshl/session-store/redis";
import { expectTypeOf, test } from "vitest";
import type { FeedLike, KeyRingLike, KeySetLike, StoreLike, VerifierLike } from "../src/index";

test("the real objects are accepted parts", () => {
	expectTypeOf<RemoteKeySet>().toExtend<KeySetLike>();
	expectTypeOf<KeyRing>().toExtend<KeyRingLike>();
	expectTypeOf<MemoryStore>().toExtend<StoreLike>();
	expectTypeOf<RedisStore>().toExtend<StoreLike>();
	expectTypeOf<RevocationFeedClient>().toExtend<FeedLike>();
	expectTypeOf<ReturnType<typeof createSessionVerifier>>().toExtend<VerifierLike>();
	expectTypeOf<{ on(type: "other", l: () => void): () => void }>().not.toExtend<StoreLike>();
	void RemoteKeySet;
});
