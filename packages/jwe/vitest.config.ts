import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/jwe",
		restoreMocks: true,
		// a ceiling, not a timing assertion: RSA key generation shares 2 cores with the other suites
		testTimeout: 30_000,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
