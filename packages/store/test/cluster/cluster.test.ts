// Redis Cluster tests: ONE test-started cluster (3 primaries, 3 replicas, see harness.ts) for
// the whole file, so the suites run one after the other on two shared cores: the contract
// suite, the startup checks and durability, then failover and slot migration (which kill,
// pause and migrate). Locally a missing redis-server skips them; under CI=true they fail.
import { afterAll, beforeAll, describe, vi } from "vitest";
import { clientChecks } from "./client-suite";
import { clusterContract } from "./contract-suite";
import { failover } from "./failover-suite";
import { type SharedCluster, shouldSkipCluster, startCluster } from "./harness";

// several tests sleep through real timeouts while six redis-servers share the machine
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const shared: SharedCluster = { cluster: undefined };

describe.skipIf(shouldSkipCluster())(
	"RedisStore on a Redis Cluster (3 primaries, 3 replicas)",
	() => {
		beforeAll(async () => {
			shared.cluster = await startCluster("store");
		});
		afterAll(async () => {
			await shared.cluster?.stop();
		});
		clusterContract(shared);
		clientChecks(shared);
		failover(shared);
	},
);
