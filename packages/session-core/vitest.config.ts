import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/session-core",
		restoreMocks: true,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// `pnpm fuzz`: every engine the tests build is shadowed by jose (test/differential-shadow.ts)
		setupFiles: process.env.XSHL_SHADOW === "1" ? ["./test/differential-shadow.ts"] : [],
		// every verify runs twice under the shadow, on a loaded machine: room for the slow ones
		...(process.env.XSHL_SHADOW === "1" ? { testTimeout: 60_000 } : {}),
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
