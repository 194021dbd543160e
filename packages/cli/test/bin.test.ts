// The built `xshl` bin as a child process: exit statuses, stdin, colour, usage errors.
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KeyRing } from "@xshl/keys/ring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startServer, type TestServer } from "./helpers/server";
import { issue, NAME, SALT, UA } from "./helpers/tokens";

// the file package.json's `bin` names, as `npx @xshl/cli` runs it
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const BIN = fileURLToPath(new URL(`../${manifest.bin.xshl}`, import.meta.url));
const exec = promisify(execFile);

interface Result {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs the bin with `args` (and `stdin`), without a TTY, under a clean environment. */
function xshl(
	args: string[],
	options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Result> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [BIN, ...args], {
			env: { PATH: process.env.PATH ?? "", ...options.env },
			stdio: ["pipe", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (d: Buffer) => {
			stdout += d.toString();
		});
		child.stderr.on("data", (d: Buffer) => {
			stderr += d.toString();
		});
		child.on("error", reject);
		child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
		child.stdin.end(options.stdin ?? "");
	});
}

let ring: KeyRing;
let server: TestServer;

beforeAll(async () => {
	ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	server = await startServer({
		"/jwks.json": async (req, res) => {
			const r = await ring.jwksResponse({ headers: req.headers });
			res.writeHead(r.status, r.headers).end(r.body);
		},
		"/bad.json": json("{ not json"),
	});
});
afterAll(() => server.close());

describe("the xshl bin", () => {
	it("package.json's bin is dist/bin.js: a #!/usr/bin/env node line, executable", async () => {
		expect(manifest.bin).toEqual({ xshl: "./dist/bin.js" });
		const { stdout } = await exec("head", ["-n", "1", BIN]);
		expect(stdout).toBe("#!/usr/bin/env node\n");
		expect((await stat(BIN)).mode & 0o111).not.toBe(0);
	});

	it("--help prints the usage on stdout, exit 0", async () => {
		const r = await xshl(["--help"]);
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(/^Usage: xshl <command> \[options\]\n/);
		expect(r.stderr).toBe("");
	});

	it.each([
		[
			["token", "inspect", "--bogus"],
			"xshl: Unknown option '--bogus'",
			"Usage: xshl token inspect",
		],
		[
			["keys", "generate", "--out", "x.json"],
			"xshl: --alg must be one of ES256, EdDSA, Ed25519, RS256, PS256",
			"Usage: xshl keys generate",
		],
		[
			["keys", "generate", "--alg", "ES256"],
			"xshl: --out FILE is required",
			"Usage: xshl keys generate",
		],
		[
			["keys", "rotate", "--in"],
			"xshl: Option '--in <value>' argument missing",
			"Usage: xshl keys rotate",
		],
		[["jwks", "check"], "xshl: expected one URL", "Usage: xshl jwks check URL"],
		[
			["jwks", "check", "ftp://x/y"],
			"xshl: URL must be an absolute http(s) URL",
			"Usage: xshl jwks check URL",
		],
		[
			["token", "inspect", "a", "b"],
			"xshl: expected at most one TOKEN",
			"Usage: xshl token inspect",
		],
		[
			["token", "inspect", "x", "--name", "n"],
			"xshl: --name and --trace go together: the sid is derived from both",
			"Usage: xshl token inspect",
		],
		[["frobnicate"], "xshl: unknown command 'frobnicate'", "Usage: xshl <command>"],
		[["keys", "export"], "xshl: unknown command 'keys export'", "Usage: xshl keys generate"],
		[[], "xshl: missing command", "Usage: xshl <command>"],
		[["token", "inspect"], "xshl: missing TOKEN: the input is empty", "Usage: xshl token inspect"],
	])("usage error %j: one line and the usage on stderr, exit 2", async (args, line, usage) => {
		const r = await xshl(args);
		const [first, empty, third] = r.stderr.split("\n");
		expect({ code: r.code, first }).toEqual({ code: 2, first: line });
		expect(r.stdout).toBe("");
		expect(empty).toBe("");
		expect(third?.startsWith(usage)).toBe(true);
	});

	it("token inspect: a valid token from stdin, verified and bound, exit 0, JSON on stdout", async () => {
		const token = await issue(ring);
		const r = await xshl(
			[
				"token",
				"inspect",
				"--jwks",
				`${server.origin}/jwks.json`,
				"--name",
				NAME,
				"--trace",
				UA,
				"--trace",
				SALT,
				"--json",
			],
			{ stdin: `${token}\n` },
		);
		expect(r.stderr).toBe("");
		expect(r.code).toBe(0);
		const report = JSON.parse(r.stdout);
		expect(report.ok).toBe(true);
		expect(report.signature.key.kid).toBe(ring.signingKey().kid);
		expect(report.binding.sid.valid).toBe(true);
		expect(report.binding.trace.valid).toBe(true);
	});

	it("token inspect: an expired token, exit 1; the human output has no colour without a TTY", async () => {
		const token = await issue(ring, Date.now() - 3_600_000);
		const r = await xshl(["token", "inspect", token, "--jwks", `${server.origin}/jwks.json`]);
		expect(r.code).toBe(1);
		expect(r.stdout).toContain("✗ expired 58 minutes ago");
		expect(r.stdout).toContain("✗ not a valid session token: ERR_SESSION_EXPIRED");
		expect(r.stdout).not.toContain("\u001b[");
	});

	it("token inspect: more than 1 MiB on stdin is refused (ERR_CLI_INPUT_INVALID), exit 1", async () => {
		const r = await xshl(["token", "inspect", "-"], { stdin: "a".repeat(1_048_577) });
		expect(r.code).toBe(1);
		expect(r.stderr).toBe(
			"xshl: standard input is larger than 1048576 bytes: not a token (ERR_CLI_INPUT_INVALID)\n",
		);
	});

	it("token inspect: a wrong trace names the failed checks, exit 1", async () => {
		const token = await issue(ring);
		const r = await xshl([
			"token",
			"inspect",
			token,
			"--name",
			NAME,
			"--trace",
			"curl/8.5.0",
			"--trace",
			SALT,
		]);
		expect(r.code).toBe(1);
		expect(r.stdout).toContain("✗ trace does not match the given parts");
	});

	it("keys generate → keys rotate → keys jwks through the bin; the file is 0600", async () => {
		const out = join(await mkdtemp(join(tmpdir(), "xshl-cli-bin-")), "ring.json");
		const g = await xshl(["keys", "generate", "--alg", "ES256", "--out", out]);
		expect(g.code).toBe(0);
		expect((await stat(out)).mode & 0o777).toBe(0o600);
		const generated = JSON.parse(g.stdout);
		expect(generated.keys).toHaveLength(2);
		const again = await xshl(["keys", "generate", "--alg", "ES256", "--out", out]);
		expect(again.code).toBe(1);
		expect(again.stderr).toBe(
			`xshl: ${out} exists; pass --force to overwrite it (ERR_CLI_FILE_EXISTS)\n`,
		);
		const rot = await xshl(["keys", "rotate", "--in", out, "--json"]);
		expect(rot.code).toBe(0);
		expect(JSON.parse(rot.stdout).rotated[0].retired).toBe(generated.keys[0].kid);
		const j = await xshl(["keys", "jwks", "--in", out]);
		expect(j.code).toBe(0);
		expect(JSON.parse(j.stdout).keys.map((k: { kid: string }) => k.kid)).toContain(
			generated.keys[0].kid,
		);
	});

	it("jwks check: a good endpoint exits 0, bad JSON exits 1", async () => {
		const good = await xshl(["jwks", "check", `${server.origin}/jwks.json`]);
		expect(good.code).toBe(0);
		expect(good.stdout).toContain("TTL: 600 s");
		const bad = await xshl(["jwks", "check", `${server.origin}/bad.json`, "--json"]);
		expect(bad.code).toBe(1);
		expect(JSON.parse(bad.stdout).error.cause.code).toBe("ERR_KEYS_JWKS_INVALID");
	});
});
