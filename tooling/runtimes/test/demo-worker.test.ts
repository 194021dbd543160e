import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkerd, type Workerd } from "./helpers/workerd";

// Issue 16, "Done when": a token issued by the demo (apps/demo in issuer mode, `node
// dist/main.js`, memory store) is accepted by the README's Hono Worker
// (packages/hono/examples/worker.ts: `@xshl/hono/resource` following the issuer's JWKS and
// revocation feed, the feed refreshed by requests) running in workerd, and refused there with
// 401 ERR_SESSION_REVOKED once the user logs out everywhere on the demo; another user's token
// is still accepted (the Worker follows the feed, it does not refuse everything).

const root = fileURLToPath(new URL("../../..", import.meta.url));
const DEMO_ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f"; // the demo's default ISSUER
const DEMO_AUDIENCE = "xshl-demo"; // the demo's default AUDIENCE
const DEMO_KEYSET_NAME = "xshl-demo"; // the demo's default KEYSET_NAME (it enters every sid)
const UA = "Mozilla/5.0 Firefox/140.0";
const page = {
	"x-xshl-request": "1",
	"sec-fetch-site": "same-origin",
	"content-type": "application/json",
	"user-agent": UA,
};

let work = "";
let demo: { url: string; child: ChildProcess; log: () => string } | undefined;
let worker: Workerd | undefined;

function startDemo(): Promise<{ url: string; child: ChildProcess; log: () => string }> {
	const child = spawn(process.execPath, [join(root, "apps", "demo", "dist", "main.js")], {
		cwd: join(root, "apps", "demo"),
		env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info" },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let out = "";
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 20_000);
		child.stdout.on("data", (d: Buffer) => {
			out += d;
			const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
			if (m?.[1]) {
				clearTimeout(timer);
				resolve({ url: m[1], child, log: () => out });
			}
		});
		child.stderr.on("data", (d: Buffer) => {
			out += d;
		});
		child.once("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`demo exited with ${code}:\n${out}`));
		});
	});
}

interface Login {
	token: string;
	cookie: string;
	sub: string;
}

async function login(username: string): Promise<Login> {
	const res = await fetch(`${demo!.url}/auth/login`, {
		method: "POST",
		headers: page,
		body: JSON.stringify({ username, password: `${username}-demo-pass` }),
	});
	expect(res.status).toBe(200);
	const { access_token } = (await res.json()) as { access_token: string };
	const cookie = res.headers
		.getSetCookie()
		.map((c) => c.split(";")[0])
		.join("; ");
	const payload = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString());
	return { token: access_token, cookie, sub: payload.sub };
}

const orders = (l: Login) =>
	fetch(`${worker!.url}/orders`, {
		headers: { authorization: `Bearer ${l.token}`, cookie: l.cookie, "user-agent": UA },
	});

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), "xshl-demo-worker-"));
	demo = await startDemo();
	await build({
		entryPoints: [join(root, "packages", "hono", "examples", "worker.ts")],
		bundle: true,
		outfile: join(work, "worker.mjs"),
		platform: "browser",
		format: "esm",
		target: "es2022",
		conditions: ["workerd", "worker"],
		logLevel: "silent",
	});
	worker = await startWorkerd(work, "worker.mjs", {
		ISSUER_URL: demo.url,
		ISSUER: DEMO_ISSUER,
		AUDIENCE: DEMO_AUDIENCE,
		KEYSET_NAME: DEMO_KEYSET_NAME,
	});
}, 60_000);

afterAll(async () => {
	await worker?.stop();
	if (demo && demo.child.exitCode === null) {
		const exited = new Promise((r) => demo!.child.once("exit", r));
		demo.child.kill("SIGTERM");
		await exited;
	}
	if (work) rmSync(work, { recursive: true, force: true });
});

describe("the demo's tokens in a Hono Worker on workerd", () => {
	it("accepted, then refused with ERR_SESSION_REVOKED after logout everywhere on the demo", async () => {
		const alice = await login("alice");
		const bob = await login("bob");
		const first = await orders(alice);
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ sub: alice.sub });
		expect(alice.sub).toBe("6f1c8a52-3d0e-4f5b-9a27-1e8b2c4d5f60"); // the demo's alice

		const all = await fetch(`${demo!.url}/auth/logout-all`, {
			method: "POST",
			headers: { ...page, authorization: `Bearer ${alice.token}`, cookie: alice.cookie },
			body: "{}",
		});
		expect(all.status).toBe(200);

		// the Worker refreshes the feed at most once a second, in the background of a request
		let last: Response | undefined;
		for (let i = 0; i < 50; i++) {
			last = await orders(alice);
			if (last.status !== 200) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(last?.status).toBe(401);
		expect(last?.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_token", error_description="the token has been revoked"',
		);
		expect(await last?.json()).toEqual({
			error: { code: "ERR_SESSION_REVOKED", message: "the token has been revoked" },
		});

		const other = await orders(bob);
		expect(other.status).toBe(200);
		expect(await other.json()).toEqual({ sub: bob.sub });
	}, 30_000);
});
