/** Start demo processes (`node dist/main.js`) on free ports and talk to them over HTTP. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** The key-encryption key the tests give the demo for the key ring in Redis (32 bytes). */
export const RING_KEK = Buffer.alloc(32, 7).toString("base64url");

/** REDIS_URL with database 9 (tests never touch db 0). */
export function redisDb9(): string {
	const u = new URL(REDIS_URL);
	u.pathname = "/9";
	return u.toString();
}

/** True when Redis answers PING within 1 s. */
export async function redisReachable(): Promise<boolean> {
	const r = new Redis(redisDb9(), {
		lazyConnect: true,
		enableOfflineQueue: false,
		connectTimeout: 1000,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
	});
	r.on("error", () => {});
	try {
		await r.connect();
		return (await r.ping()) === "PONG";
	} catch {
		return false;
	} finally {
		r.disconnect();
	}
}

/** Delete every key under a prefix in db 9. */
export async function cleanRedis(prefix: string): Promise<void> {
	const r = new Redis(redisDb9(), { maxRetriesPerRequest: 1 });
	try {
		let cursor = "0";
		do {
			const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
			cursor = next;
			if (keys.length) await r.del(...keys);
		} while (cursor !== "0");
	} finally {
		r.disconnect();
	}
}

/** Compile src to dist once per test file (the processes run the built app). */
export function buildDist(): void {
	execFileSync(
		process.execPath,
		[
			fileURLToPath(import.meta.resolve("typescript/bin/tsc")),
			"-p",
			"tsconfig.build.json",
			"--noCheck",
		],
		{
			cwd: ROOT,
			stdio: "inherit",
		},
	);
}

export interface DemoProcess {
	url: string;
	child: ChildProcess;
	output: () => string;
	stop: () => Promise<void>;
}

/** Start `node dist/main.js` with env; resolves once it logs its address. */
export function startDemo(env: Record<string, string>): Promise<DemoProcess> {
	const child = spawn(process.execPath, ["dist/main.js"], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let out = "";
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 20_000);
		const onData = (chunk: Buffer) => {
			out += chunk.toString();
			const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
			if (m?.[1]) {
				clearTimeout(timer);
				resolve({
					url: m[1],
					child,
					output: () => out,
					stop: () =>
						new Promise<void>((done) => {
							if (child.exitCode !== null) return done();
							child.once("exit", () => done());
							child.kill("SIGTERM");
						}),
				});
			}
		};
		child.stdout!.on("data", onData);
		child.stderr!.on("data", (c: Buffer) => {
			out += c.toString();
		});
		child.once("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`demo exited with ${code}:\n${out}`));
		});
	});
}

/** A cookie-jar HTTP client for one "browser". */
export class HttpClient {
	cookies = new Map<string, string>();
	token = "";
	sid = "";
	constructor(readonly ua: string) {}

	cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
	}

	async request(
		base: string,
		method: string,
		path: string,
		opts: { body?: unknown; bearer?: boolean; csrf?: boolean } = {},
	): Promise<{ status: number; body: Record<string, unknown> }> {
		const headers: Record<string, string> = { "user-agent": this.ua, cookie: this.cookieHeader() };
		if (opts.bearer) headers.authorization = `Bearer ${this.token}`;
		if (opts.csrf)
			Object.assign(headers, { "x-xshl-request": "1", "sec-fetch-site": "same-origin" });
		if (opts.body !== undefined) headers["content-type"] = "application/json";
		const res = await fetch(new URL(path, base), {
			method,
			headers,
			...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
		});
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(";");
			const at = pair!.indexOf("=");
			if (/Max-Age=0/.test(c)) this.cookies.delete(pair!.slice(0, at));
			else this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
		}
		const body = (await res.json()) as Record<string, unknown>;
		if (res.status === 200 && typeof body.access_token === "string") {
			this.token = body.access_token;
			this.sid = String(body.sid);
		}
		return { status: res.status, body };
	}

	login(base: string, username: string, password: string) {
		return this.request(base, "POST", "/auth/login", { body: { username, password }, csrf: true });
	}
	refresh(base: string) {
		return this.request(base, "POST", "/auth/refresh", { csrf: true });
	}
}
