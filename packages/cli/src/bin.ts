#!/usr/bin/env node
// The `xshl` command (see run.ts). Exit status: 0 ok, 1 the thing checked is bad, 2 usage error.
import { nodeIO } from "./io";
import { run } from "./run";

void run(process.argv.slice(2), nodeIO()).then((code) => {
	process.exitCode = code;
});
