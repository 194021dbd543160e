// The unknown-kid memo: kids a fetch did not find, each until its cooldown ends, in a
// bounded LRU (a Map keeps insertion order; a hit moves the kid to the end).

/** LRU of unknown kids with the time each stays known-unknown, in ms since the epoch. */
export class UnknownKidMemo {
	readonly #max: number;
	#map = new Map<string, number>();

	/** @param max - the most kids kept; the least recently used go first. */
	constructor(max: number) {
		this.#max = max;
	}

	/** Kids currently held. */
	get size(): number {
		return this.#map.size;
	}

	/** Until when `kid` is known to be unknown, or `undefined` (absent or expired at `now`). */
	until(kid: string, now: number): number | undefined {
		const until = this.#map.get(kid);
		if (until === undefined) return undefined;
		this.#map.delete(kid);
		if (now >= until) return undefined;
		this.#map.set(kid, until);
		return until;
	}

	/** Remember `kid` as unknown until `until`, evicting the least recently used beyond `max`. */
	remember(kid: string, until: number): void {
		this.#map.delete(kid);
		this.#map.set(kid, until);
		while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
	}
}
