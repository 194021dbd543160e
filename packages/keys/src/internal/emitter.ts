// The one typed event emitter of this package (Web-only, no node:events): `on()` returns an
// unsubscribe function, and a listener that throws never breaks the call that emitted.

/** A listener for the payload type `P`. */
export type Listener<P> = (event: P) => void;

/** Typed emitter over an event map `E` (type → payload). */
export class Emitter<E extends object> {
	#listeners = new Map<keyof E, Set<Listener<never>>>();

	/**
	 * Subscribe to one event type.
	 *
	 * @param type - the event type.
	 * @param listener - called with the payload; its exceptions are swallowed.
	 * @returns a function that unsubscribes.
	 */
	on<K extends keyof E>(type: K, listener: Listener<E[K]>): () => void {
		let set = this.#listeners.get(type);
		if (set === undefined) {
			set = new Set();
			this.#listeners.set(type, set);
		}
		const l = listener as Listener<never>;
		set.add(l);
		return () => {
			set.delete(l);
		};
	}

	/** Whether anyone listens to `type` (lets callers skip building a payload). */
	protected listens(type: keyof E): boolean {
		return (this.#listeners.get(type)?.size ?? 0) > 0;
	}

	/** Call every listener of `type` with `payload`; a throwing listener is skipped. */
	protected emit<K extends keyof E>(type: K, payload: E[K]): void {
		const set = this.#listeners.get(type);
		if (set === undefined) return;
		for (const l of [...set]) {
			try {
				(l as Listener<E[K]>)(payload);
			} catch {}
		}
	}
}
