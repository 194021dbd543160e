import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/express",
		restoreMocks: true,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
	},
});
