import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/keys",
		restoreMocks: true,
		// RSA key generation is slow on a busy machine; this is a ceiling, not a timed assertion
		testTimeout: 30_000,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
