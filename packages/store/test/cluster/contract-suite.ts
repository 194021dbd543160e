// The whole SessionStore contract suite on a test-started Redis Cluster (3 primaries, 3
// replicas), through the ioredis Cluster client; `peer()` is a second Cluster client (its own
// connections), so the concurrency tests race two clients.
import type { Cluster } from "ioredis";
import { beforeAll, describe, expect } from "vitest";
import type { SessionStore } from "../../src/index";
import type { StoreOptions } from "../../src/options";
import { RedisStore } from "../../src/redis";
import { contractSuite } from "../contract";
import { randomPrefix } from "../redis-helpers";
import type { SharedCluster, TestCluster } from "./harness";

const made = new WeakMap<SessionStore, { prefix: string; options: StoreOptions }>();

/** Every key (with its value) under `prefix` on every primary, read concurrently. */
async function dumpCluster(admin: Cluster, prefix: string): Promise<string> {
	const parts: string[] = [];
	for (const node of admin.nodes("master")) {
		const keys: string[] = [];
		let cursor = "0";
		do {
			const [next, batch] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
			cursor = next;
			keys.push(...batch);
		} while (cursor !== "0");
		const types = await Promise.all(keys.map((key) => node.type(key)));
		const values = await Promise.all(
			keys.map((key, i) => {
				if (types[i] === "hash") return node.hgetall(key).then((v) => JSON.stringify(v));
				if (types[i] === "zset") return node.zrange(key, "0", "-1").then((v) => JSON.stringify(v));
				if (types[i] === "string") return node.get(key).then((v) => String(v));
				return Promise.resolve(`<${types[i]}>`);
			}),
		);
		for (const [i, key] of keys.entries()) parts.push(key, values[i] as string);
	}
	return parts.join("\n");
}

/** The whole contract suite on the shared cluster; `peer()` stores use a second Cluster client. */
export function clusterContract(shared: SharedCluster): void {
	describe("RedisStore on a Redis Cluster (3 primaries, 3 replicas)", () => {
		let cluster: TestCluster;
		let admin: Cluster;
		// two clients, each with its own connections: every store on one, every peer on the other
		let one: Cluster;
		let two: Cluster;
		beforeAll(async () => {
			cluster = shared.cluster as TestCluster;
			admin = await cluster.ready();
			one = await cluster.ready();
			two = await cluster.ready();
		});

		async function make(
			prefix: string,
			options: StoreOptions = {},
			client: Cluster = one,
		): Promise<RedisStore> {
			// patient on a busy machine: a replica may take more than 100 ms to acknowledge a WAIT
			const durability = { timeoutMs: 1000 };
			const store = new RedisStore({ durability, ...options, client, prefix, timeoutMs: 2000 });
			made.set(store, { prefix, options });
			return store;
		}

		contractSuite("RedisStore on Cluster", {
			async make(options) {
				return make(randomPrefix("cc"), options);
			},
			async peer(store) {
				const m = made.get(store);
				if (m === undefined) throw new Error("unknown store");
				return make(m.prefix, m.options, two);
			},
			// a real sleep, plus the 300 ms a call may take on six redis-servers sharing two
			// cores with other suites (a denylist TTL is set one call latency after it is computed)
			advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 300)),
			async dump(store) {
				return dumpCluster(admin, made.get(store)?.prefix as string);
			},
			async dropFromIndex(store, _sub, familyId) {
				const prefix = made.get(store)?.prefix as string;
				const removed = await admin.zrem(`${prefix}:{u:${familyId.slice(0, 16)}}:s`, familyId);
				expect(removed).toBe(1);
			},
			appNow: () => Date.now(),
		});
	});
}
