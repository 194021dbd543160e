// Client checks at startup and the durability option, on a test-started Redis Cluster:
// - a plain ioredis client pointed at a cluster node is refused with ERR_STORE_CONFIG_INVALID
//   (`ready()` and every call), never reported as ERR_STORE_UNAVAILABLE;
// - an ioredis Cluster whose settings could resend a command after the store answered is
//   refused at construction, one issue per setting;
// - durable revocations wait for a replica: with the replica paused they fail closed, and
//   they never report success before the replica has the write.
import { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../src/redis";
import { randomPrefix } from "../redis-helpers";
import { SAFE_CLUSTER_OPTIONS, type SharedCluster, type TestCluster } from "./harness";

const PEPPER = "cluster-client-pepper-0123456789abcdef01";

function thrown(f: () => unknown): unknown {
	try {
		f();
	} catch (e) {
		return e;
	}
	return undefined;
}

/** Startup checks and durability on the shared cluster (leaves it healthy). */
export function clientChecks(shared: SharedCluster): void {
	describe("RedisStore client checks and durability on a Redis Cluster", () => {
		let cluster: TestCluster;
		beforeAll(() => {
			cluster = shared.cluster as TestCluster;
		});

		it("a plain client on a cluster node fails at startup with ERR_STORE_CONFIG_INVALID, not per call as unavailable", async () => {
			const plain = cluster.node(cluster.nodes[0]?.port as number);
			const store = new RedisStore({
				client: plain,
				prefix: randomPrefix("plain"),
				pepper: PEPPER,
			});
			const e = await store.ready().catch((x: unknown) => x);
			expect(e).toMatchObject({
				name: "StoreConfigError",
				code: "ERR_STORE_CONFIG_INVALID",
				issues: [{ path: "client", message: "must be an ioredis Cluster for a Redis Cluster" }],
			});
			// every call says the same, for users on any slot
			for (const sub of ["a", "b", "c", "d"]) {
				await expect(store.login({ sub, trace: "T" })).rejects.toMatchObject({
					code: "ERR_STORE_CONFIG_INVALID",
				});
			}
			// the same client shape through a Cluster works
			const good = new RedisStore({
				client: await cluster.ready(),
				prefix: randomPrefix("good"),
				pepper: PEPPER,
			});
			await expect(good.ready()).resolves.toBeUndefined();
			expect((await good.login({ sub: "a", trace: "T" })).generation).toBe(0);
		});

		it("an ioredis Cluster that could resend after the store answered is refused at construction", () => {
			const lazy = { lazyConnect: true } as const;
			const defaults = new Cluster(cluster.seeds, lazy);
			const e = thrown(() => new RedisStore({ client: defaults, pepper: PEPPER }));
			expect(e).toMatchObject({ name: "StoreConfigError", code: "ERR_STORE_CONFIG_INVALID" });
			expect((e as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
				"client.options.enableOfflineQueue",
				"client.options.retryDelayOnFailover",
				"client.options.maxRedirections",
			]);
			expect((e as Error).message).toContain("16 × 100 ms");
			// the tested settings pass; a longer store timeout allows longer redirection chains
			const safe = new Cluster(cluster.seeds, { ...SAFE_CLUSTER_OPTIONS, ...lazy });
			expect(new RedisStore({ client: safe, pepper: PEPPER })).toBeInstanceOf(RedisStore);
			const slowRedirects = new Cluster(cluster.seeds, {
				...SAFE_CLUSTER_OPTIONS,
				...lazy,
				retryDelayOnTryAgain: 50,
			});
			expect(
				(
					thrown(() => new RedisStore({ client: slowRedirects, pepper: PEPPER })) as {
						issues: unknown;
					}
				).issues,
			).toEqual([
				{
					path: "client.options.maxRedirections",
					message:
						"maxRedirections × the largest retryDelayOn* (6 × 50 ms) must stay under timeoutMs (250 ms), so no redirection is resent after the store answered",
				},
			]);
			expect(
				new RedisStore({ client: slowRedirects, pepper: PEPPER, timeoutMs: 400 }),
			).toBeInstanceOf(RedisStore);
			const reconnecting = new Cluster(cluster.seeds, {
				...SAFE_CLUSTER_OPTIONS,
				...lazy,
				clusterNodeRetryStrategy: () => 100,
			});
			expect(
				(
					thrown(() => new RedisStore({ client: reconnecting, pepper: PEPPER })) as {
						issues: { path: string }[];
					}
				).issues.map((i) => i.path),
			).toEqual(["client.options.redisOptions.autoResendUnfulfilledCommands"]);
			expect(
				(
					thrown(
						() => new RedisStore({ client: safe, pepper: PEPPER, durability: { timeoutMs: 250 } }),
					) as { issues: unknown }
				).issues,
			).toEqual([{ path: "durability.timeoutMs", message: "must be below timeoutMs (250 ms)" }]);
			for (const c of [defaults, safe, slowRedirects, reconnecting]) c.disconnect();
		});

		it("durable revocations (the Cluster default) fail closed while the replica is paused; non-durable ones do not wait", async () => {
			const prefix = randomPrefix("durable");
			const client = await cluster.ready();
			// a 1 s call timeout: only the 100 ms WAIT may fail here, not a busy machine
			const durable = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: 1000 });
			const relaxed = new RedisStore({
				client,
				prefix,
				pepper: PEPPER,
				timeoutMs: 1000,
				durability: false,
			});
			const login = await durable.login({ sub: "dora", trace: "T", sid: "d1" });
			const slot = Number(
				await client.call("CLUSTER", "KEYSLOT", `{u:${login.familyId.slice(0, 16)}}`),
			);
			const primary = await cluster.primaryOf(slot);
			const roles = await cluster.roles();
			const replica = [...roles.replicas].find(([, p]) => p === primary)?.[0] as number;
			const proc = cluster.nodes.find((n) => n.port === replica)?.proc;
			const second = await durable.login({ sub: "dora", trace: "T", sid: "d2" });
			// acknowledged: the replica has the denylist entry the moment the call returns
			expect(await durable.revokeSession({ sub: "dora", sid: "d1" })).toBe(true);
			const onReplica = new Redis({ host: "127.0.0.1", port: replica, readOnly: true });
			onReplica.on("error", () => undefined);
			await onReplica.call("READONLY");
			const denyKey = `${prefix}:{u:${login.familyId.slice(0, 16)}}:ds:d1`;
			expect(await onReplica.exists(denyKey)).toBe(1);
			proc?.kill("SIGSTOP");
			try {
				const e = await durable.revokeSession({ sub: "dora", sid: "d2" }).catch((x: unknown) => x);
				expect(e).toMatchObject({ name: "StoreUnavailableError", code: "ERR_STORE_UNAVAILABLE" });
				expect((e as Error).message).toMatch(/acknowledged by 0 of 1 replica\(s\) within 100 ms/);
				// the same revocation without durability is acknowledged at once
				expect(await relaxed.revokeSession({ sub: "dora", sid: "d2" })).toBe(false);
				expect(
					await relaxed.denyJti({ sub: "dora", id: "j", exp: Math.floor(Date.now() / 1000) + 60 }),
				).toBeUndefined();
				// rotations do not wait by default
				const r = await durable.login({ sub: "dora", trace: "T", sid: "d3" });
				expect((await durable.rotate(r.refreshToken, { trace: "T" })).generation).toBe(1);
			} finally {
				proc?.kill("SIGCONT");
				onReplica.disconnect();
			}
			await cluster.waitHealthy();
			// the failed durable call is safe to retry: the family stays revoked
			await expect(durable.rotate(second.refreshToken, { trace: "T" })).rejects.toMatchObject({
				code: "ERR_STORE_SESSION_REVOKED",
			});
		});
	});
}
