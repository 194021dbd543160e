import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/hono",
		restoreMocks: true,
		// a ceiling, not a timing assertion: the suites share 2 cores under turbo
		testTimeout: 30_000,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
