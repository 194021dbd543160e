import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/cli",
		restoreMocks: true,
		// RSA key generation and child processes are slow on a busy machine: a ceiling, not a timed assertion
		testTimeout: 60_000,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
	},
});
