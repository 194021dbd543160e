import { defineProject } from "vitest/config";

export default defineProject({
	test: { name: "@xshl/runtimes", include: ["test/**/*.test.ts"] },
});
