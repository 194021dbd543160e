// clusterClientOptions(): the ioredis Cluster settings the store is tested with pass its
// startup check, while ioredis' defaults are refused (no cluster needed: lazyConnect).
import { Cluster } from "ioredis";
import { describe, expect, it } from "vitest";
import { clusterClientOptions, RedisStore } from "../src/redis";

const seeds = [{ host: "127.0.0.1", port: 1 }];

describe("clusterClientOptions", () => {
	it("passes the store's check of a Cluster client; ioredis' defaults do not", async () => {
		const safe = new Cluster(seeds, { ...clusterClientOptions(), lazyConnect: true });
		const unsafe = new Cluster(seeds, { lazyConnect: true });
		try {
			expect(new RedisStore({ client: safe })).toBeInstanceOf(RedisStore);
			let refused: unknown;
			try {
				new RedisStore({ client: unsafe });
			} catch (e) {
				refused = e;
			}
			expect((refused as { code?: string }).code).toBe("ERR_STORE_CONFIG_INVALID");
			expect(
				((refused as { issues: { path: string }[] }).issues ?? []).map((i) => i.path),
			).toContain("client.options.enableOfflineQueue");
		} finally {
			safe.disconnect();
			unsafe.disconnect();
		}
	});

	it("returns a fresh object each call, with the documented values", () => {
		const a = clusterClientOptions();
		const b = clusterClientOptions();
		expect(a).not.toBe(b);
		a.maxRedirections = 1;
		expect(b.maxRedirections).toBe(6);
		expect({ ...b, clusterRetryStrategy: undefined }).toEqual({
			enableOfflineQueue: false,
			maxRedirections: 6,
			retryDelayOnMoved: 0,
			retryDelayOnFailover: 0,
			retryDelayOnClusterDown: 10,
			retryDelayOnTryAgain: 10,
			slotsRefreshTimeout: 200,
			slotsRefreshInterval: 500,
			clusterRetryStrategy: undefined,
			redisOptions: { connectTimeout: 500, maxRetriesPerRequest: 0 },
		});
		expect([1, 5, 20].map((t) => b.clusterRetryStrategy(t))).toEqual([50, 250, 500]);
	});
});
