/**
 * The event shapes `@xshl/otel` subscribes to, written structurally: this package imports no
 * other `@xshl/*` package at run time (nor for its types), so it works with any version whose
 * objects emit these events. Only the fields read here are listed; the real payloads carry
 * more.
 *
 * Import the types from `@xshl/otel`.
 *
 * @module
 */

/** Something with the project's one event verb: `on(type, listener)` returns the unsubscribe. */
export interface EventSource<M> {
	/**
	 * Subscribes to one event type.
	 * @param type - the event type.
	 * @param listener - called with the payload.
	 * @returns a function that unsubscribes.
	 */
	on<K extends keyof M & string>(type: K, listener: (event: M[K]) => void): () => void;
}

/** `verifier.on("verify")` of `@xshl/session-core`: one event per verify call. */
export interface VerifierEventsLike {
	/** A verify call ended. */
	verify: {
		readonly outcome: "ok" | "error";
		readonly code: string | undefined;
		readonly engine: string;
		readonly cacheHit: boolean;
		readonly durationMs: number;
		readonly startedAt: number;
	};
}

/** A thing whose `code` names it (a `KeysError`). */
export interface CodedError {
	/** The stable code (`ERR_KEYS_FETCH_TIMEOUT`, …). */
	readonly code?: unknown;
}

/** `RemoteKeySet` events of `@xshl/keys` read here. */
export interface KeySetEventsLike {
	/** A refresh succeeded (200) or was confirmed unchanged (304). */
	refresh: {
		durationMs: number;
		/** When the refresh started (ms); older key sets: absent (the span ends now). */
		startedAt?: number;
		status: number;
		notModified: boolean;
		keys: number;
	};
	/** A fetch attempt failed. */
	refreshError: {
		attempt: number;
		error: CodedError;
		final: boolean;
		durationMs?: number;
		startedAt?: number;
	};
	/** The set is past its freshness and still serving. */
	stale: { ageMs: number };
	/** The set is past `maxStaleMs`: lookups fail. */
	expired: { ageMs: number };
	/** A lookup asked for a kid the set does not have. */
	unknownKid: { fetched: boolean };
	/** A key of a fetched JWKS was dropped. */
	keyRejected: { index: number };
}

/** `KeyRing` events of `@xshl/keys/ring` read here. */
export interface KeyRingEventsLike {
	/** `rotate()` switched (or scheduled) the active keys. */
	rotate: { at: number; rotations: ReadonlyArray<{ use: string; activeKid: string }> };
	/** `withdraw(kid)` removed a key at once. */
	withdraw: { use: string; state: string };
	/** A retired key's grace ended. */
	expire: { use: string };
}

/** The store operations (`StoreOperation` of `@xshl/session-store`). */
export type StoreOperationLike = string;

/** `MemoryStore`/`RedisStore` events of `@xshl/session-store` read here. */
export interface StoreEventsLike {
	/** One backend call ended. */
	call: {
		op: StoreOperationLike;
		outcome: "ok" | "error";
		code: string | undefined;
		durationMs: number;
		startedAt: number;
	};
	/** A token was rotated. */
	refresh: { generation: number };
	/** A grace replay: the same successor again. */
	"refresh.replay": { generation: number };
	/** An ancestor was replayed: the family died. */
	"refresh.reuse_detected": { reason: string };
	/** A family was revoked. */
	revoke: { reason: string };
	/** A family was evicted (per-user cap). */
	evict: { reason: string };
	/** The client, a cluster node or a call failed. */
	error: { source: string };
}

/** `RevocationFeedClient` events of `@xshl/keys/revocations` read here. */
export interface FeedEventsLike {
	/** A refresh succeeded (`via` and `durationMs` from `@xshl/keys` with feed durations). */
	refresh: {
		notModified: boolean;
		delta: boolean;
		entries: number;
		via?: "poll" | "push";
		durationMs?: number;
	};
	/** A refresh failed (`durationMs`: its time, retries included). */
	refreshError: { error: CodedError; durationMs?: number };
	/** The first failed refresh after a success. */
	stale: { ageMs: number };
	/** The state held passed `maxStaleMs`; the policy applies. */
	expired: { policy: string };
}

/** A session verifier (`createSessionVerifier` of `@xshl/session-core`). */
export type VerifierLike = EventSource<VerifierEventsLike>;
/** A `RemoteKeySet` of `@xshl/keys`. */
export type KeySetLike = EventSource<KeySetEventsLike>;
/** A `KeyRing` of `@xshl/keys/ring`. */
export type KeyRingLike = EventSource<KeyRingEventsLike>;
/** A `MemoryStore` or `RedisStore` of `@xshl/session-store`. */
export type StoreLike = EventSource<StoreEventsLike>;
/** A `RevocationFeedClient` of `@xshl/keys/revocations`. */
export type FeedLike = EventSource<FeedEventsLike>;
