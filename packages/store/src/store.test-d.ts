import type { Redis } from "ioredis";
import { expectTypeOf, test } from "vitest";
import type {
	ConfigIssue,
	LoginResult,
	OperationStats,
	SessionStore,
	StoreErrorCode,
	StoreErrors,
	StoreInputError,
	StoreOperation,
	StoreOptions,
	StoreStats,
} from "./index";
import { MemoryStore, STORE_ERROR_CODES } from "./index";
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

test("the one vocabulary: ms options, maxAgeMs, on() with typed payloads, no alias", () => {
	expectTypeOf<StoreOptions>().toHaveProperty("graceMs").toEqualTypeOf<number | undefined>();
	expectTypeOf<StoreOptions>().toHaveProperty("accessTokenTtlMs");
	expectTypeOf<StoreOptions>().not.toHaveProperty("graceSeconds");
	expectTypeOf<StoreOptions>().not.toHaveProperty("onEvent");
	expectTypeOf<MemoryStore>().not.toHaveProperty("createFamily");
	expectTypeOf<LoginResult>().toHaveProperty("maxAgeMs").toEqualTypeOf<number>();
	expectTypeOf<LoginResult>().not.toHaveProperty("maxAgeSeconds");
	const store = new MemoryStore();
	const off = store.on("refresh.reuse_detected", (e) => {
		expectTypeOf(e.tokenHashPrefix).toEqualTypeOf<string>();
		expectTypeOf(e.reason).toEqualTypeOf<"reuse" | "trace_mismatch">();
	});
	expectTypeOf(off).toEqualTypeOf<() => void>();
	store.on("error", (e) => {
		expectTypeOf(e.error).toEqualTypeOf<Error>();
		expectTypeOf(e.op).toEqualTypeOf<StoreOperation | undefined>();
	});
});

test("the registry and the stats", () => {
	expectTypeOf(STORE_ERROR_CODES.ERR_STORE_SESSION_REVOKED.status).toEqualTypeOf<401>();
	expectTypeOf<"ERR_STORE_TRACE_MISMATCH">().toMatchTypeOf<StoreErrorCode>();
	expectTypeOf<"ERR_TRACE_MISMATCH">().not.toMatchTypeOf<StoreErrorCode>();
	expectTypeOf<RedisStore["stats"]>().returns.toEqualTypeOf<StoreStats>();
	expectTypeOf<StoreStats["rotate"]>().toEqualTypeOf<OperationStats>();
	expectTypeOf<StoreInputError["issues"]>().toEqualTypeOf<readonly ConfigIssue[]>();
});
