import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xshl } from "../src/index";
import { ISSUER, issuerOptions, listen, loginVia, UA } from "./helpers/index";

// Issue 16 §4: the Hono resource server, bundled by esbuild as a user deploys it (the built
// dist of @xshl/hono, @xshl/http and @xshl/keys), runs in workerd, Bun, Deno and Node and
// verifies tokens of an issuer whose JWKS is served here on port 0; a token whose lifetime
// ended (issued by an issuer whose clock is 10 minutes behind) is refused there.

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(pkgDir, "node_modules", ".bin", name);
const workerdBinary = join(pkgDir, "node_modules", "workerd", "bin", "workerd");
const entry = (name: string) => join(pkgDir, "test", "runtimes", name);

let work = "";
let jwks: { base: string; close: () => Promise<void> };
let valid: { token: string; cookie: string };
let expired: { token: string; cookie: string };
const children: ChildProcess[] = [];

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), "xshl-hono-runtimes-"));
	const issuer = xshl(issuerOptions());
	const issuerApp = new Hono().route("/", issuer.routes);
	jwks = await listen(issuerApp);
	valid = await loginVia(issuerApp);
	const late = new Hono().route(
		"/",
		xshl(issuerOptions({ now: () => Date.now() - 600_000 })).routes,
	);
	expired = await loginVia(late);
});

afterAll(async () => {
	for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
	await jwks?.close();
	if (work) rmSync(work, { recursive: true, force: true });
});

async function bundle(name: string, platform: "node" | "browser", conditions: string[]) {
	const outfile = join(work, name);
	await build({
		entryPoints: [entry(name)],
		bundle: true,
		outfile,
		platform,
		format: "esm",
		target: "es2022",
		conditions,
		logLevel: "silent",
	});
	return outfile;
}

/** Starts a server process that prints `PORT n`; resolves with its base URL. */
function start(command: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: work,
			env: {
				...process.env,
				NODE_OPTIONS: "",
				NO_COLOR: "1",
				DENO_NO_UPDATE_CHECK: "1",
				DO_NOT_TRACK: "1",
			},
			stdio: ["ignore", "pipe", "pipe"],
		});
		children.push(child);
		let log = "";
		const onData = (d: Buffer) => {
			log += d;
			const m = /PORT (\d+)/.exec(log);
			if (m) resolve(`http://127.0.0.1:${m[1]}`);
		};
		child.stdout!.on("data", onData);
		child.stderr!.on("data", (d: Buffer) => {
			log += d;
		});
		child.on("exit", (code) => reject(new Error(`${command} exited ${code}: ${log}`)));
	});
}

async function freePort(): Promise<number> {
	const server = createNetServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function startWorkerd(env: Record<string, string>): Promise<string> {
	await bundle("worker.mjs", "browser", ["workerd", "worker"]);
	const port = await freePort();
	const bindings = Object.entries(env)
		.map(([k, v]) => `(name = "${k}", text = "${v}")`)
		.join(", ");
	writeFileSync(
		join(work, "config.capnp"),
		`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  bindings = [${bindings}],
  compatibilityDate = "2026-11-01",
  globalOutbound = "net",
);
`,
	);
	const child = spawn(workerdBinary, ["serve", join(work, "config.capnp")], {
		cwd: work,
		stdio: ["ignore", "pipe", "pipe"],
	});
	children.push(child);
	let log = "";
	child.stderr.on("data", (d: Buffer) => {
		log += d;
	});
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 300; i++) {
		if (child.exitCode !== null) throw new Error(`workerd exited ${child.exitCode}: ${log}`);
		try {
			await fetch(url, { method: "HEAD" });
			return url;
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	throw new Error(`workerd did not listen: ${log}`);
}

const RUNTIMES: { name: string; start(env: Record<string, string>): Promise<string> }[] = [
	{
		name: "Node",
		start: async (env) =>
			start(process.execPath, [await bundle("node.mjs", "node", ["node"]), JSON.stringify(env)]),
	},
	{
		name: "Bun",
		start: async (env) =>
			start(bin("bun"), [await bundle("bun.mjs", "node", ["bun"]), JSON.stringify(env)]),
	},
	{
		name: "Deno",
		start: async (env) =>
			start(bin("deno"), [
				"run",
				"--no-prompt",
				"--allow-net=127.0.0.1",
				await bundle("deno.mjs", "node", ["deno"]),
				JSON.stringify(env),
			]),
	},
	{ name: "workerd", start: startWorkerd },
];

describe("the Hono resource server on real runtimes", () => {
	for (const runtime of RUNTIMES) {
		it(`${runtime.name}: three cold concurrent requests verify; an expired token and another client are refused`, async () => {
			const base = await runtime.start({
				JWKS_URL: `${jwks.base}/.well-known/jwks.json`,
				ISSUER,
			});
			const headers = {
				authorization: `Bearer ${valid.token}`,
				cookie: valid.cookie,
				"user-agent": UA,
			};
			const cold = await Promise.all([1, 2, 3].map(() => fetch(`${base}/orders`, { headers })));
			expect(cold.map((r) => r.status)).toEqual([200, 200, 200]);
			expect(await Promise.all(cold.map((r) => r.json()))).toEqual([
				{ sub: "alice" },
				{ sub: "alice" },
				{ sub: "alice" },
			]);
			const late = await fetch(`${base}/orders`, {
				headers: {
					authorization: `Bearer ${expired.token}`,
					cookie: expired.cookie,
					"user-agent": UA,
				},
			});
			expect(late.status).toBe(401);
			expect(late.headers.get("www-authenticate")).toBe(
				'Bearer realm="xshl", error="invalid_token", error_description="the token has expired"',
			);
			expect(await late.json()).toEqual({
				error: { code: "ERR_SESSION_EXPIRED", message: "the token has expired" },
			});
			const other = await fetch(`${base}/orders`, {
				headers: { ...headers, "user-agent": "curl/8.9" },
			});
			expect(other.status).toBe(401);
			expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
				"ERR_HTTP_TRACE_MISMATCH",
			);
		}, 60_000);
	}
});
