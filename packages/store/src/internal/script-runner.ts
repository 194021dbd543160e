// Runs the store's scripts on Redis, one call at a time:
// - bounded by the call timeout, failing closed with ERR_STORE_UNAVAILABLE;
// - state changes are attempt-idempotent with a Redis-clock deadline (see attempts.ts), so the
//   store may retry the SAME attempt on errors where the command did not run or may be
//   repeated (connection closed, cluster not ready, CLUSTERDOWN, TRYAGAIN, READONLY…), always
//   inside the timeout and never after it; a copy that arrives late changes nothing;
// - durable writes are pipelined with `WAIT <replicas> <ms>` on the same connection;
// - before the first call, one probe reads Redis TIME (the clock offset for deadlines) and
//   INFO cluster: a plain client on a cluster node is refused with ERR_STORE_CONFIG_INVALID.
import { StoreConfigError, StoreUnavailableError } from "../errors";
import { attemptKey, deadlined, idempotent, LATE_REPLY } from "./attempts";
import { isClusterClient } from "./client-check";
import { b64url, randomBytes } from "./crypto";
import type { DurabilitySettings } from "./durability";

/** The client calls the runner makes (ioredis `Redis` or `Cluster`). */
interface Client {
	evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
	eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
	pipeline?: () => Pipeline;
}

interface Pipeline {
	evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Pipeline;
	eval(script: string, numKeys: number, ...args: (string | number)[]): Pipeline;
	pttl(key: string): Pipeline;
	call(command: string, ...args: (string | number)[]): Pipeline;
	exec(): Promise<[Error | null, unknown][] | null>;
}

interface Compiled {
	lua: string;
	sha: Promise<string> | undefined;
}

/** Ops whose repetition would change state: attempt record + deadline. */
const RECORDED = new Set(["login", "rotate", "logoutAll"]);
/** Ops that change state (every one carries a deadline). */
const WRITES = new Set([
	"login",
	"rotate",
	"logout",
	"revokeSession",
	"logoutAll",
	"denyJti",
	"denySid",
]);
/** Ops that revoke (durable under `writes: "revocations"`). */
const REVOCATIONS = new Set(["logout", "revokeSession", "logoutAll", "denyJti", "denySid"]);
/** Rotation verdicts that revoked the family. */
const REVOKING_VERDICTS = new Set(["reused", "trace_revoked", "epoch"]);
/** Index of Redis `TIME` (ms) in each op's reply. */
const NOW_AT: Record<string, number> = {
	login: 1,
	rotate: 1,
	logout: 0,
	revokeSession: 0,
	logoutAll: 0,
	listSessions: 0,
};

/** Pause between two tries of the same attempt, ms. */
const RETRY_DELAY_MS = 15;
/** An offset estimate is replaced by a smaller one after this long (clock steps), ms. */
const OFFSET_WINDOW_MS = 10_000;
/** Attempt records live this long when no deadline could be set (clock offset unknown), ms. */
const UNBOUNDED_RECORD_MS = 60_000;

const PROBE = `
local t = redis.call('TIME')
return { t[1], t[2], redis.call('INFO', 'cluster') }
`;

const RETRYABLE =
	/^(Connection is closed|Cluster isn't ready|CLUSTERDOWN|TRYAGAIN|Too many Cluster redirections|LOADING|READONLY|MASTERDOWN|Stream isn't writeable|write ECONNRESET|connect ECONNREFUSED|read ECONNRESET)/;

function sha1(s: Compiled): Promise<string> {
	if (s.sha === undefined) {
		s.sha = crypto.subtle
			.digest("SHA-1", new TextEncoder().encode(s.lua))
			.then((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join(""));
	}
	return s.sha;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

class Cancelled extends Error {}

/**
 * @internal executes scripts for the Redis backend; see the file comment.
 *
 * @example
 * ```ts
 * const runner = new ScriptRunner(client, 250, resolveDurability(undefined, true))
 * await runner.run(lua.LOGOUT, 'logout', [familyKey], [base, fid, denyMs, '', 0])
 * ```
 */
export class ScriptRunner {
	readonly #client: Client;
	readonly #timeoutMs: number;
	readonly #durability: DurabilitySettings;
	readonly #cluster: boolean;
	readonly #compiled = new Map<string, Compiled>();
	#probe: Promise<void> | undefined;
	#refused: StoreConfigError | undefined;
	/** Estimate of (Redis TIME − Date.now()), never above the true offset. */
	#offset: number | undefined;
	#offsetAt = 0;

	/**
	 * @param client - the ioredis client (`Redis` or `Cluster`).
	 * @param timeoutMs - the call timeout, ms.
	 * @param durability - which writes wait for replicas.
	 */
	constructor(client: Client, timeoutMs: number, durability: DurabilitySettings) {
		this.#client = client;
		this.#timeoutMs = timeoutMs;
		this.#durability = durability;
		this.#cluster = isClusterClient(client);
	}

	#compile(lua: string, mode: "read" | "deadline" | "record"): Compiled {
		const key = `${mode}\u0000${lua}`;
		let c = this.#compiled.get(key);
		if (c === undefined) {
			const wrapped =
				mode === "record" ? idempotent(lua) : mode === "deadline" ? deadlined(lua) : lua;
			c = { lua: wrapped, sha: undefined };
			this.#compiled.set(key, c);
		}
		return c;
	}

	#learn(redisMs: number, localMs: number): void {
		if (!Number.isFinite(redisMs) || redisMs <= 0) return;
		const estimate = redisMs - localMs;
		if (
			this.#offset === undefined ||
			estimate > this.#offset ||
			localMs - this.#offsetAt > OFFSET_WINDOW_MS
		) {
			this.#offset = estimate;
			this.#offsetAt = localMs;
		}
	}

	async #ensureProbed(): Promise<void> {
		if (this.#refused !== undefined) throw this.#refused;
		if (this.#probe === undefined) {
			const p = (async () => {
				const r = (await this.#client.eval(PROBE, 0)) as unknown[];
				this.#learn(Number(r[0]) * 1000 + Math.floor(Number(r[1]) / 1000), Date.now());
				if (!this.#cluster && /cluster_enabled:1/.test(String(r[2]))) {
					this.#refused = new StoreConfigError(
						"invalid RedisStore options: the client is a plain ioredis Redis connected to a Redis Cluster node; most calls would fail with MOVED. Pass an ioredis Cluster (new Cluster([...]))",
						[{ path: "client", message: "must be an ioredis Cluster for a Redis Cluster" }],
					);
				}
			})();
			this.#probe = p;
			p.catch(() => {
				if (this.#probe === p) this.#probe = undefined;
			});
		}
		await this.#probe;
		if (this.#refused !== undefined) throw this.#refused;
	}

	/**
	 * Checks the client once (clock offset, plain client on a cluster node).
	 *
	 * @returns once the check passed.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` for a plain client on a cluster node.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` when Redis does not answer in time.
	 */
	probe(): Promise<void> {
		return this.#bounded("probe", async (endAt, cancelled, seen) => {
			for (;;) {
				try {
					return await this.#ensureProbed();
				} catch (error) {
					if (error instanceof StoreConfigError) throw error;
					seen(error);
					const retry = RETRYABLE.test(message(error)) && !cancelled();
					if (!retry || Date.now() + RETRY_DELAY_MS >= endAt) throw error;
					await sleep(RETRY_DELAY_MS);
				}
			}
		});
	}

	/**
	 * Runs `lua` with `keys` and `args` for `op` (the store call's name).
	 *
	 * @param lua - the script body (wrapped here for writes).
	 * @param op - the store call (`login`, `rotate`, `logout`, `revokeSession`, `logoutAll`,
	 *   `listSessions`, `isRevoked`, `denyJti`, `denySid`, `pepper`): decides record, deadline, WAIT.
	 * @param keys - the script's KEYS.
	 * @param args - the script's ARGV.
	 * @returns the script's reply.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` on timeout, connection failure,
	 *   a late attempt or a missing replica acknowledgement.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` for a plain client on a cluster node.
	 */
	run(lua: string, op: string, keys: string[], args: (string | number)[]): Promise<unknown> {
		return this.#bounded(op, (endAt, cancelled, seen) =>
			this.#tries(lua, op, keys, args, endAt, cancelled, seen),
		);
	}

	async #bounded<T>(
		op: string,
		body: (endAt: number, cancelled: () => boolean, seen: (error: unknown) => void) => Promise<T>,
	): Promise<T> {
		const endAt = Date.now() + this.#timeoutMs;
		let over = false;
		// the last failed attempt, if any: the timeout's cause (a closed port retried until the
		// deadline says why, whichever of the retry and the timer the event loop runs first)
		let last: unknown;
		const call = body(
			endAt,
			() => over,
			(error) => {
				last = error;
			},
		);
		// a late failure after the timeout must not become an unhandled rejection
		call.catch(() => undefined);
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => {
				over = true;
				reject(
					new StoreUnavailableError(
						`redis did not answer ${op} within ${this.#timeoutMs} ms`,
						last === undefined ? undefined : { cause: last },
					),
				);
			}, this.#timeoutMs);
		});
		try {
			return await Promise.race([call, timeout]);
		} catch (error) {
			if (error instanceof StoreUnavailableError || error instanceof StoreConfigError) throw error;
			const name = error instanceof Error ? error.name : typeof error;
			throw new StoreUnavailableError(`redis ${op} failed (${name})`, { cause: error });
		} finally {
			clearTimeout(timer);
		}
	}

	async #tries(
		lua: string,
		op: string,
		keys: string[],
		args: (string | number)[],
		endAt: number,
		cancelled: () => boolean,
		seen: (error: unknown) => void,
	): Promise<unknown> {
		const aKey = RECORDED.has(op) ? attemptKey(keys[0] ?? "", b64url(randomBytes(16))) : undefined;
		const mode = aKey !== undefined ? "record" : WRITES.has(op) ? "deadline" : "read";
		const compiled = this.#compile(lua, mode);
		for (;;) {
			try {
				await this.#ensureProbed();
				if (cancelled()) throw new Cancelled();
				let k = keys;
				let a = args;
				const known = this.#offset !== undefined;
				const deadline = known ? endAt + (this.#offset as number) : 0;
				if (aKey !== undefined) {
					const ttl = known ? this.#timeoutMs + 1000 : UNBOUNDED_RECORD_MS;
					k = [...keys, aKey];
					a = [...args, deadline, ttl];
				} else if (mode === "deadline") {
					a = [...args, deadline];
				}
				const durable = this.#durableFor(op);
				const reply = durable
					? await this.#withWait(op, compiled, k, a)
					: await this.#once(compiled, k, a);
				const at = NOW_AT[op];
				if (at !== undefined && Array.isArray(reply)) this.#learn(Number(reply[at]), Date.now());
				if (
					op === "rotate" &&
					this.#durability !== false &&
					this.#durability.writes === "revocations" &&
					Array.isArray(reply) &&
					REVOKING_VERDICTS.has(String(reply[0]))
				) {
					await this.#waitAfter(keys[0] ?? "", op);
				}
				return reply;
			} catch (error) {
				if (error instanceof StoreConfigError || error instanceof StoreUnavailableError)
					throw error;
				if (error instanceof Cancelled) throw new StoreUnavailableError(`redis ${op} gave up`);
				seen(error);
				const text = message(error);
				if (text.startsWith(LATE_REPLY)) {
					const t = Number(text.split(" ")[1]);
					if (Number.isFinite(t)) this.#learn(t, Date.now());
					throw new StoreUnavailableError(
						`redis ${op}: the attempt reached redis after the ${this.#timeoutMs} ms deadline and changed nothing`,
						{ cause: error },
					);
				}
				if (text.startsWith("MOVED ") && !this.#cluster) {
					this.#refused = new StoreConfigError(
						"invalid RedisStore options: redis answered MOVED: the client is a plain ioredis Redis on a Redis Cluster. Pass an ioredis Cluster (new Cluster([...]))",
						[{ path: "client", message: "must be an ioredis Cluster for a Redis Cluster" }],
						{ cause: error },
					);
					throw this.#refused;
				}
				if (!RETRYABLE.test(text) || cancelled() || Date.now() + RETRY_DELAY_MS >= endAt) {
					throw error;
				}
				await sleep(RETRY_DELAY_MS);
				if (cancelled()) throw new StoreUnavailableError(`redis ${op} gave up`, { cause: error });
			}
		}
	}

	#durableFor(op: string): boolean {
		const d = this.#durability;
		if (d === false) return false;
		return REVOCATIONS.has(op) || (d.writes === "all" && WRITES.has(op));
	}

	async #once(s: Compiled, keys: string[], args: (string | number)[]): Promise<unknown> {
		try {
			return await this.#client.evalsha(await sha1(s), keys.length, ...keys, ...args);
		} catch (error) {
			if (message(error).startsWith("NOSCRIPT")) {
				return await this.#client.eval(s.lua, keys.length, ...keys, ...args);
			}
			throw error;
		}
	}

	#pipeline(): Pipeline {
		const make = this.#client.pipeline;
		if (typeof make !== "function") {
			throw new StoreConfigError(
				"invalid RedisStore options: durability needs a client with pipeline() (ioredis)",
				[{ path: "durability", message: "needs an ioredis client" }],
			);
		}
		return make.call(this.#client);
	}

	#checkWait(op: string, acked: unknown): void {
		const d = this.#durability;
		if (d === false) return;
		if (typeof acked !== "number" || acked < d.replicas) {
			throw new StoreUnavailableError(
				`redis ${op}: applied on the primary but acknowledged by ${String(acked)} of ${d.replicas} replica(s) within ${d.timeoutMs} ms; retrying is safe`,
			);
		}
	}

	async #withWait(
		op: string,
		s: Compiled,
		keys: string[],
		args: (string | number)[],
	): Promise<unknown> {
		const d = this.#durability;
		if (d === false) return this.#once(s, keys, args);
		const sha = await sha1(s);
		let out = await this.#pipeline()
			.evalsha(sha, keys.length, ...keys, ...args)
			.call("WAIT", d.replicas, d.timeoutMs)
			.exec();
		if (out?.[0]?.[0] && message(out[0][0]).startsWith("NOSCRIPT")) {
			out = await this.#pipeline()
				.eval(s.lua, keys.length, ...keys, ...args)
				.call("WAIT", d.replicas, d.timeoutMs)
				.exec();
		}
		if (out === null || out.length < 2) throw new Error("Connection is closed.");
		const [[scriptError, reply], [waitError, acked]] = out as [
			[Error | null, unknown],
			[Error | null, unknown],
		];
		if (scriptError && /^(MOVED|ASK) /.test(message(scriptError))) {
			// redirected, so it did not run; ioredis follows a redirection only when every
			// command of a pipeline got it (WAIT did not): run it alone, then WAIT on its node
			const redirected = await this.#once(s, keys, args);
			await this.#waitAfter(keys[0] ?? "", op);
			return redirected;
		}
		if (scriptError) throw scriptError;
		if (waitError) throw waitError;
		this.#checkWait(op, acked);
		return reply;
	}

	async #waitAfter(key: string, op: string): Promise<void> {
		const d = this.#durability;
		if (d === false) return;
		const out = await this.#pipeline().pttl(key).call("WAIT", d.replicas, d.timeoutMs).exec();
		const wait = out?.[1];
		if (wait === undefined) throw new Error("Connection is closed.");
		if (wait[0]) throw wait[0];
		this.#checkWait(op, wait[1]);
	}
}
