// `pnpm bench:cluster`: runs bench/cluster.ts once (not part of `pnpm test` nor `pnpm bench`).
import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/session-store bench:cluster",
		include: ["bench/cluster.ts"],
		testTimeout: 600_000,
		hookTimeout: 60_000,
	},
});
