import { defineConfig } from "vitest/config";

/** Root config: every workspace package is a vitest project (inner loop: `pnpm vitest`). */
export default defineConfig({
	test: {
		projects: ["packages/*", "apps/*", "tooling/consumers"],
	},
});
