/**
 * `@xshl/session-store/redis`: the Redis adapter of the {@link SessionStore} contract.
 * Node and Bun; takes an ioredis client (optional peer dependency).
 *
 * @module
 */

export type { SafeClusterOptions } from "./cluster-options";
export { clusterClientOptions } from "./cluster-options";
export type { SessionStore } from "./contract";
export type { DurabilityInput, DurableWrites } from "./internal/durability";
export type { RedisClientLike, RedisStoreOptions } from "./redis-store";
export { RedisStore } from "./redis-store";
export type { OperationStats, StoreOperation, StoreStats } from "./stats";
