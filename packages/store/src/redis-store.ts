/**
 * The Redis {@link SessionStore}: what runs when more than one instance shares sessions.
 * Every state change is one Lua script (EVALSHA, falling back to EVAL on NOSCRIPT) on keys
 * of one hash tag, so it is atomic and Cluster-safe, and decides with Redis `TIME`. Every
 * call is bounded by `timeoutMs` and fails closed with `ERR_STORE_UNAVAILABLE`.
 *
 * Import from `@xshl/session-store/redis`. Node and Bun (it takes an ioredis client).
 *
 * @module
 */
import * as z from "zod";
import type {
	DenyInput,
	ListSessionsOptions,
	LoginInput,
	LoginResult,
	LogoutAllOptions,
	LogoutAllResult,
	LogoutOptions,
	LogoutResult,
	RevocationQuery,
	RevocationReason,
	RevocationStatus,
	RevokeSessionInput,
	RotateOptions,
	RotateResult,
	SessionInfo,
	SessionStore,
	StoreEvents,
	StoreEventType,
	StoreListener,
} from "./contract";
import { StoreConfigError, StoreUnavailableError } from "./errors";
import type {
	Backend,
	FamilyRow,
	LoginArgs,
	LoginReply,
	RotateArgs,
	RotateReply,
	RotateStatus,
} from "./internal/backend";
import { clusterClientIssues, isClusterClient } from "./internal/client-check";
import { bridgeClientErrors } from "./internal/client-events";
import { b64url, fromB64url, randomBytes } from "./internal/crypto";
import { type DurabilityInput, durabilityShape, resolveDurability } from "./internal/durability";
import { Emitter } from "./internal/emitter";
import { Engine } from "./internal/engine";
import * as lua from "./internal/lua";
import { OpStats } from "./internal/op-stats";
import { ScriptRunner } from "./internal/script-runner";
import { parseStoreOptions, type StoreOptions } from "./options";
import type { OperationStats, StoreStats } from "./stats";

/**
 * The part of an ioredis client (`Redis`, v5 or v6) the store uses. A `Cluster` works too
 * (every script touches one slot).
 */
export interface RedisClientLike {
	/** `EVALSHA sha numkeys key… arg…` */
	evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
	/** `EVAL script numkeys key… arg…` */
	eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions extends StoreOptions {
	/**
	 * An ioredis client (`Redis`, or `Cluster` for a Redis Cluster). The store never quits it.
	 * Recommended client options: `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }` so
	 * calls fail fast while disconnected (the store's own timeout applies either way). A
	 * `Cluster` must not resend after the store answered (see the README's Cluster section);
	 * one that could is refused. Do not set ioredis `keyPrefix`; use `prefix`.
	 */
	client: RedisClientLike;
	/**
	 * Key prefix (1–64 of `A–Z a–z 0–9 _ - . :`); keys look like `<prefix>:{u:<userTag>}:…`.
	 * @default "xshl"
	 */
	prefix?: string;
	/**
	 * Timeout of every store call in milliseconds (1–60 000).
	 * @default 250
	 */
	timeoutMs?: number;
	/**
	 * Which writes wait for replicas (`WAIT`) before they are acknowledged, or `false` for none.
	 * A write that fewer replicas acknowledged in time fails closed with
	 * `ERR_STORE_UNAVAILABLE` (retrying it is safe). `timeoutMs` must stay below the call
	 * timeout; `writes: "all"` makes logins and rotations wait too.
	 * @default `{ replicas: 1, timeoutMs: 100, writes: "revocations" }` for an ioredis `Cluster`; `false` for a plain client
	 */
	durability?: DurabilityInput | false;
	/**
	 * Clock for denylist lifetimes (access-token `exp` is on the issuer's clock); rotation,
	 * timeouts and epochs use Redis `TIME`.
	 * @default Date.now
	 */
	now?: () => number;
}

/** Families linger this long past their deadline so the exact reason can be reported. */
const LINGER_MS = 60_000;

interface Script {
	lua: string;
	/** SHA-1 hex of `lua` (Web Crypto, computed once on first use). */
	sha: Promise<string> | undefined;
}

function script(source: string): Script {
	return { lua: source, sha: undefined };
}

const SCRIPTS = {
	login: script(lua.LOGIN),
	rotate: script(lua.ROTATE),
	logout: script(lua.LOGOUT),
	revokeSid: script(lua.REVOKE_SID),
	logoutAll: script(lua.LOGOUT_ALL),
	list: script(lua.LIST),
	isRevoked: script(lua.IS_REVOKED),
	deny: script(lua.DENY),
	pepper: script(lua.PEPPER),
};

function str(v: unknown): string {
	return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

function num(v: unknown): number {
	return Number(str(v));
}

class RedisBackend implements Backend {
	readonly #runner: ScriptRunner;
	readonly #prefix: string;
	readonly #now: () => number;
	readonly #pepper: Uint8Array<ArrayBuffer> | undefined;

	constructor(
		runner: ScriptRunner,
		prefix: string,
		now: () => number,
		pepper: Uint8Array<ArrayBuffer> | undefined,
	) {
		this.#runner = runner;
		this.#prefix = prefix;
		this.#now = now;
		this.#pepper = pepper;
	}

	appNow(): number {
		return this.#now();
	}

	#base(uTag: string): string {
		return `${this.#prefix}:{u:${uTag}}:`;
	}

	/** One script call: bounded, attempt-idempotent, durable where configured (ScriptRunner). */
	#run(s: Script, op: string, keys: string[], args: (string | number)[]): Promise<unknown> {
		return this.#runner.run(s.lua, op, keys, args);
	}

	async pepper(): Promise<Uint8Array<ArrayBuffer>> {
		if (this.#pepper !== undefined) return this.#pepper;
		const reply = str(
			await this.#run(
				SCRIPTS.pepper,
				"pepper",
				[`${this.#prefix}:pepper`],
				[b64url(randomBytes(32))],
			),
		);
		const bytes = fromB64url(reply);
		if (bytes === undefined || bytes.length < 32) {
			throw new StoreUnavailableError("the shared pepper in redis is not 32 base64url bytes");
		}
		return bytes;
	}

	async login(a: LoginArgs): Promise<LoginReply> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.login,
			"login",
			[`${base}f:${a.fid}`, `${base}s`, `${base}sid:${a.sid}`],
			[
				base,
				a.fid,
				a.sub,
				a.sid,
				a.trace,
				a.authTime === undefined ? "" : a.authTime,
				a.hash,
				a.browser,
				a.os,
				a.ip,
				a.idleMs,
				a.absMs,
				a.maxSessions,
				a.denySidMs,
				LINGER_MS,
			],
		)) as unknown[];
		const now = num(r[1]);
		if (r[0] !== "ok")
			return { status: "absolute", now, row: undefined, evicted: [], replaced: undefined };
		const evicted: { fid: string; sid: string }[] = [];
		for (let i = 6; i + 1 < r.length; i += 2) evicted.push({ fid: str(r[i]), sid: str(r[i + 1]) });
		const replaced = str(r[2]);
		return {
			status: "ok",
			now,
			row: {
				fid: a.fid,
				sub: a.sub,
				sid: a.sid,
				trace: a.trace,
				authTime: num(r[3]),
				createdAt: now,
				lastUsedAt: now,
				idleAt: num(r[4]),
				absAt: num(r[5]),
				gen: 0,
				browser: a.browser,
				os: a.os,
				ip: a.ip,
			},
			evicted,
			replaced: replaced === "" ? undefined : replaced,
		};
	}

	async rotate(a: RotateArgs): Promise<RotateReply> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.rotate,
			"rotate",
			[`${base}f:${a.fid}`, `${base}s`, `${base}e`],
			[
				base,
				a.fid,
				a.gen,
				a.hash,
				a.trace,
				a.newHash,
				a.sealed,
				a.idleMs,
				a.graceMs,
				a.maxReplays,
				a.traceMode,
				a.denySidMs,
				LINGER_MS,
			],
		)) as unknown[];
		const status = str(r[0]) as RotateStatus;
		const now = num(r[1]);
		if (r.length < 15) return { status, now, row: undefined, sealed: undefined };
		// sub sid tr au ca lu ia aa g br os ip sealed
		const row: FamilyRow = {
			fid: a.fid,
			sub: str(r[2]),
			sid: str(r[3]),
			trace: str(r[4]),
			authTime: num(r[5]),
			createdAt: num(r[6]),
			lastUsedAt: num(r[7]),
			idleAt: num(r[8]),
			absAt: num(r[9]),
			gen: num(r[10]),
			browser: str(r[11]),
			os: str(r[12]),
			ip: str(r[13]),
		};
		const sealed = str(r[14]);
		return { status, now, row, sealed: sealed === "" ? undefined : sealed };
	}

	async logout(a: {
		uTag: string;
		fid: string;
		denySidMs: number;
		jti: string | undefined;
		jtiTtlMs: number;
	}): Promise<{ now: number; revoked: { sub: string; sid: string } | undefined }> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.logout,
			"logout",
			[`${base}f:${a.fid}`],
			[base, a.fid, a.denySidMs, a.jti ?? "", Math.max(0, Math.ceil(a.jtiTtlMs))],
		)) as unknown[];
		return {
			now: num(r[0]),
			revoked: r.length >= 3 ? { sub: str(r[1]), sid: str(r[2]) } : undefined,
		};
	}

	async revokeSid(a: {
		uTag: string;
		sid: string;
		denySidMs: number;
	}): Promise<{ now: number; fid: string | undefined }> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.revokeSid,
			"revokeSession",
			[`${base}sid:${a.sid}`],
			[base, a.sid, a.denySidMs],
		)) as unknown[];
		return { now: num(r[0]), fid: r.length >= 2 ? str(r[1]) : undefined };
	}

	async logoutAll(a: {
		uTag: string;
		exceptSid: string | undefined;
		epochTtlMs: number;
		denySidMs: number;
	}): Promise<{ now: number; revoked: { fid: string; sid: string }[] }> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.logoutAll,
			"logoutAll",
			[`${base}e`, `${base}s`],
			[base, a.exceptSid ?? "", a.epochTtlMs + LINGER_MS, a.denySidMs],
		)) as unknown[];
		const revoked: { fid: string; sid: string }[] = [];
		for (let i = 1; i + 1 < r.length; i += 2) revoked.push({ fid: str(r[i]), sid: str(r[i + 1]) });
		return { now: num(r[0]), revoked };
	}

	async list(a: { uTag: string; limit: number }): Promise<{ now: number; rows: FamilyRow[] }> {
		const base = this.#base(a.uTag);
		const r = (await this.#run(
			SCRIPTS.list,
			"listSessions",
			[`${base}s`, `${base}e`],
			[base, a.limit],
		)) as unknown[];
		const rows: FamilyRow[] = [];
		// fid ia aa sub sid tr au ca lu g br os ip
		for (let i = 1; i + 12 < r.length; i += 13) {
			rows.push({
				fid: str(r[i]),
				idleAt: num(r[i + 1]),
				absAt: num(r[i + 2]),
				sub: str(r[i + 3]),
				sid: str(r[i + 4]),
				trace: str(r[i + 5]),
				authTime: num(r[i + 6]),
				createdAt: num(r[i + 7]),
				lastUsedAt: num(r[i + 8]),
				gen: num(r[i + 9]),
				browser: str(r[i + 10]),
				os: str(r[i + 11]),
				ip: str(r[i + 12]),
			});
		}
		return { now: num(r[0]), rows };
	}

	async isRevoked(a: {
		uTag: string;
		jti: string | undefined;
		sid: string | undefined;
		iat: number;
	}): Promise<RevocationReason | null> {
		const base = this.#base(a.uTag);
		const r = str(
			await this.#run(
				SCRIPTS.isRevoked,
				"isRevoked",
				[`${base}dj:${a.jti ?? ""}`, `${base}ds:${a.sid ?? ""}`, `${base}e`],
				[a.jti === undefined ? "0" : "1", a.sid === undefined ? "0" : "1", a.iat, a.sid ?? ""],
			),
		);
		return r === "jti" || r === "sid" || r === "epoch" ? r : null;
	}

	async deny(a: { uTag: string; kind: "jti" | "sid"; id: string; ttlMs: number }): Promise<void> {
		const base = this.#base(a.uTag);
		await this.#run(
			SCRIPTS.deny,
			a.kind === "jti" ? "denyJti" : "denySid",
			[`${base}${a.kind === "jti" ? "dj" : "ds"}:${a.id}`],
			[Math.ceil(a.ttlMs)],
		);
	}
}

const redisShape = {
	client: z.custom<RedisClientLike>(
		(v) =>
			typeof v === "object" &&
			v !== null &&
			typeof (v as RedisClientLike).evalsha === "function" &&
			typeof (v as RedisClientLike).eval === "function",
		{ message: "expected an ioredis client (with evalsha and eval)" },
	),
	prefix: z
		.string()
		.regex(/^[A-Za-z0-9_.:-]{1,64}$/, "1–64 characters of A–Z a–z 0–9 _ - . :")
		.default("xshl"),
	timeoutMs: z.number().int().min(1).max(60_000).default(250),
	durability: durabilityShape,
	now: z
		.custom<() => number>((v) => typeof v === "function", { message: "expected a function" })
		.optional(),
};

/**
 * The Redis {@link SessionStore}. Share one Redis (and the same `prefix` and `pepper`) between
 * instances and they share sessions.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { RedisStore } from '@xshl/session-store/redis'
 * const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false })
 * const store = new RedisStore({ client, pepper: process.env.XSHL_PEPPER })
 * const { refreshToken } = await store.login({ sub: 'u1', trace: 'trace-1' })
 * ```
 */
export class RedisStore implements SessionStore {
	readonly #events = new Emitter<StoreEvents>();
	readonly #client: RedisClientLike;
	readonly #stats: OpStats;
	#detach: (() => void) | undefined;
	readonly #engine: Engine;
	readonly #runner: ScriptRunner;

	/**
	 * @param options - `client` (required), `prefix`, `timeoutMs`, and the common options; see {@link RedisStoreOptions}.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` when an option is invalid, the
	 *   client has an ioredis `keyPrefix` (scripts build keys themselves), or an ioredis
	 *   `Cluster` could resend a command after the store answered (one issue per setting).
	 */
	constructor(options: RedisStoreOptions) {
		const { settings, extra } = parseStoreOptions(redisShape, options, "RedisStore");
		const keyPrefix = (extra.client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix;
		if (typeof keyPrefix === "string" && keyPrefix !== "") {
			throw new StoreConfigError(
				"invalid RedisStore options: the ioredis client has a keyPrefix; use the store's `prefix` option instead",
				[{ path: "client.options.keyPrefix", message: "must be empty" }],
			);
		}
		const issues = clusterClientIssues(extra.client, extra.timeoutMs);
		if (issues.length > 0) {
			throw new StoreConfigError(
				`invalid RedisStore options: the ioredis Cluster could resend a command after the store answered: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
				issues,
			);
		}
		const durability = resolveDurability(extra.durability, isClusterClient(extra.client));
		if (durability !== false && durability.timeoutMs >= extra.timeoutMs) {
			throw new StoreConfigError(
				"invalid RedisStore options: durability.timeoutMs must be below timeoutMs",
				[
					{
						path: "durability.timeoutMs",
						message: `must be below timeoutMs (${extra.timeoutMs} ms)`,
					},
				],
			);
		}
		this.#runner = new ScriptRunner(extra.client, extra.timeoutMs, durability);
		const backend = new RedisBackend(
			this.#runner,
			extra.prefix,
			extra.now ?? Date.now,
			settings.pepper,
		);
		this.#client = extra.client;
		this.#stats = new OpStats(extra.timeoutMs);
		this.#engine = new Engine(settings, backend, this.#events, this.#stats);
	}

	/**
	 * Calls, errors, timeouts and latency percentiles per operation since the store was built
	 * (the latencies of the last 1 024 calls of each operation).
	 *
	 * @returns one {@link OperationStats} per operation.
	 * @example
	 * ```ts
	 * const { rotate } = store.stats()
	 * metrics.gauge('store.rotate.p99_ms', rotate.p99Ms)
	 * ```
	 */
	stats(): StoreStats {
		return this.#stats.snapshot();
	}

	/**
	 * Stops listening to the client's events (the store never quits the client). Calls made
	 * afterwards still work.
	 *
	 * @returns nothing.
	 * @example
	 * ```ts
	 * store.close(); await client.quit()
	 * ```
	 */
	close(): void {
		this.#detach?.();
		this.#detach = undefined;
	}

	/**
	 * Checks the client once: Redis answers, its clock offset (for attempt deadlines), and a
	 * plain client is not connected to a Redis Cluster node. Await it at startup; the first
	 * call runs the same check.
	 *
	 * @returns once the store can serve.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` (path `client`) for a plain ioredis client on a cluster node.
	 * @throws {StoreUnavailableError} `ERR_STORE_UNAVAILABLE` when Redis does not answer within `timeoutMs`.
	 *
	 * @example
	 * ```ts
	 * const store = new RedisStore({ client })
	 * await store.ready()
	 * ```
	 */
	ready(): Promise<void> {
		return this.#runner.probe();
	}

	/** {@inheritDoc SessionStore.login} */
	login(input: LoginInput): Promise<LoginResult> {
		return this.#engine.login(input);
	}
	/** {@inheritDoc SessionStore.rotate} */
	rotate(refreshToken: string, options: RotateOptions): Promise<RotateResult> {
		return this.#engine.rotate(refreshToken, options);
	}
	/** {@inheritDoc SessionStore.logout} */
	logout(refreshToken: string, options?: LogoutOptions): Promise<LogoutResult> {
		return this.#engine.logout(refreshToken, options);
	}
	/** {@inheritDoc SessionStore.revokeSession} */
	revokeSession(input: RevokeSessionInput): Promise<boolean> {
		return this.#engine.revokeSession(input);
	}
	/** {@inheritDoc SessionStore.logoutAll} */
	logoutAll(sub: string, options?: LogoutAllOptions): Promise<LogoutAllResult> {
		return this.#engine.logoutAll(sub, options);
	}
	/** {@inheritDoc SessionStore.listSessions} */
	listSessions(sub: string, options?: ListSessionsOptions): Promise<SessionInfo[]> {
		return this.#engine.listSessions(sub, options);
	}
	/** {@inheritDoc SessionStore.isRevoked} */
	isRevoked(query: RevocationQuery): Promise<RevocationStatus> {
		return this.#engine.isRevoked(query);
	}
	/** {@inheritDoc SessionStore.denyJti} */
	denyJti(input: DenyInput): Promise<void> {
		return this.#engine.deny("jti", input);
	}
	/** {@inheritDoc SessionStore.denySid} */
	denySid(input: DenyInput): Promise<void> {
		return this.#engine.deny("sid", input);
	}
	/**
	 * {@inheritDoc SessionStore.on}
	 *
	 * The first `error` listener also subscribes to the client's `error` (and, on a Cluster,
	 * `node error`) events, which then reach it with `source: "client"` / `"node"` instead of
	 * ioredis' "Unhandled error event" log; the last one to unsubscribe detaches again.
	 */
	on<K extends StoreEventType>(type: K, listener: StoreListener<K>): () => void {
		const off = this.#events.on(type, listener);
		if (type !== "error") return off;
		this.#detach ??= bridgeClientErrors(this.#client, (e) => this.#events.emit("error", e));
		return () => {
			off();
			if (!this.#events.has("error")) this.close();
		};
	}
}
