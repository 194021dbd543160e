// The revocation feed, measured (issue 15 §6). Run after a build: `node bench/feed.mjs`.
// (a) propagation: this process is the issuer (MemoryStore + KeyRing + the feed on node:http,
//     port 0); two child processes are resource servers (RemoteKeySet + RevocationFeedClient +
//     createSessionVerifier of @xshl/session-core, over HTTP). 200 users log out everywhere,
//     one every 50-150 ms; each child reports when verify() of that user's token first
//     refuses it. p50/p99 of (refusal on the child - logoutAll on the issuer), per child, for
//     polling (pollMs 1000) and push (Server-Sent Events).
// (b) feed document size and poll cost with 100 000 live entries: full document, delta, 304.
// (c) verify throughput of one verifier with the feed on (1000 entries) vs off, A/B slices.
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { LocalKeySet, RemoteKeySet } from "@xshl/keys";
import { RevocationFeedClient } from "@xshl/keys/revocations";
import { KeyRing } from "@xshl/keys/ring";
import { createSessionVerifier, Session, SessionConfig } from "@xshl/session-core";
import { MemoryStore } from "@xshl/session-store";
import { createRevocationFeed } from "@xshl/session-store/feed";
import { CompactSign } from "jose";

const APP = "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a";
const UA = "Mozilla/5.0 (X11; Linux x86_64) bench";
const AUD = "service-api";
const REVOCATIONS = Number(process.env.REVOCATIONS ?? 200);
const ENTRIES = Number(process.env.ENTRIES ?? 100_000);
const ROUNDS = 20;
const now = () => performance.timeOrigin + performance.now();

/** @param {number[]} xs @param {number} p */
function pct(xs, p) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
const fmt = (/** @type {number} */ ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** @param {KeyRing} ring */
function signer(ring) {
	return (/** @type {Record<string, unknown>} */ payload, /** @type {string} */ typ) => {
		const { privateKey, header } = ring.signingKey();
		return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
			.setProtectedHeader({ ...header, typ })
			.sign(privateKey);
	};
}

/** A Web Request from node:http, and the Response streamed back. */
function serve(
	/** @type {(r: Request) => Promise<Response>} */ handle,
	/** @type {KeyRing} */ ring,
) {
	const server = createServer(async (req, res) => {
		if (req.url === "/jwks.json") {
			res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ring.jwks()));
			return;
		}
		const headers = new Headers();
		for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
		const r = await handle(new Request(`http://127.0.0.1${req.url}`, { headers }));
		/** @type {Record<string, string>} */
		const out = {};
		r.headers.forEach((v, k) => {
			out[k] = v;
		});
		res.writeHead(r.status, out);
		if (r.body === null) return void res.end();
		const reader = r.body.getReader();
		res.on("close", () => void reader.cancel().catch(() => {}));
		for (;;) {
			const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
			if (done) break;
			res.write(value);
		}
		res.end();
	});
	return new Promise((resolve) =>
		server.listen(0, "127.0.0.1", () => {
			const a = /** @type {import("node:net").AddressInfo} */ (server.address());
			resolve({ server, origin: `http://127.0.0.1:${a.port}` });
		}),
	);
}

// ---------------------------------------------------------------- resource server (child)
async function resourceServer() {
	/** @type {{ origin: string; push: boolean; tokens: string[] }} */
	const cfg = await new Promise((resolve) => process.once("message", resolve));
	const keys = new RemoteKeySet({ name: "app", url: `${cfg.origin}/jwks.json` });
	await keys.load();
	const feed = new RevocationFeedClient({
		url: `${cfg.origin}/.well-known/xshl-revocations`,
		keys,
		pollMs: 1000,
		autoRefresh: !cfg.push,
		push: cfg.push,
	});
	const verifier = createSessionVerifier({
		keys,
		audience: [AUD],
		cache: { maxEntries: 1000 },
		revocations: feed,
	});
	const pending = new Set(cfg.tokens.keys());
	const check = async () => {
		const at = now();
		for (const i of [...pending]) {
			try {
				await verifier.verify(/** @type {string} */ (cfg.tokens[i]));
			} catch (e) {
				if (/** @type {{ code?: string }} */ (e).code !== "ERR_SESSION_REVOKED") throw e;
				pending.delete(i);
				process.send?.({ i, at });
			}
		}
	};
	await new Promise((resolve) => {
		const off = feed.on("refresh", () => {
			off();
			resolve(undefined);
		});
	});
	for (const t of cfg.tokens) await verifier.verify(t); // warm the cache
	feed.on("refresh", () => void check());
	process.send?.({ ready: true });
	process.once("message", () => {
		feed.close();
		keys.close();
		process.exit(0);
	});
}

// ---------------------------------------------------------------- (a) propagation
/** @param {boolean} push */
async function propagation(push) {
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const store = new MemoryStore();
	const feed = createRevocationFeed({ store, accessTokenTtlMs: 120_000, sign: signer(ring) });
	const { server, origin } = /** @type {{ server: import("node:http").Server; origin: string }} */ (
		await serve((r) => feed.handle(r), ring)
	);
	const { header, privateKey } = ring.signingKey();
	const config = new SessionConfig({
		keys: ring.keySet("app"),
		app: APP,
		audience: [AUD],
		header,
		key: privateKey,
	});
	/** @type {string[]} */
	const tokens = [];
	for (let i = 0; i < REVOCATIONS; i++) {
		const session = new Session(config, UA, `salt-${i}`);
		session.sub = `user-${i}`;
		session.aud = AUD;
		await store.login({ sub: `user-${i}`, trace: `salt-${i}`, sid: session.sid });
		tokens.push(await session.jwt());
	}
	await new Promise((r) => setTimeout(r, 1100)); // the logouts fall in a later second than every iat
	const children = [0, 1].map(() => fork(new URL(import.meta.url), ["rs"], { stdio: "inherit" }));
	/** @type {Map<number, number>[]} */
	const refusedAt = [new Map(), new Map()];
	await Promise.all(
		children.map(
			(c, k) =>
				new Promise((resolve) => {
					c.on("message", (/** @type {any} */ m) => {
						if (m.ready) resolve(undefined);
						else refusedAt[k]?.set(m.i, m.at);
					});
					c.send({ origin, push, tokens });
				}),
		),
	);
	/** @type {number[]} */
	const revokedAt = [];
	for (let i = 0; i < REVOCATIONS; i++) {
		await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
		revokedAt[i] = now();
		await store.logoutAll(`user-${i}`);
	}
	const deadline = now() + 15_000;
	while (refusedAt.some((m) => m.size < REVOCATIONS) && now() < deadline)
		await new Promise((r) => setTimeout(r, 50));
	for (const c of children) c.send("stop");
	feed.close();
	server.closeAllConnections();
	server.close();
	return refusedAt.map((m) => {
		const ds = [...m].map(([i, at]) => at - /** @type {number} */ (revokedAt[i]));
		return { n: ds.length, p50: pct(ds, 50), p99: pct(ds, 99), max: pct(ds, 100) };
	});
}

// ---------------------------------------------------------------- (b) size and poll cost
async function sizeAndPollCost() {
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const store = new MemoryStore({ maxSessionsPerUser: 1 });
	const feed = createRevocationFeed({ store, accessTokenTtlMs: 120_000, sign: signer(ring) });
	const t0 = now();
	for (let i = 0; i < ENTRIES; i++) {
		const sid = crypto.randomUUID(); // as session-core's sids
		await store.login({ sub: `u${i}`, trace: "t", sid });
		await store.revokeSession({ sub: `u${i}`, sid });
	}
	await feed.denyJti({ jti: "drain", exp: 1 }); // resolves once every queued log write is done
	const fillMs = now() - t0;
	let t = now();
	const full = await feed.document();
	const signFullMs = now() - t;
	t = now();
	await feed.document();
	const cachedFullMs = now() - t;
	const { server, origin } = /** @type {{ server: import("node:http").Server; origin: string }} */ (
		await serve((r) => feed.handle(r), ring)
	);
	const body = JSON.stringify({ feed: full });
	const client = new RevocationFeedClient({
		url: `${origin}/.well-known/xshl-revocations`,
		keys: new LocalKeySet({ name: "app", jwks: ring.jwks() }),
		maxResponseBytes: 32 * 1024 * 1024,
	});
	t = now();
	await client.load();
	const loadFullMs = now() - t;
	/** @type {number[]} */
	const deltaMs = [];
	/** @type {number[]} */
	const notModifiedMs = [];
	let deltaBytes = 0;
	for (let r = 0; r < 30; r++) {
		const sid = crypto.randomUUID();
		await store.login({ sub: `d${r}`, trace: "t", sid });
		await store.revokeSession({ sub: `d${r}`, sid });
		deltaBytes = JSON.stringify({
			feed: await feed.delta(/** @type {number} */ (client.health().seq)),
		}).length;
		t = now();
		await client.load();
		deltaMs.push(now() - t);
		t = now();
		await client.load();
		notModifiedMs.push(now() - t);
	}
	const entries = client.health().entries;
	const memory = process.memoryUsage().heapUsed;
	client.close();
	feed.close();
	server.closeAllConnections();
	server.close();
	return {
		entries,
		fillMs,
		fullBytes: body.length,
		fullGzipBytes: gzipSync(body).length,
		deltaBytes,
		signFullMs,
		cachedFullMs,
		loadFullMs,
		deltaP50: pct(deltaMs, 50),
		notModifiedP50: pct(notModifiedMs, 50),
		heapMB: memory / 1048576,
	};
}

// ---------------------------------------------------------------- (c) verify throughput
async function verifyThroughput() {
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const store = new MemoryStore();
	const feed = createRevocationFeed({ store, accessTokenTtlMs: 120_000, sign: signer(ring) });
	for (let i = 0; i < 500; i++) {
		const sid = `rev-${i}`;
		await store.login({ sub: `gone-${i}`, trace: "t", sid });
		await store.revokeSession({ sub: `gone-${i}`, sid });
		await store.logoutAll(`all-${i}`);
	}
	const { server, origin } = /** @type {{ server: import("node:http").Server; origin: string }} */ (
		await serve((r) => feed.handle(r), ring)
	);
	const keys = ring.keySet("app");
	const client = new RevocationFeedClient({ url: `${origin}/.well-known/xshl-revocations`, keys });
	await client.load();
	const { header, privateKey } = ring.signingKey();
	const config = new SessionConfig({ keys, app: APP, audience: [AUD], header, key: privateKey });
	/** @type {string[]} */
	const tokens = [];
	for (let i = 0; i < 64; i++) {
		const session = new Session(config, UA, `v-${i}`);
		session.sub = `live-${i}`;
		session.aud = AUD;
		tokens.push(await session.jwt());
	}
	const make = (/** @type {boolean} */ on, /** @type {boolean} */ cached) =>
		createSessionVerifier({
			keys,
			audience: [AUD],
			...(cached ? { cache: { maxEntries: 1000 } } : {}),
			...(on ? { revocations: client } : {}),
		});
	/** @param {boolean} cached */
	async function ab(cached) {
		const off = make(false, cached);
		const on = make(true, cached);
		for (const t of tokens) await Promise.all([off.verify(t), on.verify(t)]);
		const slice = async (/** @type {any} */ v) => {
			let n = 0;
			const end = now() + (cached ? 100 : 200);
			while (now() < end) for (const t of tokens) n += (await v.verify(t)) ? 1 : 0;
			return n;
		};
		/** @type {number[]} */
		const ratios = [];
		let offOps = 0;
		let onOps = 0;
		for (let r = 0; r < ROUNDS; r++) {
			const a = r % 2 === 0 ? await slice(off) : 0;
			const b = await slice(on);
			const c = r % 2 === 1 ? await slice(off) : a;
			ratios.push(b / c);
			offOps += c;
			onOps += b;
		}
		return {
			ratio: pct(ratios, 50),
			offPerSec: offOps / (ROUNDS * (cached ? 0.1 : 0.2)),
			onPerSec: onOps / (ROUNDS * (cached ? 0.1 : 0.2)),
		};
	}
	const hit = await ab(true);
	const miss = await ab(false);
	client.close();
	feed.close();
	server.closeAllConnections();
	server.close();
	return { entries: client.health().entries, hit, miss };
}

if (process.argv[2] === "rs") {
	await resourceServer();
} else {
	const started = now();
	console.log(
		`revocation feed benchmark (node ${process.version}, ${REVOCATIONS} revocations, ${ENTRIES} entries)\n`,
	);
	const poll = await propagation(false);
	const push = await propagation(true);
	console.log(
		"(a) propagation: logoutAll on the issuer -> verify() refuses on the resource server",
	);
	console.log("| Mode | Resource server | Refusals | p50 (ms) | p99 (ms) | max (ms) |");
	console.log("|---|---|---:|---:|---:|---:|");
	for (const [name, rows] of /** @type {const} */ ([
		["poll (pollMs 1000)", poll],
		["push (SSE)", push],
	]))
		for (const [k, r] of rows.entries())
			console.log(
				`| ${name} | #${k + 1} | ${r.n}/${REVOCATIONS} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} |`,
			);

	const p99 = (/** @type {{ p99: number }[]} */ rows) => Math.max(...rows.map((r) => r.p99));
	console.log(`ratio p99 poll / push: ${(p99(poll) / p99(push)).toFixed(0)}x\n`);

	const b = await sizeAndPollCost();
	console.log(`(b) ${b.entries} live entries (filled in ${fmt(b.fillMs)} ms)`);
	console.log("| | Bytes | Time (ms) |");
	console.log("|---|---:|---:|");
	console.log(
		`| full document, sign (issuer, first) | ${b.fullBytes} (gzip ${b.fullGzipBytes}) | ${fmt(b.signFullMs)} |`,
	);
	console.log(`| full document, cached per seq (issuer) | | ${b.cachedFullMs.toFixed(2)} |`);
	console.log(
		`| full document, fetch + verify + apply (client) | ${b.fullBytes} | ${fmt(b.loadFullMs)} |`,
	);
	console.log(
		`| delta of 1 entry, poll (client, p50 of 30) | ${b.deltaBytes} | ${fmt(b.deltaP50)} |`,
	);
	console.log(`| no change, 304 poll (client, p50 of 30) | 0 | ${fmt(b.notModifiedP50)} |`);
	console.log(
		`ratios: delta/full bytes ${(b.deltaBytes / b.fullBytes).toExponential(1)}, 304/full poll time ${(b.notModifiedP50 / b.loadFullMs).toExponential(1)}, heap ${b.heapMB.toFixed(0)} MB\n`,
	);

	const c = await verifyThroughput();
	console.log(
		`(c) verify throughput, feed on (${c.entries} entries) vs off, ${ROUNDS} alternating slices`,
	);
	console.log("| Path | Off (verifies/s) | On (verifies/s) | On/Off (median of slices) |");
	console.log("|---|---:|---:|---:|");
	console.log(
		`| cache hit | ${c.hit.offPerSec.toFixed(0)} | ${c.hit.onPerSec.toFixed(0)} | ${c.hit.ratio.toFixed(3)} |`,
	);
	console.log(
		`| cache miss (signature) | ${c.miss.offPerSec.toFixed(0)} | ${c.miss.onPerSec.toFixed(0)} | ${c.miss.ratio.toFixed(3)} |`,
	);
	console.log(`\ntotal ${((now() - started) / 1000).toFixed(0)} s`);
}
