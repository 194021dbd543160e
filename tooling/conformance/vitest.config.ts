import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["@xshl/source", ...defaultServerConditions] },
	ssr: { resolve: { conditions: ["@xshl/source", ...defaultServerConditions] } },
	test: {
		name: "@xshl/conformance",
		restoreMocks: true,
		include: ["test/**/*.test.ts"],
	},
});
