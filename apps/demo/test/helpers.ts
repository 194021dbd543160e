import { Writable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { type AppDeps, buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDeps, type WiringOptions } from "../src/wiring.js";

export const ISSUER_ID = "0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d";
export const UA = "Mozilla/5.0 (X11; Linux x86_64) xshl-test";
export const ORIGIN = "http://127.0.0.1:3000";
export const PASSWORDS: Record<string, string> = {
	alice: "alice-demo-pass",
	bob: "bob-demo-pass",
	admin: "admin-demo-pass",
};
export const INTROSPECT = { id: "resource-api", secret: "introspect-secret-0123456789" };

export interface TestApp {
	app: FastifyInstance;
	deps: AppDeps;
	clock: { now: number };
	logs: string[];
}

/** A demo app on the memory store with a controllable clock and captured logs. */
export async function makeApp(
	env: Record<string, string> = {},
	patch: (deps: AppDeps) => AppDeps = (d) => d,
	wiring: Omit<WiringOptions, "now"> = {},
): Promise<TestApp> {
	const clock = { now: Date.now() };
	const config = loadConfig({
		HOST: "127.0.0.1",
		PORT: "3000",
		ISSUER: ISSUER_ID,
		INTROSPECT_CLIENTS: `${INTROSPECT.id}:${INTROSPECT.secret}`,
		LOG_LEVEL: "info",
		...env,
	});
	const logs: string[] = [];
	const logStream = new Writable({
		write(chunk, _enc, cb) {
			logs.push(String(chunk));
			cb();
		},
	});
	const deps = patch({
		...(await createDeps(config, { ...wiring, now: () => clock.now })),
		logStream,
	});
	const app = await buildApp(deps);
	await app.ready();
	return { app, deps, clock, logs };
}

/** Headers the page sends on cookie routes. */
export function pageHeaders(extra: Record<string, string> = {}): Record<string, string> {
	return {
		"content-type": "application/json",
		"x-xshl-request": "1",
		"sec-fetch-site": "same-origin",
		origin: ORIGIN,
		"user-agent": UA,
		...extra,
	};
}

/** name -> value of the response's Set-Cookie headers. */
export function setCookies(
	res: LightMyRequestResponse,
): Map<string, { value: string; raw: string }> {
	const raw = res.headers["set-cookie"];
	const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
	const out = new Map<string, { value: string; raw: string }>();
	for (const c of list) {
		const [pair] = c.split(";");
		const at = pair!.indexOf("=");
		out.set(pair!.slice(0, at), { value: pair!.slice(at + 1), raw: c });
	}
	return out;
}

/** A browser-like session: cookies + access token. */
export class Client {
	cookies = new Map<string, string>();
	token = "";
	sid = "";
	constructor(
		readonly app: FastifyInstance,
		readonly ua = UA,
	) {}

	cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
	}

	absorb(res: LightMyRequestResponse): void {
		for (const [k, v] of setCookies(res)) {
			if (/Max-Age=0/.test(v.raw)) this.cookies.delete(k);
			else this.cookies.set(k, v.value);
		}
		if (res.statusCode === 200) {
			const body = res.json() as { access_token?: string; sid?: string };
			if (body.access_token) this.token = body.access_token;
			if (body.sid) this.sid = body.sid;
		}
	}

	async post(
		url: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<LightMyRequestResponse> {
		const h = pageHeaders({ "user-agent": this.ua, cookie: this.cookieHeader() });
		if (body === undefined) delete h["content-type"];
		const res = await this.app.inject({
			method: "POST",
			url,
			headers: { ...h, ...headers },
			...(body === undefined ? {} : { payload: JSON.stringify(body) }),
		});
		this.absorb(res);
		return res;
	}

	async login(username = "alice"): Promise<LightMyRequestResponse> {
		return this.post("/auth/login", { username, password: PASSWORDS[username] });
	}

	async refresh(): Promise<LightMyRequestResponse> {
		return this.post("/auth/refresh");
	}

	/** A bearer call with this client's cookies and user agent. */
	async api(
		method: "GET" | "POST" | "DELETE",
		url: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<LightMyRequestResponse> {
		return this.app.inject({
			method,
			url,
			headers: {
				authorization: `Bearer ${this.token}`,
				"user-agent": this.ua,
				cookie: this.cookieHeader(),
				...(body === undefined ? {} : { "content-type": "application/json" }),
				...headers,
			},
			...(body === undefined ? {} : { payload: JSON.stringify(body) }),
		});
	}
}

export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
	return (res.json() as { error: { code: string; message: string } }).error;
}
