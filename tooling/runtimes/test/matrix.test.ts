import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KeyRing } from "@xshl/keys/ring";
import { EdgeRuntime, runServer } from "edge-runtime";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkerd, workerdBinary } from "./helpers/workerd";

// Issue 12 §5: one real round trip per web package per runtime, each cell a test. Node and Bun
// import the packages from node_modules (their dist, as installed); Deno, workerd and
// edge-runtime run an esbuild bundle of the same code, as a deployed project does.

const here = fileURLToPath(new URL(".", import.meta.url));
const pkgDir = join(here, "..");
const bin = (name: string) => join(pkgDir, "node_modules", ".bin", name);
const src = (name: string) => join(pkgDir, "src", name);

type Outcome =
	| { ok: true; value: unknown }
	| { ok: false; error: { name?: string; code?: string; message: string } };
type Results = Record<string, Outcome[]>;

/** Concurrent first requests to one cold key set (issue 12 §3: cold starts on edge runtimes). */
const KEYS_REQUESTS = 3;
const WEB = ["trace", "keys", "session-core", "jwe"] as const;
const ALL = [...WEB, "store"] as const;

/**
 * Cells that fail because of a package bug that has not been fixed yet: `it.fails`, so the
 * matrix stays green and the table says which. Each entry names the bug.
 */
const KNOWN_BUGS: Record<string, string> = {};

interface Input {
	vectors: { uuid5: unknown[]; trace: unknown[]; sid: unknown[] };
	jwksUrl: string;
	barrierUrl: string;
	kid: string;
	message: string;
	signature: string;
}

const vectors = JSON.parse(
	readFileSync(
		join(pkgDir, "..", "..", "packages", "trace", "test", "vectors", "python-uuid5.json"),
		"utf8",
	),
) as {
	uuid5: { namespace: string; name: string; expected: string }[];
	trace: { parts: unknown[]; jti: string; expected: string }[];
	sid: { name: string; parts: unknown[]; expected: string }[];
};

let work = "";
let jwksServer: Server | undefined;
let input: Input;
const cleanups: (() => Promise<void> | void)[] = [];

function base64url(bytes: ArrayBuffer): string {
	return Buffer.from(bytes).toString("base64url");
}

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), "xshl-runtimes-"));
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	// `/barrier/<runtime>` answers the three concurrent keys requests of one runtime together
	const waiting = new Map<string, (() => void)[]>();
	jwksServer = createServer(async (req, res) => {
		if (req.url?.startsWith("/barrier/")) {
			const list = waiting.get(req.url) ?? [];
			list.push(() => res.end("go"));
			waiting.set(req.url, list);
			if (list.length === KEYS_REQUESTS) for (const release of list) release();
			return;
		}
		const r = await ring.jwksResponse({ headers: req.headers });
		res.writeHead(r.status, r.headers).end(r.body);
	});
	await new Promise<void>((resolve) => jwksServer?.listen(0, "127.0.0.1", resolve));
	const address = jwksServer.address();
	if (!address || typeof address === "string") throw new Error("no port");
	const { privateKey, header } = ring.signingKey();
	const message = "signed by the issuer in Node";
	const signature = await crypto.subtle.sign(
		{ name: "ECDSA", hash: "SHA-256" },
		privateKey,
		new TextEncoder().encode(message),
	);
	input = {
		vectors: { uuid5: vectors.uuid5, trace: vectors.trace, sid: vectors.sid },
		jwksUrl: `http://127.0.0.1:${address.port}/.well-known/jwks.json`,
		barrierUrl: `http://127.0.0.1:${address.port}/barrier/`,
		kid: header.kid,
		message,
		signature: base64url(signature),
	};
});

/** runtime → the version that ran, for scripts/table.mjs (`.reports/runtimes.json`) */
const versions: Record<string, string> = {};

afterAll(async () => {
	mkdirSync(join(pkgDir, ".reports"), { recursive: true });
	writeFileSync(
		join(pkgDir, ".reports", "runtimes.json"),
		`${JSON.stringify(versions, null, "\t")}\n`,
	);
	for (const cleanup of cleanups.reverse()) await cleanup();
	jwksServer?.closeAllConnections();
	await new Promise((resolve) => jwksServer?.close(resolve));
	if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs `command` with `stdin` written to it; resolves with stdout, rejects with stderr. */
function exec(command: string, args: string[], stdin: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: work,
			// no update checks or telemetry: CI runs offline
			env: {
				...process.env,
				NODE_OPTIONS: "",
				NO_COLOR: "1",
				DENO_NO_UPDATE_CHECK: "1",
				DO_NOT_TRACK: "1",
			},
			stdio: ["pipe", "pipe", "pipe"],
		});
		let out = "";
		let err = "";
		child.stdout.on("data", (d) => {
			out += d;
		});
		child.stderr.on("data", (d) => {
			err += d;
		});
		child.on("error", reject);
		child.on("close", (code) =>
			code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err || out}`)),
		);
		// a child that exits before reading its input (`workerd --version`) breaks the pipe: it
		// is judged by its exit code and output (asserted by the caller), not by the EPIPE
		child.stdin.on("error", (e: NodeJS.ErrnoException) => {
			if (e.code !== "EPIPE") reject(e);
		});
		child.stdin.end(stdin);
	});
}

async function bundle(
	entry: string,
	out: string,
	options: { platform: "node" | "browser"; format: "esm" | "iife"; conditions?: string[] },
): Promise<string> {
	const outfile = join(work, out);
	await build({
		entryPoints: [src(entry)],
		bundle: true,
		outfile,
		platform: options.platform,
		format: options.format,
		target: "es2022",
		conditions: options.conditions ?? [],
		logLevel: "silent",
	});
	return outfile;
}

/** POSTs the input to `/run/<pkg>`: keys three times at once (a cold start), the others once. */
async function overHttp(
	runtime: string,
	url: string,
	packages: readonly string[],
): Promise<Results> {
	const results: Results = {};
	const body = JSON.stringify(inputFor(runtime));
	const post = async (pkg: string): Promise<Outcome> => {
		const res = await fetch(new URL(`/run/${pkg}`, url), { method: "POST", body });
		const text = await res.text();
		try {
			return JSON.parse(text) as Outcome;
		} catch {
			return { ok: false, error: { name: "HTTP", message: `${res.status} ${text.slice(0, 500)}` } };
		}
	};
	for (const pkg of packages) {
		results[pkg] = await Promise.all(
			Array.from({ length: pkg === "keys" ? KEYS_REQUESTS : 1 }, () => post(pkg)),
		);
	}
	return results;
}

const inputFor = (runtime: string): Input => ({
	...input,
	barrierUrl: `${input.barrierUrl}${runtime}`,
});
const cli = (runtime: string, packages: readonly string[]) =>
	JSON.stringify({ packages, input: inputFor(runtime) });

/** Parses a CLI runtime's answer and records the version it reports. */
function fromCli(runtime: string, stdout: string): Results {
	const { $version, ...results } = JSON.parse(stdout) as Results & { $version?: string };
	if ($version) versions[runtime] = $version;
	return results;
}

interface Runtime {
	readonly name: string;
	readonly packages: readonly string[];
	run(): Promise<Results>;
}

const runtimes: Runtime[] = [
	{
		name: "Node",
		packages: ALL,
		async run() {
			return fromCli(
				this.name,
				await exec(process.execPath, [src("cli.mjs")], cli(this.name, ALL)),
			);
		},
	},
	{
		name: "Bun",
		packages: ALL,
		async run() {
			return fromCli(this.name, await exec(bin("bun"), [src("cli.mjs")], cli(this.name, ALL)));
		},
	},
	{
		name: "Deno",
		packages: ALL,
		async run() {
			const file = await bundle("cli.mjs", "deno.mjs", {
				platform: "node",
				format: "esm",
				conditions: ["deno"],
			});
			return fromCli(
				this.name,
				await exec(
					bin("deno"),
					["run", "--no-prompt", "--allow-net=127.0.0.1", file],
					cli(this.name, ALL),
				),
			);
		},
	},
	{
		name: "workerd",
		packages: WEB,
		async run() {
			await bundle("worker.mjs", "worker.mjs", {
				platform: "browser",
				format: "esm",
				conditions: ["workerd", "worker"],
			});
			const workerd = await startWorkerd(work, "worker.mjs", {});
			cleanups.push(workerd.stop);
			versions[this.name] = (await exec(workerdBinary, ["--version"], ""))
				.trim()
				.replace(/^workerd /, "");
			return overHttp(this.name, workerd.url, WEB);
		},
	},
	{
		name: "edge-runtime",
		packages: WEB,
		async run() {
			const file = await bundle("edge.mjs", "edge.js", {
				platform: "browser",
				format: "iife",
				conditions: ["edge-light", "worker"],
			});
			const runtime = new EdgeRuntime({ initialCode: readFileSync(file, "utf8") });
			const server = await runServer({ runtime, port: 0, host: "127.0.0.1" });
			versions[this.name] = JSON.parse(
				readFileSync(join(pkgDir, "node_modules", "edge-runtime", "package.json"), "utf8"),
			).version;
			// close() waits for pending effects; the round trips have none left
			cleanups.push(() =>
				Promise.race([server.close(), new Promise<void>((r) => setTimeout(r, 2000))]),
			);
			return overHttp(this.name, server.url, WEB);
		},
	},
];

const UA_SALT_SID = vectors.sid.find(
	(v) => v.name === "session_name" && JSON.stringify(v.parts) === '["Mozilla/5.0","salt"]',
)?.expected;

/** What every runtime must compute, exactly. */
const expected: Record<string, Outcome[]> = {
	trace: [
		{
			ok: true,
			value: {
				uuid5: vectors.uuid5.map((v) => v.expected),
				traces: vectors.trace.map((v) => v.expected),
				sids: vectors.sid.map((v) => v.expected),
			},
		},
	],
	keys: Array.from({ length: KEYS_REQUESTS }, () => ({
		ok: true as const,
		value: {
			alg: "ES256",
			published: 2,
			privateMembers: [],
			localVerified: true,
			remoteVerified: true,
		},
	})),
	"session-core": [
		{
			ok: true,
			value: {
				sub: "user-123",
				sid: UA_SALT_SID,
				scope: ["read", "write"],
				merged: ["admin", "read", "write"],
				replayed: "ERR_SESSION_SID_MISMATCH",
			},
		},
	],
	jwe: [
		{
			ok: true,
			value: {
				segments: 5,
				payload: { hello: "world" },
				kid: "enc-1",
				tampered: "ERR_JWE_DECRYPTION_FAILED",
			},
		},
	],
	store: [
		{
			ok: true,
			value: {
				generations: [0, 1],
				graceReplay: true,
				reuse: "ERR_STORE_REFRESH_REUSED",
				family: "ERR_STORE_SESSION_REVOKED",
				events: ["login", "refresh", "refresh.reuse_detected", "revoke"],
			},
		},
	],
};

it("the session id the session-core cells expect is Python's", () => {
	expect(UA_SALT_SID).toBe("28c2a95b-0361-5bbe-867f-f16038e52567");
});

// describe = runtime, it = package: scripts/table.mjs reads these titles from the report
for (const runtime of runtimes) {
	describe(runtime.name, () => {
		let results: Promise<Results> | undefined;
		const outcomes = (pkg: string) => {
			results ??= runtime.run();
			return results.then((r) => r[pkg]);
		};
		for (const pkg of runtime.packages) {
			const bug = KNOWN_BUGS[`${runtime.name} ${pkg}`];
			const test = bug ? it.fails : it;
			test(bug ? `${pkg} (known bug: ${bug})` : pkg, async () => {
				expect(await outcomes(pkg)).toEqual(expected[pkg]);
			}, 180_000);
		}
	});
}
