import { defaultServerConditions } from "vite";
import { defineProject } from "vitest/config";

// Without Vite's `module` condition (as `@xshl/otel`'s tests): @opentelemetry/api 1.x maps it to
// an ESM build with extension-less imports that Node cannot load; Node itself never reads
// `module`, so the tests resolve packages as the demo's Node process does.
const conditions = ["@xshl/source", ...defaultServerConditions.filter((c) => c !== "module")];

export default defineProject({
	resolve: { conditions },
	ssr: { resolve: { conditions } },
	test: {
		name: "@xshl/demo",
		restoreMocks: true,
		include: ["test/**/*.test.ts"],
		testTimeout: 30_000,
		hookTimeout: 60_000,
	},
});
