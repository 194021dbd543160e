import { defineConfig } from "tsup";
import { preset } from "../../tsup.preset.ts";

export default defineConfig({
	...preset,
	// `bin` is the `xshl` command (keeps its `#!/usr/bin/env node` line); the rest is the
	// programmatic entry
	entry: ["src/index.ts", "src/errors.ts", "src/bin.ts"],
});
