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
		// a ceiling, not a timing assertion: RSA key generation shares 2 cores with the other
		// suites under turbo; every verify runs twice under the shadow
		testTimeout: process.env.XSHL_SHADOW === "1" ? 60_000 : 30_000,
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
