import type { Redis } from "ioredis";
import { expectTypeOf, test } from "vitest";
import type { SessionStore, StoreErrorCode, StoreErrors } from "./index";
import { MemoryStore } from "./index";
import type { RedisClientLike, RedisStore } from "./redis";

test("both adapters implement the SessionStore contract", () => {
	expectTypeOf<MemoryStore>().toMatchTypeOf<SessionStore>();
	expectTypeOf<RedisStore>().toMatchTypeOf<SessionStore>();
});

test("an ioredis client is a RedisClientLike", () => {
	expectTypeOf<Redis>().toMatchTypeOf<RedisClientLike>();
});

test("errors narrow on code", () => {
	expectTypeOf<StoreErrors["code"]>().toEqualTypeOf<StoreErrorCode>();
	type Reused = Extract<StoreErrors, { code: "ERR_STORE_REFRESH_REUSED" }>;
	expectTypeOf<Reused["familyId"]>().toEqualTypeOf<string>();
});

test("rotate resolves to the successor and the family state", () => {
	const store = new MemoryStore();
	expectTypeOf(store.rotate)
		.returns.resolves.toHaveProperty("refreshToken")
		.toEqualTypeOf<string>();
	expectTypeOf(store.isRevoked)
		.returns.resolves.toHaveProperty("reason")
		.toEqualTypeOf<"jti" | "sid" | "epoch" | null>();
});
