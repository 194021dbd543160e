// Failover on a test-started Redis Cluster while rotations, logins and revocations run:
// - a primary SIGKILLed: calls on its slots fail closed with ERR_STORE_UNAVAILABLE (never
//   a hang, never another verdict), then succeed again on the promoted replica without
//   restarting the app; every acknowledged (durable) revocation still holds; replayed
//   ancestors are still detected as reuse;
// - a primary SIGSTOPped past the node timeout: the same, and the attempts stuck in the
//   paused node change nothing when it resumes (their deadline has passed);
// - one user's slot migrated (CLUSTER SETSLOT + MIGRATE) under load: MOVED/ASK/TRYAGAIN are
//   followed and no call fails.
// The measured timelines are printed (`[failover] …`).
import type { Cluster } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../src/redis";
import { randomPrefix } from "../redis-helpers";
import type { SharedCluster, TestCluster } from "./harness";

const PEPPER = "cluster-failover-pepper-0123456789abcdef";
const TIMEOUT_MS = 250;

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
	try {
		await p;
		return "ok";
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
}

interface User {
	sub: string;
	slot: number;
	token: string;
	chain: string[];
	revoked: { sid: string; token: string }[];
}

interface Failure {
	op: string;
	sub: string;
	code: string;
	message: string;
	at: number;
	ms: number;
}

interface Load {
	failures: Failure[];
	/** Wrong verdicts for a legitimate client (reuse, revoked, invalid…). */
	wrong: Failure[];
	/** Successful calls: user, op, end time. */
	oks: { sub: string; op: string; at: number }[];
	/** Logins reported as failed: user and sid. */
	failedLogins: { sub: string; sid: string; at: number }[];
}

/** One worker per user: rotate, and every third step log in a new session and revoke it. */
async function runLoad(
	store: RedisStore,
	users: User[],
	until: () => boolean,
	load: Load = { failures: [], wrong: [], oks: [], failedLogins: [] },
): Promise<Load> {
	let seq = 0;
	async function step<T>(user: User, op: string, call: () => Promise<T>): Promise<T | undefined> {
		const start = Date.now();
		try {
			const out = await call();
			load.oks.push({ sub: user.sub, op, at: Date.now() });
			return out;
		} catch (e) {
			const f: Failure = {
				op,
				sub: user.sub,
				code: (e as { code?: string }).code ?? String(e),
				message: `${(e as Error).message}${(e as Error).cause ? ` (${((e as Error).cause as Error).message})` : ""}`,
				at: start,
				ms: Date.now() - start,
			};
			(f.code === "ERR_STORE_UNAVAILABLE" ? load.failures : load.wrong).push(f);
			return undefined;
		}
	}
	await Promise.all(
		users.map(async (user) => {
			for (let i = 0; !until(); i++) {
				const next = await step(user, "rotate", () => store.rotate(user.token, { trace: "T" }));
				if (next !== undefined && next.refreshToken !== user.token) {
					user.chain.push(user.token);
					user.token = next.refreshToken;
				}
				if (i % 3 === 2) {
					const sid = `${user.sub}-s${seq++}`;
					const start = Date.now();
					const login = await step(user, "login", () =>
						store.login({ sub: user.sub, trace: "T", sid }),
					);
					if (login === undefined) load.failedLogins.push({ sub: user.sub, sid, at: start });
					else {
						const ok = await step(user, "revokeSession", () =>
							store.revokeSession({ sub: user.sub, sid }),
						);
						if (ok === true) user.revoked.push({ sid, token: login.refreshToken });
					}
				}
				await sleep(20);
			}
		}),
	);
	return load;
}

function tallyReasons(failures: Failure[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const f of failures) {
		const key = `${f.op}: ${f.message.replace(/[0-9]+/g, "N")}`;
		out[key] = (out[key] ?? 0) + 1;
	}
	return out;
}

/** Every acknowledged revocation holds; replayed ancestors are reuse; the chain rotates. */
async function checkAfter(store: RedisStore, users: User[]): Promise<void> {
	const iat = Math.floor(Date.now() / 1000);
	let revocations = 0;
	for (const user of users) {
		for (const r of user.revoked) {
			revocations++;
			expect(await store.isRevoked({ sub: user.sub, sid: r.sid, iat })).toEqual({
				revoked: true,
				reason: "sid",
			});
			expect(await codeOf(store.rotate(r.token, { trace: "T" }))).toBe("ERR_STORE_SESSION_REVOKED");
		}
	}
	expect(revocations).toBeGreaterThan(users.length);
	for (const user of users) {
		expect(user.chain.length).toBeGreaterThanOrEqual(2);
		// generation 0 is older than the current token's predecessor: reuse, family revoked
		expect(await codeOf(store.rotate(user.chain[0] as string, { trace: "T" }))).toBe(
			"ERR_STORE_REFRESH_REUSED",
		);
		expect(await codeOf(store.rotate(user.token, { trace: "T" }))).toBe(
			"ERR_STORE_SESSION_REVOKED",
		);
	}
}

/** Failover and slot migration on the shared cluster (runs last: it kills and pauses nodes). */
export function failover(shared: SharedCluster): void {
	describe("RedisStore on a Redis Cluster: failover and slot migration", () => {
		let cluster: TestCluster;
		let admin: Cluster;
		const prefix = randomPrefix("failover");
		beforeAll(async () => {
			cluster = shared.cluster as TestCluster;
			await cluster.waitHealthy();
			admin = await cluster.ready();
		});

		async function makeUsers(store: RedisStore, label: string, n: number): Promise<User[]> {
			const users: User[] = [];
			for (let i = 0; i < n; i++) {
				const sub = `${label}-${i}`;
				const login = await store.login({ sub, trace: "T" });
				const slot = Number(
					await admin.call("CLUSTER", "KEYSLOT", `{u:${login.familyId.slice(0, 16)}}`),
				);
				users.push({ sub, slot, token: login.refreshToken, chain: [], revoked: [] });
			}
			return users;
		}

		/** Polls CLUSTER NODES of the survivors: when `victim` is flagged failed, when its replica leads. */
		function watch(
			victim: number,
			replica: number,
		): { promotedAt(): number; stop(): { failAt: number; promotedAt: number } } {
			let failAt = 0;
			let promotedAt = 0;
			let on = true;
			const node = cluster.node(replica);
			void (async () => {
				while (on) {
					const out = String(await node.call("CLUSTER", "NODES").catch(() => ""));
					for (const line of out.split("\n")) {
						const f = line.split(" ");
						const port = Number((f[1] ?? "").split("@")[0]?.split(":")[1]);
						if (
							port === victim &&
							(f[2] ?? "").includes("fail") &&
							!(f[2] ?? "").includes("fail?")
						) {
							failAt ||= Date.now();
						}
						if (port === replica && (f[2] ?? "").includes("master")) promotedAt ||= Date.now();
					}
					await sleep(20);
				}
			})();
			return {
				promotedAt: () => promotedAt,
				stop() {
					on = false;
					return { failAt, promotedAt };
				},
			};
		}

		function timeline(
			label: string,
			t0: number,
			victimSubs: Set<string>,
			load: Load,
			marks: object,
		) {
			const onVictim = load.failures.filter((f) => victimSubs.has(f.sub) && f.at >= t0);
			const firstFail = Math.min(...onVictim.map((f) => f.at));
			const lastFail = Math.max(...onVictim.map((f) => f.at + f.ms));
			const recovered = load.oks
				.filter((o) => victimSubs.has(o.sub) && o.op === "rotate" && o.at > firstFail)
				.map((o) => o.at);
			const firstOk = Math.min(...recovered);
			const rel = (t: number) => (Number.isFinite(t) && t > 0 ? t - t0 : null);
			const out = {
				label,
				...Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, rel(v as number)])),
				firstFailedCallMs: rel(firstFail),
				firstRotationOkAgainMs: rel(firstOk),
				lastFailedCallEndMs: rel(lastFail),
				failedCallsOnItsSlots: onVictim.length,
				failedCallsElsewhere: load.failures.length - onVictim.length,
				slowestFailedCallMs: Math.max(0, ...load.failures.map((f) => f.ms)),
				okCalls: load.oks.length,
				failedLogins: load.failedLogins.length,
				reasons: tallyReasons(load.failures),
			};
			console.log(`[failover] ${JSON.stringify(out)}`);
			return { firstFail, firstOk };
		}

		it("SIGKILL of a primary mid-load: fail closed, recover on the promoted replica, no acknowledged revocation lost, reuse still detected", async () => {
			const client = await cluster.ready();
			const store = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: TIMEOUT_MS });
			// set-up and checks on the same client with a patient timeout (a busy machine)
			const patient = new RedisStore({
				client,
				prefix,
				pepper: PEPPER,
				timeoutMs: 2000,
				// patient on a busy machine: a replica may take more than 100 ms to acknowledge a WAIT
				durability: { timeoutMs: 1000 },
			});
			const users = await makeUsers(patient, "kill", 24);
			const roles = await cluster.roles();
			const victim = await cluster.primaryOf((users[0] as User).slot);
			const replica = [...roles.replicas].find(([, p]) => p === victim)?.[0] as number;
			expect(replica).toBeGreaterThan(0);
			const victimSubs = new Set(
				(
					await Promise.all(
						users.map(async (u) => ((await cluster.primaryOf(u.slot)) === victim ? u.sub : "")),
					)
				).filter((s) => s !== ""),
			);
			expect(victimSubs.size).toBeGreaterThan(0);
			expect(victimSubs.size).toBeLessThan(users.length);

			let t0 = 0;
			let stopAt = Number.POSITIVE_INFINITY;
			const watcher = watch(victim, replica);
			const live: Load = { failures: [], wrong: [], oks: [], failedLogins: [] };
			const loadDone = runLoad(store, users, () => Date.now() > stopAt, live);
			await sleep(800);
			t0 = Date.now();
			cluster.nodes.find((n) => n.port === victim)?.proc.kill("SIGKILL");
			// load until the replica is promoted and the victim's users rotate on it (at most 30 s),
			// plus one second (a rotation answered just before the kill is no sign of recovery)
			for (let i = 0; i < 600; i++) {
				const promoted = watcher.promotedAt();
				if (
					promoted > 0 &&
					live.oks.some((o) => victimSubs.has(o.sub) && o.op === "rotate" && o.at > promoted)
				)
					break;
				await sleep(50);
			}
			await sleep(1000);
			stopAt = Date.now();
			const load = await loadDone;
			const marks = watcher.stop();
			const { firstFail, firstOk } = timeline("SIGKILL", t0, victimSubs, load, {
				detectedFailedMs: marks.failAt,
				replicaPromotedMs: marks.promotedAt,
			});

			// fail closed, never a wrong verdict, never a hang
			expect(load.wrong).toEqual([]);
			expect(Number.isFinite(firstFail)).toBe(true);
			expect(Number.isFinite(firstOk)).toBe(true);
			for (const f of load.failures) expect(f.ms).toBeLessThan(TIMEOUT_MS + 1000);
			// after the promotion the shard has no replica: durable revocations on its slots fail
			// closed ("0 of 1 replica") until one is back; restart the dead node as a replica
			const orphanRevocations = load.failures.filter(
				(f) => f.op === "revokeSession" && f.at > marks.promotedAt + 500,
			);
			for (const f of orphanRevocations) {
				expect(f.message).toMatch(/acknowledged by 0 of 1 replica|did not answer revokeSession/);
			}
			await cluster.restart(victim);
			await cluster.waitHealthy();
			for (const user of users) {
				const sid = `${user.sub}-final`;
				const login = await patient.login({ sub: user.sub, trace: "T", sid });
				expect(await patient.revokeSession({ sub: user.sub, sid })).toBe(true);
				user.revoked.push({ sid, token: login.refreshToken });
				const next = await patient.rotate(user.token, { trace: "T" });
				user.chain.push(user.token);
				user.token = next.refreshToken;
			}
			await checkAfter(patient, users);
		}, 90_000);

		it("SIGSTOP of a primary past the node timeout: fail closed, recover, and its stuck attempts change nothing when it resumes", async () => {
			await cluster.waitHealthy();
			const client = await cluster.ready();
			const store = new RedisStore({ client, prefix, pepper: PEPPER, timeoutMs: TIMEOUT_MS });
			const patient = new RedisStore({
				client,
				prefix,
				pepper: PEPPER,
				timeoutMs: 2000,
				// patient on a busy machine: a replica may take more than 100 ms to acknowledge a WAIT
				durability: { timeoutMs: 1000 },
			});
			const users = await makeUsers(patient, "stop", 24);
			const roles = await cluster.roles();
			// a primary that still has a replica
			const victim = roles.primaries.find((p) =>
				[...roles.replicas.values()].includes(p),
			) as number;
			const replica = [...roles.replicas].find(([, p]) => p === victim)?.[0] as number;
			const mine = users.filter((u) => u.slot >= 0);
			const victimSubs = new Set(
				(
					await Promise.all(
						mine.map(async (u) => ((await cluster.primaryOf(u.slot)) === victim ? u.sub : "")),
					)
				).filter((s) => s !== ""),
			);
			expect(victimSubs.size).toBeGreaterThan(0);
			const pid = cluster.nodes.find((n) => n.port === victim)?.proc.pid as number;

			let stopAt = Number.POSITIVE_INFINITY;
			const watcher = watch(victim, replica);
			const live: Load = { failures: [], wrong: [], oks: [], failedLogins: [] };
			const loadDone = runLoad(store, users, () => Date.now() > stopAt, live);
			await sleep(800);
			const t0 = Date.now();
			process.kill(pid, "SIGSTOP");
			let resumedAt = 0;
			try {
				// paused until the replica is promoted and the victim's users rotate on it (at most
				// 30 s): resuming earlier would test a slow primary, not a failed-over one (a rotation
				// answered before the stop could count as recovery, and the node once resumed at
				// 1.5 s, before its replica was promoted at 2.2 s)
				for (let i = 0; i < 600; i++) {
					const promoted = watcher.promotedAt();
					if (
						promoted > 0 &&
						live.oks.some((o) => victimSubs.has(o.sub) && o.op === "rotate" && o.at > promoted)
					)
						break;
					await sleep(50);
				}
				await sleep(500);
			} finally {
				process.kill(pid, "SIGCONT");
				resumedAt = Date.now();
			}
			await sleep(1500);
			stopAt = Date.now();
			const load = await loadDone;
			const marks = watcher.stop();
			const { firstFail, firstOk } = timeline("SIGSTOP", t0, victimSubs, load, {
				detectedFailedMs: marks.failAt,
				replicaPromotedMs: marks.promotedAt,
				resumedMs: resumedAt,
			});
			expect(load.wrong).toEqual([]);
			expect(Number.isFinite(firstFail)).toBe(true);
			expect(Number.isFinite(firstOk)).toBe(true);
			for (const f of load.failures) expect(f.ms).toBeLessThan(TIMEOUT_MS + 1000);
			await cluster.waitHealthy();
			// logins sent to the paused node reached it only after their deadline: none exists
			const paused = load.failedLogins.filter(
				(l) => victimSubs.has(l.sub) && l.at > t0 && l.at < marks.promotedAt,
			);
			for (const l of paused) {
				const sessions = await patient.listSessions(l.sub);
				expect(sessions.map((s) => s.sid)).not.toContain(l.sid);
			}
			await checkAfter(patient, users);
		}, 90_000);

		it("MOVED/ASK while one user's slot migrates under load: no call fails", async () => {
			await cluster.waitHealthy();
			const client = await cluster.ready();
			const store = new RedisStore({
				client,
				prefix,
				pepper: PEPPER,
				timeoutMs: 2000,
				// patient on a busy machine: a replica may take more than 100 ms to acknowledge a WAIT
				durability: { timeoutMs: 1000 },
			});
			const [mover, ...others] = await makeUsers(store, "move", 6);
			const user = mover as User;
			const from = await cluster.primaryOf(user.slot);
			const roles = await cluster.roles();
			const to = roles.primaries.find((p) => p !== from) as number;
			const src = cluster.node(from);
			const dst = cluster.node(to);
			const id = async (c: typeof src) => String(await c.call("CLUSTER", "MYID"));
			const [srcId, dstId] = [await id(src), await id(dst)];

			let stopAt = Number.POSITIVE_INFINITY;
			const loadDone = runLoad(store, [user, ...others], () => Date.now() > stopAt);
			await sleep(500);
			expect(await dst.call("CLUSTER", "SETSLOT", user.slot, "IMPORTING", srcId)).toBe("OK");
			expect(await src.call("CLUSTER", "SETSLOT", user.slot, "MIGRATING", dstId)).toBe("OK");
			await sleep(300); // calls meet the MIGRATING slot: ASK for new keys, TRYAGAIN for mixed ones
			let moved = 0;
			for (;;) {
				const keys = (await src.call("CLUSTER", "GETKEYSINSLOT", user.slot, 1000)) as string[];
				if (keys.length === 0) break;
				moved += keys.length;
				expect(await src.call("MIGRATE", "127.0.0.1", to, "", 0, 5000, "KEYS", ...keys)).toBe("OK");
			}
			for (const c of [dst, src]) {
				expect(await c.call("CLUSTER", "SETSLOT", user.slot, "NODE", dstId)).toBe("OK");
			}
			await sleep(800);
			stopAt = Date.now();
			const load = await loadDone;
			console.log(
				`[failover] ${JSON.stringify({ label: "migration", keysMoved: moved, okCalls: load.oks.length, failures: load.failures.length, reasons: tallyReasons(load.failures) })}`,
			);
			expect(moved).toBeGreaterThan(3);
			expect(load.failures).toEqual([]);
			expect(load.wrong).toEqual([]);
			expect(load.oks.filter((o) => o.sub === user.sub).length).toBeGreaterThan(10);
			expect(await cluster.primaryOf(user.slot)).toBe(to);
			expect(Number(await dst.call("CLUSTER", "COUNTKEYSINSLOT", user.slot))).toBeGreaterThan(3);
			await checkAfter(store, [user, ...others]);
		}, 60_000);
	});
}
