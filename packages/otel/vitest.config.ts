import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

// Without Vite's `module` condition: @opentelemetry/api 1.x maps it to an ESM build with
// extension-less imports that Node cannot load; Node itself never reads `module`, so the
// tests resolve the OTel packages as a user's Node process does (their CommonJS build).
const conditions = ["@xshl/source", ...defaultServerConditions.filter((c) => c !== "module")];

export default defineProject({
	resolve: { conditions },
	ssr: { resolve: { conditions } },
	test: {
		name: "@xshl/otel",
		restoreMocks: true,
		// a ceiling, not a timing assertion: the suites share 2 cores under turbo
		testTimeout: 30_000,
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		typecheck: {
			enabled: true,
			include: ["test/**/*.test-d.ts"],
			tsconfig: "./test/tsconfig.json",
		},
	},
});
