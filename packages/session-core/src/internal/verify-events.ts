// `verifier.on("verify", listener)`: one event per verify call, measured only while somebody
// listens (no listener: the public functions are the plain ones, no clock read, no object).

/** One verify call, as seen by `verifier.on("verify", …)`. */
export interface VerifyEvent {
	/** `"ok"` for an accepted token, `"error"` for a refused one. */
	readonly outcome: "ok" | "error";
	/** The error's code when refused (`ERR_SESSION_EXPIRED`, …); `undefined` when accepted. */
	readonly code: string | undefined;
	/** The engine that checked the signature. */
	readonly engine: "jose" | "node";
	/** True when the verified-token cache answered (no signature check). */
	readonly cacheHit: boolean;
	/** Wall time of the call, in ms (`performance.now()` based). */
	readonly durationMs: number;
	/** When the call started, ms since the epoch (`Date.now()`). */
	readonly startedAt: number;
}

/** Events of a {@link SessionVerifier}, by type. */
export interface SessionVerifierEvents {
	/** A verify call ended (accepted or refused). */
	verify: VerifyEvent;
}

type Listener = (event: VerifyEvent) => void;

/** The listeners of one verifier and the cache-hit flag the cached path sets synchronously. */
export class VerifyEvents {
	readonly listeners: Set<Listener> = new Set<Listener>();
	/** Set by the cached path when the cache answers; read right after the call starts. */
	hit: boolean = false;

	on(type: "verify", listener: Listener): () => void {
		if (type !== "verify" || typeof listener !== "function") {
			throw new TypeError(
				'verifier.on(type, listener): type must be "verify" and listener a function',
			);
		}
		const entry: Listener = (e) => listener(e);
		this.listeners.add(entry);
		return () => {
			this.listeners.delete(entry);
		};
	}

	/**
	 * Wraps a verify function: plain when nobody listens (no rest array, no clock read), timed
	 * and reported otherwise.
	 */
	wrap<C, R>(
		engine: "jose" | "node",
		fn: (token: string, call?: C) => Promise<R>,
	): (token: string, call?: C) => Promise<R> {
		return (token: string, call?: C): Promise<R> =>
			this.listeners.size === 0 ? fn(token, call) : this.#timed(engine, fn, token, call);
	}

	#timed<C, R>(
		engine: "jose" | "node",
		fn: (token: string, call?: C) => Promise<R>,
		token: string,
		call: C | undefined,
	): Promise<R> {
		const startedAt = Date.now();
		const t0 = performance.now();
		this.hit = false;
		const p = fn(token, call);
		const cacheHit = this.hit;
		this.hit = false;
		const report = (outcome: "ok" | "error", code: string | undefined): void => {
			const event: VerifyEvent = {
				outcome,
				code,
				engine,
				cacheHit,
				durationMs: performance.now() - t0,
				startedAt,
			};
			for (const l of this.listeners) {
				try {
					l(event);
				} catch {
					// a listener that throws never breaks the verify call
				}
			}
		};
		return p.then(
			(value) => {
				report("ok", undefined);
				return value;
			},
			(error: unknown) => {
				const code = (error as { code?: unknown } | null)?.code;
				report("error", typeof code === "string" ? code : undefined);
				throw error;
			},
		);
	}
}
