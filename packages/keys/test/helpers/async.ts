// Clocks, event waits and rejections used across the keys tests.

/** A fake clock in ms. */
export function clock(start = 1_800_000_000_000): {
	now: () => number;
	advance(ms: number): void;
	t: number;
} {
	const c = {
		t: start,
		now: () => c.t,
		advance(ms: number) {
			c.t += ms;
		},
	};
	return c;
}

/** Resolve when the key set emits the event once (on the next macrotask). */
export function once<T>(on: (listener: (e: T) => void) => () => void): Promise<T> {
	return new Promise((resolve) => {
		const off = on((e) => {
			off();
			// after the current fetch has fully settled (its finally has run)
			setImmediate(() => resolve(e));
		});
	});
}

/** Wait until the key set has no fetch in flight (polls on the event loop, no fixed sleep). */
export async function idle(ks: { stats(): { inFlight: boolean } }): Promise<void> {
	while (ks.stats().inFlight) await new Promise((r) => setImmediate(r));
}

/** Resolve with the final refreshError of the next failed refresh. */
export function finalError(ks: {
	on(type: "refreshError", l: (e: { final: boolean; error: unknown }) => void): () => void;
}): Promise<{ error: Caught; final: boolean }> {
	return new Promise((resolve) => {
		const off = ks.on("refreshError", (e) => {
			if (!e.final) return;
			off();
			setImmediate(() => resolve(e as never));
		});
	});
}

/** A caught error with the fields tests read (code, reason, cause, status, ...). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary typed-error fields
export type Caught = { name: string; message: string; cause: any; [field: string]: any };

/** The rejection of a promise that must reject. */
export async function rejection(p: Promise<unknown>): Promise<Caught> {
	try {
		await p;
	} catch (e) {
		return e as Caught;
	}
	throw new Error("expected a rejection");
}
