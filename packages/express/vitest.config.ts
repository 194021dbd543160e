import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Two projects, one report: every test runs on Express 5 (the `express` devDependency) and
 * again on Express 4 (`express4`, aliased to `express` for the source and the tests alike).
 */
export default defineConfig({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		restoreMocks: true,
		// a ceiling, not a timing assertion: the suites share 2 cores under turbo
		testTimeout: 30_000,
		projects: [
			{
				extends: true,
				test: {
					name: "@xshl/express",
					env: { XSHL_EXPRESS_MAJOR: "5" },
					include: ["src/**/*.test.ts", "test/**/*.test.ts"],
					typecheck: {
						enabled: true,
						include: ["src/**/*.test-d.ts"],
						tsconfig: "./tsconfig.json",
					},
				},
			},
			{
				extends: true,
				resolve: { alias: [{ find: /^express(\/.*)?$/, replacement: "express4$1" }] },
				test: {
					name: "@xshl/express on Express 4",
					env: { XSHL_EXPRESS_MAJOR: "4" },
					include: ["test/**/*.test.ts"],
				},
			},
		],
	},
});
