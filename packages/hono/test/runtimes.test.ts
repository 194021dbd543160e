import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MemoryStore } from "@xshl/session-store";
import { build } from "esbuild";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xshl } from "../src/index";
import { ISSUER, issuerOptions, listen, loginVia, page, revocationFeed, UA } from "./helpers/index";

// Issue 16 §4: the README's Worker (examples/worker.ts: @xshl/hono/resource following the
// issuer's JWKS and revocation feed), bundled by esbuild as a user deploys it (the built dist of
// @xshl/hono, @xshl/http and @xshl/keys), runs in workerd, Bun, Deno and Node against an issuer
// served here on port 0: three cold requests verify, a token whose lifetime ended (issued by an
// issuer whose clock is 10 minutes behind) and another client are refused, and after the user
// logs out everywhere the token is refused with ERR_SESSION_REVOKED (the feed refreshed by
// requests, `revocationsRefreshMs`).

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(pkgDir, "node_modules", ".bin", name);
const workerdBinary = join(pkgDir, "node_modules", "workerd", "bin", "workerd");
const entry = (name: string) => join(pkgDir, "test", "runtimes", name);

let work = "";
let jwks: { base: string; close: () => Promise<void> };
let issuerApp: Hono;
let expired: { token: string; cookie: string };
let closeFeed = () => {};
const children: ChildProcess[] = [];

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), "xshl-hono-runtimes-"));
	const store = new MemoryStore();
	const feed = revocationFeed(store);
	closeFeed = () => feed.close();
	issuerApp = new Hono()
		.get("/.well-known/xshl-revocations", (c) => feed.handle(c.req.raw))
		.route("/", xshl(issuerOptions({ store })).routes);
	jwks = await listen(issuerApp);
	const late = new Hono().route(
		"/",
		xshl(issuerOptions({ now: () => Date.now() - 600_000 })).routes,
	);
	expired = await loginVia(late);
});

afterAll(async () => {
	// each server runs in its own process group: the pnpm shims start bun and deno as children
	// of a shell or node wrapper, so killing the direct child alone would leave them running
	for (const c of children) {
		try {
			if (c.pid !== undefined) process.kill(-c.pid, "SIGKILL");
		} catch {
			// the group is gone already (or the child is not a group leader): kill it alone
			if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
		}
	}
	await jwks?.close();
	closeFeed();
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
			detached: true,
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
		detached: true,
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
		it(`${runtime.name}: three cold concurrent requests verify; an expired token and another client are refused; logout everywhere is refused`, async () => {
			const user = `user-${runtime.name}`;
			const valid = await loginVia(issuerApp, user);
			const base = await runtime.start({
				ISSUER_URL: jwks.base,
				ISSUER,
				AUDIENCE: "api",
				KEYSET_NAME: "xshl",
			});
			const headers = {
				authorization: `Bearer ${valid.token}`,
				cookie: valid.cookie,
				"user-agent": UA,
			};
			const cold = await Promise.all([1, 2, 3].map(() => fetch(`${base}/orders`, { headers })));
			expect(cold.map((r) => r.status)).toEqual([200, 200, 200]);
			expect(await Promise.all(cold.map((r) => r.json()))).toEqual([
				{ sub: user },
				{ sub: user },
				{ sub: user },
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

			const all = await issuerApp.request("/auth/logout-all", {
				method: "POST",
				headers: { ...page, authorization: `Bearer ${valid.token}`, cookie: valid.cookie },
				body: "{}",
			});
			expect(all.status).toBe(200);
			// the Worker refreshes the feed at most once a second, in the background of a request
			let last: Response | undefined;
			for (let i = 0; i < 60; i++) {
				last = await fetch(`${base}/orders`, { headers });
				if (last.status !== 200) break;
				await new Promise((r) => setTimeout(r, 100));
			}
			expect(last?.status).toBe(401);
			expect(await last?.json()).toEqual({
				error: { code: "ERR_SESSION_REVOKED", message: "the token has been revoked" },
			});
		}, 60_000);
	}
});
