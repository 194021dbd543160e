// The published package beside zod 3.25 (peer range `^3.25.0 || ^4.0.0`): a consumer directory
// whose only `zod` is 3.25.76 (the `zod3` alias of the dev dependencies), the built package
// copied in (so its `zod/v4/mini` and `zod/v4` imports resolve to zod 3.25, not to the repo's
// zod 4), and a child Node process that issues, verifies with a LocalKeySet, extends the claims
// schema with zod 3.25's `zod/v4` and reads a config error, printing what it saw.
import { execFile } from "node:child_process";
import {
	cpSync,
	mkdirSync,
	mkdtempSync,
	realpathSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(pkg, "node_modules");
let dir = "";

const SCRIPT = `
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import * as z from "zod/v4";
import { LocalKeySet } from "@xshl/keys";
import { KeyRing } from "@xshl/keys/ring";
import { Trace } from "@xshl/trace";
import { createSessionVerifier, Session, SessionConfig, sessionClaimsSchema } from "@xshl/session-core";

const require = createRequire(import.meta.url);
const version = (from) =>
	JSON.parse(readFileSync(createRequire(from).resolve("zod/package.json"), "utf8")).version;
const out = {
	consumerZod: version(import.meta.url),
	packageZod: version(require.resolve("@xshl/session-core")),
};
const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
const { header, privateKey } = ring.signingKey();
const keys = new LocalKeySet({ name: "session_name", jwks: ring.jwks() });
const config = new SessionConfig({
	keys,
	app: "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a",
	audience: ["service-api"],
	header,
	key: privateKey,
});
const session = new Session(config, "Mozilla/5.0", "salt");
session.sub = "user-1";
session.aud = "service-api";
const token = await session.jwt();
const trace = new Trace("Mozilla/5.0", "salt");
const verifier = createSessionVerifier({ keys, audience: ["service-api"] });
const claims = await verifier.verify(token, { trace });
out.engine = verifier.engine;
out.sub = claims.sub;
out.sidMatches = claims.sid === session.sid;
const strict = createSessionVerifier({
	keys,
	audience: ["service-api"],
	schema: sessionClaimsSchema.extend({ role: z.enum(["admin", "user"]) }),
});
await strict.verify(token).catch((e) => {
	out.customSchema = { code: e.code, claim: e.claim };
});
try {
	createSessionVerifier({ keys, leewayMs: -1 });
} catch (e) {
	out.configError = { code: e.code, issues: e.issues };
}
console.log(JSON.stringify(out));
`;

/** A consumer directory: zod 3.25.76 alone, the built package copied, its other deps linked. */
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), "xshl-zod3-"));
	const nm = join(dir, "node_modules");
	mkdirSync(join(nm, "@xshl", "session-core"), { recursive: true });
	cpSync(join(pkg, "package.json"), join(nm, "@xshl", "session-core", "package.json"));
	cpSync(join(pkg, "dist"), join(nm, "@xshl", "session-core", "dist"), { recursive: true });
	symlinkSync(realpathSync(join(modules, "zod3")), join(nm, "zod"), "dir");
	symlinkSync(realpathSync(join(modules, "jose")), join(nm, "jose"), "dir");
	// keys and trace keep their own dependencies (keys depends on zod 4 itself)
	symlinkSync(realpathSync(join(modules, "@xshl", "keys")), join(nm, "@xshl", "keys"), "dir");
	symlinkSync(realpathSync(join(modules, "@xshl", "trace")), join(nm, "@xshl", "trace"), "dir");
	writeFileSync(join(dir, "package.json"), '{ "type": "module", "private": true }');
	writeFileSync(join(dir, "consumer.mjs"), SCRIPT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("zod 3.25 (peer range ^3.25.0 || ^4.0.0)", () => {
	it("issues and verifies with zod 3.25's zod/v4 and zod/v4/mini; a zod 3.25 schema extends the claims; config errors read in English", {
		timeout: 30_000,
	}, async () => {
		const { stdout } = await run(process.execPath, ["consumer.mjs"], { cwd: dir });
		expect(JSON.parse(stdout)).toEqual({
			consumerZod: "3.25.76",
			packageZod: "3.25.76",
			engine: "node",
			sub: "user-1",
			sidMatches: true,
			customSchema: { code: "ERR_SESSION_CLAIM_MISSING", claim: "role" },
			configError: {
				code: "ERR_SESSION_CONFIG_INVALID",
				issues: [{ path: "leewayMs", message: "Too small: expected number to be >=0" }],
			},
		});
	});
});
