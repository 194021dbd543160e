// Benchmark (issue 15): how long a logout everywhere on the issuer takes to be refused on two
// resource-server processes that follow its revocation feed. One issuer and two resource
// servers (`node dist/main.js`) per mode; both modes in one run, so the ratio compares them
// under the same load:
// - "poll": FEED_POLL_MS (default 1000) polls of `/.well-known/xshl-revocations?since=`;
// - "push": FEED_PUSH=true, the feed's Server-Sent Events stream (polling only while it is down).
// Each revocation: a user logs in on the issuer, both resource servers accept the token on
// `/api/me`, the user logs out everywhere, and each resource server is asked every 5 ms until it
// answers 401; the time is from sending the logout to the later of the two refusals (so it
// includes the logout request itself). `lastRevocation.propagationMs` of `/api/feed-status`
// (first seen minus written, on each server) is reported too.
//
// `npm run build && node bench/propagation.mjs [revocations per mode, default 200]`
// Env: BENCH_MODES (default "poll,push"), FEED_POLL_MS (default 1000), BENCH_JSON=path.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const N = Number(process.argv[2] ?? 200);
const MODES = (process.env.BENCH_MODES ?? "poll,push").split(",");
const POLL_MS = process.env.FEED_POLL_MS ?? "1000";
const ISSUER = "7d1e2f3a-4b5c-4d6e-8f70-8a9b0c1d2e3f";
const USERS = [
	["alice", "alice-demo-pass"],
	["bob", "bob-demo-pass"],
	["admin", "admin-demo-pass"],
];

function start(env) {
	const child = spawn(process.execPath, ["dist/main.js"], {
		cwd: ROOT,
		env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let out = "";
	return new Promise((resolve, reject) => {
		const onData = (chunk) => {
			if (out.length > 65_536) return;
			out += chunk;
			const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
			if (m) resolve({ url: m[1], child });
		};
		child.stdout.on("data", onData);
		child.stderr.on("data", (c) => (out += c));
		child.once("exit", () => reject(new Error(`demo exited:\n${out}`)));
	});
}

/** A cookie jar and a bearer token (the trace binds the token to the user agent and cookie). */
class Browser {
	cookies = new Map();
	token = "";
	constructor(ua) {
		this.ua = ua;
	}
	async request(base, method, path, { body, bearer, csrf } = {}) {
		const headers = {
			"user-agent": this.ua,
			cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
		};
		if (bearer) headers.authorization = `Bearer ${this.token}`;
		if (csrf) Object.assign(headers, { "x-xshl-request": "1", "sec-fetch-site": "same-origin" });
		if (body) headers["content-type"] = "application/json";
		const res = await fetch(new URL(path, base), {
			method,
			headers,
			...(body ? { body: JSON.stringify(body) } : {}),
		});
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(";");
			const at = pair.indexOf("=");
			if (!/Max-Age=0/.test(c)) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
		}
		const json = await res.json();
		if (res.status === 200 && json.access_token) this.token = json.access_token;
		return res.status;
	}
}

const quantile = (values, p) => {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function run(mode) {
	const issuer = await start({ ISSUER, LOGIN_RATE_LIMIT: "10000" });
	const env = {
		ISSUER,
		ISSUER_JWKS_URL: `${issuer.url}/.well-known/jwks.json`,
		FEED_POLL_MS: POLL_MS,
		...(mode === "push" ? { FEED_PUSH: "true" } : {}),
	};
	const servers = await Promise.all([start(env), start(env)]);
	const refusal = [];
	const seen = [];
	const lastEpoch = new Map();
	try {
		for (let i = 0; i < N; i++) {
			const [username, password] = USERS[i % USERS.length];
			// a session opened in the second of its user's last logout everywhere (iat is in seconds)
			// passes a verifier only once it has seen the feed entry listing it, up to a poll later:
			// log in after that second, so every round measures the same thing
			const wait = Math.floor((lastEpoch.get(username) ?? 0) / 1000) * 1000 + 1010 - Date.now();
			if (wait > 0) await sleep(wait);
			// a random phase against the poll timer (else each round starts just after a poll)
			if (mode === "poll") await sleep(Math.random() * Number(POLL_MS));
			const b = new Browser(`Bench ${mode} ${i}/1.0`);
			if (
				(await b.request(issuer.url, "POST", "/auth/login", {
					body: { username, password },
					csrf: true,
				})) !== 200
			)
				throw new Error("login failed");
			for (const s of servers)
				if ((await b.request(s.url, "GET", "/api/me", { bearer: true })) !== 200)
					throw new Error("token not accepted before the logout");
			const jar = new Map(b.cookies);
			const t0 = performance.now();
			const out = await b.request(issuer.url, "POST", "/auth/logout-all", {
				bearer: true,
				csrf: true,
			});
			lastEpoch.set(username, Date.now());
			if (out !== 200) throw new Error(`logout-all answered ${out}`);
			b.cookies = jar; // the old token replayed with the cookies it is bound to
			const times = await Promise.all(
				servers.map(async (s) => {
					for (;;) {
						if ((await b.request(s.url, "GET", "/api/me", { bearer: true })) === 401)
							return performance.now() - t0;
						if (performance.now() - t0 > 10_000) throw new Error("not refused within 10 s");
						await sleep(5);
					}
				}),
			);
			refusal.push(Math.max(...times));
			for (const s of servers) {
				const status = await fetch(`${s.url}/api/feed-status`).then((r) => r.json());
				seen.push(status.lastRevocation.propagationMs);
			}
		}
	} finally {
		for (const p of [issuer, ...servers]) p.child.kill("SIGTERM");
	}
	return {
		mode,
		revocations: N,
		refusedOnBothMs: {
			p50: quantile(refusal, 0.5),
			p99: quantile(refusal, 0.99),
			max: Math.max(...refusal),
		},
		firstSeenMs: { p50: quantile(seen, 0.5), p99: quantile(seen, 0.99) },
	};
}

const results = [];
for (const mode of MODES) {
	const r = await run(mode);
	results.push(r);
	const f = (v) => `${v.toFixed(0)} ms`;
	console.log(
		`${mode.padEnd(4)}  refused on both: p50 ${f(r.refusedOnBothMs.p50)}  p99 ${f(r.refusedOnBothMs.p99)}  max ${f(r.refusedOnBothMs.max)}  | first seen (feed-status): p50 ${f(r.firstSeenMs.p50)}  p99 ${f(r.firstSeenMs.p99)}  (${r.revocations} revocations, 2 resource servers)`,
	);
}
if (results.length === 2)
	console.log(
		`ratio ${results[0].mode}/${results[1].mode}: p50 ${(results[0].refusedOnBothMs.p50 / results[1].refusedOnBothMs.p50).toFixed(1)}x  p99 ${(results[0].refusedOnBothMs.p99 / results[1].refusedOnBothMs.p99).toFixed(1)}x`,
	);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
