import { defineProject } from "vitest/config";

export default defineProject({
	test: { name: "@xshl/consumers", restoreMocks: true, include: ["test/**/*.test.ts"] },
});
