/**
 * The in-memory store: the embedded default for one process. Every state change is one
 * synchronous critical section, so concurrent calls in one process serialise exactly as the
 * Redis scripts do. Expiry is lazy plus a sweep at most once per minute of store time.
 *
 * Import from `@xshl/session-store`.
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
import { Emitter } from "./internal/emitter";
import { Engine } from "./internal/engine";
import { MemoryBackend } from "./internal/memory-backend";
import { parseStoreOptions, type StoreOptions } from "./options";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions extends StoreOptions {
	/**
	 * The clock, ms since the epoch (inject a fake one in tests).
	 * @default Date.now
	 */
	now?: () => number;
}

const memoryShape = {
	now: z
		.custom<() => number>((v) => typeof v === "function", { message: "expected a function" })
		.optional(),
};

/**
 * The in-memory {@link SessionStore}: the embedded default for a single process.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@xshl/session-store'
 * const store = new MemoryStore({ preset: 'sensitive' })
 * const { refreshToken } = await store.login({ sub: 'u1', trace: 'trace-1' })
 * const next = await store.rotate(refreshToken, { trace: 'trace-1' })
 * ```
 */
export class MemoryStore implements SessionStore {
	/** @internal the state; tests reach it to simulate a lost index entry. */
	private readonly backend: MemoryBackend;
	readonly #events = new Emitter<StoreEvents>();
	readonly #engine: Engine;

	/**
	 * @param options - timeouts, grace, caps, pepper and the clock; see {@link MemoryStoreOptions}.
	 * @throws {StoreConfigError} `ERR_STORE_CONFIG_INVALID` when an option is invalid.
	 */
	constructor(options?: MemoryStoreOptions) {
		const { settings, extra } = parseStoreOptions(memoryShape, options, "MemoryStore");
		this.backend = new MemoryBackend(extra.now ?? Date.now, settings.pepper, settings.maxSessions);
		this.#engine = new Engine(settings, this.backend, this.#events);
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
	/** {@inheritDoc SessionStore.on} */
	on<K extends StoreEventType>(type: K, listener: StoreListener<K>): () => void {
		return this.#events.on(type, listener);
	}

	/**
	 * Drops expired families, denylist entries and empty users now (it also runs by itself at
	 * most once per minute of store time, on writes).
	 *
	 * @returns nothing.
	 *
	 * @example
	 * ```ts
	 * store.sweep()
	 * ```
	 */
	sweep(): void {
		this.backend.sweep(this.backend.now());
	}

	/**
	 * Counts what is held, for metrics and tests. Memory is bounded by live sessions: revoked,
	 * logged-out and evicted families are deleted at once and leave a tombstone (why it died,
	 * for the exact error), at most `maxSessionsPerUser` per user.
	 *
	 * @returns numbers of live families, users, denylist entries and tombstones.
	 *
	 * @example
	 * ```ts
	 * store.stats() // { families: 0, users: 0, denylist: 0, tombstones: 0 }
	 * ```
	 */
	stats(): { families: number; users: number; denylist: number; tombstones: number } {
		let tombstones = 0;
		for (const u of this.backend.users.values()) tombstones += u.graves.size;
		return {
			families: this.backend.families.size,
			users: this.backend.users.size,
			denylist: this.backend.denylist.size,
			tombstones,
		};
	}

	/**
	 * Every value the store holds, as plain data (hashes, sealed successors, ids): for audits
	 * and the "token at rest" test. Never contains a token.
	 *
	 * @returns a JSON-serialisable snapshot.
	 *
	 * @example
	 * ```ts
	 * JSON.stringify(store.dump())
	 * ```
	 */
	dump(): unknown {
		return {
			families: [...this.backend.families.values()],
			users: [...this.backend.users].map(([tag, u]) => ({
				tag,
				index: [...u.index],
				sids: [...u.sids],
				graves: [...u.graves],
				epoch: u.epoch,
			})),
			deny: [...this.backend.denylist],
		};
	}
}
