// A minimal typed emitter for `store.on(type, listener)`: no `node:events`, and a listener
// that throws never breaks the call that emitted.

export class Emitter<M extends object> {
	readonly #listeners = new Map<keyof M, Set<(event: never) => void>>();

	on<K extends keyof M>(type: K, listener: (event: M[K]) => void): () => void {
		let set = this.#listeners.get(type);
		if (set === undefined) {
			set = new Set();
			this.#listeners.set(type, set);
		}
		const entry = listener as (event: never) => void;
		set.add(entry);
		return () => {
			set.delete(entry);
		};
	}

	has(type: keyof M): boolean {
		return (this.#listeners.get(type)?.size ?? 0) > 0;
	}

	emit<K extends keyof M>(type: K, event: M[K]): void {
		const set = this.#listeners.get(type);
		if (set === undefined) return;
		for (const listener of set) {
			try {
				(listener as (event: M[K]) => void)(event);
			} catch {
				// listeners never break the flow
			}
		}
	}
}
