// STO-05 / STO-06: the failure policy against real broken servers, not mocks: a closed port,
// a TCP server that accepts and never answers, and a real redis-server that this test
// starts, pauses (SIGSTOP), resumes and kills.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/index";
import { RedisStore } from "../src/redis";
import { IN_CI } from "./redis-helpers";

const PEPPER = "failure-policy-pepper-0123456789abcdef";
const clients: Redis[] = [];

function client(port: number, options: RedisOptions = {}): Redis {
	const c = new Redis({ host: "127.0.0.1", port, ...options });
	c.on("error", () => undefined);
	clients.push(c);
	return c;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
	try {
		await p;
		return "ok";
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
}

/**
 * The store's one-time checks done before the fault, so the call under test sends its script:
 * retried, since a loaded machine can make a 200 ms probe late.
 */
async function warm(store: RedisStore): Promise<void> {
	for (let i = 0; ; i++) {
		try {
			return await store.ready();
		} catch (e) {
			if (i >= 20) throw e;
		}
	}
}

/** An authentic token (same pepper) that the broken store must still refuse to act on. */
async function authenticToken(): Promise<string> {
	return (await new MemoryStore({ pepper: PEPPER }).login({ sub: "u", trace: "T" })).refreshToken;
}

async function everyCallFailsClosed(store: RedisStore): Promise<void> {
	const rt = await authenticToken();
	const iat = Math.floor(Date.now() / 1000);
	const codes = await Promise.all([
		codeOf(store.login({ sub: "u", trace: "T" })),
		codeOf(store.rotate(rt, { trace: "T" })),
		codeOf(store.logout(rt)),
		codeOf(store.logoutAll("u")),
		codeOf(store.revokeSession({ sub: "u", sid: "s" })),
		codeOf(store.isRevoked({ sub: "u", jti: "j", sid: "s", iat })),
		codeOf(store.listSessions("u")),
		codeOf(store.denyJti({ sub: "u", id: "j", exp: iat + 60 })),
	]);
	expect(codes).toEqual(Array(8).fill("ERR_STORE_UNAVAILABLE"));
	// the wire form is checked before any store call
	expect(await codeOf(store.rotate("xrt1.garbage", { trace: "T" }))).toBe(
		"ERR_STORE_REFRESH_MALFORMED",
	);
	const e = await store.rotate(rt, { trace: "T" }).catch((x: unknown) => x);
	expect(e).toMatchObject({
		name: "StoreUnavailableError",
		code: "ERR_STORE_UNAVAILABLE",
		status: 503,
	});
	expect(String((e as Error).message).includes(rt.split(".")[3] as string)).toBe(false);
}

afterAll(() => {
	for (const c of clients) c.disconnect();
});

describe("STO-05 Redis down: a closed 127.0.0.1 port", () => {
	it("default client options (offline queue): every call fails closed after timeoutMs", async () => {
		const store = new RedisStore({
			client: client(await freePort()),
			timeoutMs: 100,
			pepper: PEPPER,
		});
		await everyCallFailsClosed(store);
	});

	it("fail-fast client options (no offline queue): same typed error, with the client error as cause", async () => {
		const store = new RedisStore({
			client: client(await freePort(), { enableOfflineQueue: false, maxRetriesPerRequest: 0 }),
			timeoutMs: 100,
			pepper: PEPPER,
		});
		await everyCallFailsClosed(store);
		const e = await store.logoutAll("u").catch((x: unknown) => x);
		expect((e as Error).cause).toBeInstanceOf(Error);
	});

	it("a timeout that wins over the retry loop still names the last failed attempt as its cause", async () => {
		// a client whose every call fails after 60 ms: the first failure is retried at 75 ms,
		// that attempt is still pending at 100 ms, so the call's timer settles it
		const slow = client(await freePort(), { enableOfflineQueue: false, lazyConnect: true });
		let calls = 0;
		slow.eval = (() => {
			calls += 1;
			return new Promise((_, reject) =>
				setTimeout(() => reject(new Error(`Connection is closed. (${calls})`)), 60),
			);
		}) as unknown as typeof slow.eval;
		const store = new RedisStore({ client: slow, timeoutMs: 100, pepper: PEPPER });
		const e = (await store.logoutAll("u").catch((x: unknown) => x)) as Error;
		expect(e).toMatchObject({ name: "StoreUnavailableError", code: "ERR_STORE_UNAVAILABLE" });
		expect(e.message).toBe("redis did not answer logoutAll within 100 ms");
		expect((e.cause as Error).message).toBe("Connection is closed. (1)");
		expect(calls).toBe(2);
	});

	it("without a configured pepper, loading the shared one fails closed too, and is retried later", async () => {
		const store = new RedisStore({ client: client(await freePort()), timeoutMs: 100 });
		expect(await codeOf(store.login({ sub: "u", trace: "T" }))).toBe("ERR_STORE_UNAVAILABLE");
		expect(await codeOf(store.login({ sub: "u", trace: "T" }))).toBe("ERR_STORE_UNAVAILABLE");
	});
});

describe("STO-06 Redis slow: a server that accepts and never answers", () => {
	let server: Server;
	const sockets: Socket[] = [];
	let port = 0;
	beforeAll(async () => {
		server = createServer((s) => {
			sockets.push(s);
			s.on("error", () => undefined);
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		port = (server.address() as { port: number }).port;
	});
	afterAll(async () => {
		for (const s of sockets) s.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	it("stuck in the ready check: every call fails closed after timeoutMs", async () => {
		await everyCallFailsClosed(
			new RedisStore({ client: client(port), timeoutMs: 100, pepper: PEPPER }),
		);
	});

	it("connected (TCP up, HELLO unanswered): every call fails closed after timeoutMs", async () => {
		const c = client(port, { enableReadyCheck: false });
		await new Promise<void>((resolve) => c.once("connect", () => resolve()));
		expect(sockets.length).toBeGreaterThan(0);
		await everyCallFailsClosed(new RedisStore({ client: c, timeoutMs: 100, pepper: PEPPER }));
	});
});

const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;

describe.skipIf(!hasRedisServer && !IN_CI)(
	"STO-05/06 a real redis-server, paused and killed mid-test",
	() => {
		let proc: ChildProcess | undefined;
		let port = 0;
		beforeAll(async () => {
			port = await freePort();
			proc = spawn(
				"redis-server",
				["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
				{ stdio: "ignore" },
			);
			const probe = client(port, { retryStrategy: () => 50 });
			await probe.ping();
		});
		afterAll(() => {
			if (proc?.exitCode === null && proc.signalCode === null) {
				proc.kill("SIGCONT");
				proc.kill("SIGKILL");
			}
		});

		it("a rotation in flight while paused times out and never applies later; the retry rotates, then follows the grace policy", async () => {
			const pid = proc?.pid as number;
			const c = client(port);
			const store = new RedisStore({ client: c, timeoutMs: 200, pepper: PEPPER });
			// setup and follow-up calls: generous deadline on the same connection (FIFO), so a
			// loaded machine cannot make them late; only the call under test has 200 ms
			const patient = new RedisStore({ client: c, timeoutMs: 5000, pepper: PEPPER });
			await warm(store);
			const login = await patient.login({ sub: "paused", trace: "T" });
			process.kill(pid, "SIGSTOP");
			try {
				expect(await codeOf(store.rotate(login.refreshToken, { trace: "T" }))).toBe(
					"ERR_STORE_UNAVAILABLE",
				);
			} finally {
				process.kill(pid, "SIGCONT");
			}
			// the paused rotation reached Redis after its deadline (Redis clock) and changed
			// nothing: a call reported as failed never takes effect later. The retry rotates
			// afresh, and the token it replaced is now the predecessor (grace replay)
			const retry = await patient.rotate(login.refreshToken, { trace: "T" });
			expect(retry).toMatchObject({ replay: false, generation: 1 });
			const again = await patient.rotate(login.refreshToken, { trace: "T" });
			expect(again).toMatchObject({ replay: true, generation: 1 });
			expect(again.refreshToken).toBe(retry.refreshToken);
			expect((await patient.rotate(retry.refreshToken, { trace: "T" })).generation).toBe(2);
		});

		it("STO-06 CLIENT PAUSE 1000 while a rotation is in flight: timeout, the late attempt changes nothing, the retry rotates", async () => {
			const c = client(port);
			const store = new RedisStore({ client: c, timeoutMs: 200, pepper: PEPPER });
			const patient = new RedisStore({ client: c, timeoutMs: 5000, pepper: PEPPER }); // same connection: FIFO
			await warm(store);
			const login = await patient.login({ sub: "client-pause", trace: "T" });
			expect(await client(port).call("CLIENT", "PAUSE", "1000", "ALL")).toBe("OK");
			expect(await codeOf(store.rotate(login.refreshToken, { trace: "T" }))).toBe(
				"ERR_STORE_UNAVAILABLE",
			);
			// the timed-out attempt ran after the pause, past its deadline: it changed nothing,
			// so the patient retry behind it on the same connection rotates afresh
			const retry = await patient.rotate(login.refreshToken, { trace: "T" });
			expect(retry).toMatchObject({ replay: false, generation: 1 });
			expect((await patient.rotate(retry.refreshToken, { trace: "T" })).generation).toBe(2);
		});

		it("logout, logout-all and the critical check fail closed while paused", async () => {
			const pid = proc?.pid as number;
			const c = client(port);
			const store = new RedisStore({ client: c, timeoutMs: 200, pepper: PEPPER });
			const patient = new RedisStore({ client: c, timeoutMs: 5000, pepper: PEPPER });
			await warm(store);
			const login = await patient.login({ sub: "paused2", trace: "T" });
			process.kill(pid, "SIGSTOP");
			try {
				const iat = Math.floor(Date.now() / 1000);
				expect(
					await Promise.all([
						codeOf(store.logout(login.refreshToken)),
						codeOf(store.logoutAll("paused2")),
						codeOf(store.isRevoked({ sub: "paused2", sid: login.sid, iat })),
					]),
				).toEqual(["ERR_STORE_UNAVAILABLE", "ERR_STORE_UNAVAILABLE", "ERR_STORE_UNAVAILABLE"]);
			} finally {
				process.kill(pid, "SIGCONT");
			}
		});

		it("killed: every call fails closed", async () => {
			const c = client(port);
			const store = new RedisStore({ client: c, timeoutMs: 200, pepper: PEPPER });
			await warm(store);
			await new RedisStore({ client: c, timeoutMs: 5000, pepper: PEPPER }).login({
				sub: "killed",
				trace: "T",
			});
			proc?.kill("SIGKILL");
			await new Promise<void>((resolve) =>
				proc?.exitCode !== null || proc.signalCode !== null
					? resolve()
					: proc.once("exit", () => resolve()),
			);
			await everyCallFailsClosed(store);
		});
	},
);
