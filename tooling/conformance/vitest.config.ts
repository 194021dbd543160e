import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Two projects, one report: the table on every adapter (Express 5), then on `@xshl/express`
 * under Express 4 (`express4`, aliased to `express` for the package's source and the app).
 */
export default defineConfig({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		restoreMocks: true,
		include: ["test/**/*.test.ts"],
		projects: [
			{ extends: true, test: { name: "@xshl/conformance" } },
			{
				extends: true,
				resolve: { alias: [{ find: /^express(\/.*)?$/, replacement: "express4$1" }] },
				test: {
					name: "@xshl/conformance on Express 4",
					env: { XSHL_CONFORMANCE_ADAPTERS: "express" },
				},
			},
		],
	},
});
