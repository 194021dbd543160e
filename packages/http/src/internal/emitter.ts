/** A tiny typed emitter: `on(type, listener)` returns the unsubscribe; a throwing listener is ignored. */
export class Emitter<E extends object> {
	readonly #listeners = new Map<keyof E, Set<(payload: never) => void>>();

	on<K extends keyof E>(type: K, listener: (payload: E[K]) => void): () => void {
		let set = this.#listeners.get(type);
		if (!set) {
			set = new Set();
			this.#listeners.set(type, set);
		}
		const l = listener as (payload: never) => void;
		set.add(l);
		return () => {
			set.delete(l);
		};
	}

	emit<K extends keyof E>(type: K, payload: E[K]): void {
		const set = this.#listeners.get(type);
		if (!set) return;
		for (const l of set) {
			try {
				(l as (p: E[K]) => void)(payload);
			} catch {
				// a listener never breaks the call that emitted
			}
		}
	}
}
