// Server-Sent Events push of the revocation feed: bounded subscribers, each new state sent as
// one signed delta per cursor (shared by the subscribers at that cursor), heartbeat comments,
// every stream ended on close(). A failed read of the log ends the streams (clients poll).

/** What the push needs from the feed. */
export interface FeedPushOptions {
	/** Most streams open at once. */
	maxSubscribers: number;
	/** Heartbeat comment interval, in ms. */
	heartbeatMs: number;
	/** With a shared log: interval of the check for other instances' entries, in ms. */
	syncMs: number | undefined;
	/** The seq now (after pending writes). */
	current(): Promise<number>;
	/** The signed delta since a cursor (or the full document for `undefined`), with its seq. */
	build(since: number | undefined): Promise<{ seq: number; jws: string }>;
	/** Report a failure (a log read or a signature that failed). */
	onError(error: Error): void;
}

interface Subscriber {
	controller: ReadableStreamDefaultController<Uint8Array>;
	/** The seq the subscriber holds; `undefined` until its first event was sent. */
	seq: number | undefined;
}

/** Chunks queued for a subscriber that does not read before it is dropped. */
const MAX_QUEUED = 64;

const enc = new TextEncoder();
const HEARTBEAT = enc.encode(": heartbeat\n\n");

function event(doc: { seq: number; jws: string }): Uint8Array {
	return enc.encode(`id: ${doc.seq}\nevent: feed\ndata: ${doc.jws}\n\n`);
}

/** The event streams of one feed. */
export class FeedPush {
	readonly #o: FeedPushOptions;
	readonly #subs = new Set<Subscriber>();
	#heartbeat: ReturnType<typeof setInterval> | undefined;
	#sync: ReturnType<typeof setInterval> | undefined;
	#running: Promise<void> | undefined;
	#again = false;
	#closed = false;

	constructor(options: FeedPushOptions) {
		this.#o = options;
	}

	/** Streams open now. */
	get size(): number {
		return this.#subs.size;
	}

	/** Open a stream: the document (or the delta since `since`), then each new state. */
	open(since: number | undefined): Response {
		if (this.#closed || this.#subs.size >= this.#o.maxSubscribers)
			return new Response(null, {
				status: 503,
				headers: { "cache-control": "no-store", "retry-after": "5" },
			});
		const sub = { seq: undefined } as unknown as Subscriber;
		const stream = new ReadableStream<Uint8Array>(
			{
				start: (controller) => {
					sub.controller = controller;
					this.#subs.add(sub);
					this.#timers();
				},
				cancel: () => this.#drop(sub, false),
			},
			{ highWaterMark: MAX_QUEUED },
		);
		this.#first(sub, since).catch((e: unknown) => this.#fail(e));
		return new Response(stream, {
			status: 200,
			headers: {
				"content-type": "text/event-stream; charset=utf-8",
				"cache-control": "no-store",
				"x-accel-buffering": "no",
			},
		});
	}

	/** Entries were written: send every subscriber the delta since its seq (coalesced). */
	changed(): void {
		if (this.#subs.size === 0 || this.#closed) return;
		if (this.#running !== undefined) {
			this.#again = true;
			return;
		}
		this.#running = this.#broadcast()
			.catch((e: unknown) => this.#fail(e))
			.finally(() => {
				this.#running = undefined;
				if (this.#again) {
					this.#again = false;
					this.changed();
				}
			});
	}

	/** End every stream and refuse new ones. */
	close(): void {
		this.#closed = true;
		for (const sub of [...this.#subs]) this.#drop(sub, true);
	}

	async #first(sub: Subscriber, since: number | undefined): Promise<void> {
		const current = await this.#o.current();
		if (since === current) {
			sub.seq = current; // nothing new: the next change sends a delta
			this.#send(sub, HEARTBEAT);
			return;
		}
		const doc = await this.#o.build(since);
		if (!this.#subs.has(sub)) return;
		// a change broadcast meanwhile may have sent a newer state already
		if (sub.seq !== undefined && sub.seq >= doc.seq) return;
		sub.seq = doc.seq;
		this.#send(sub, event(doc));
		this.changed();
	}

	async #broadcast(): Promise<void> {
		const current = await this.#o.current();
		const byCursor = new Map<number, Subscriber[]>();
		for (const sub of this.#subs) {
			if (sub.seq === undefined || sub.seq >= current) continue;
			const list = byCursor.get(sub.seq) ?? [];
			list.push(sub);
			byCursor.set(sub.seq, list);
		}
		for (const [since, subs] of byCursor) {
			const doc = await this.#o.build(since);
			const bytes = event(doc);
			for (const sub of subs) {
				if (!this.#subs.has(sub) || sub.seq !== since) continue;
				sub.seq = doc.seq;
				this.#send(sub, bytes);
			}
		}
	}

	#send(sub: Subscriber, bytes: Uint8Array): void {
		const queued = sub.controller.desiredSize;
		if (queued !== null && queued <= 0) {
			this.#drop(sub, true); // a reader this slow reconnects with Last-Event-ID
			return;
		}
		try {
			sub.controller.enqueue(bytes);
		} catch {
			this.#drop(sub, false);
		}
	}

	#drop(sub: Subscriber, end: boolean): void {
		if (!this.#subs.delete(sub)) return;
		if (end) {
			try {
				sub.controller.close();
			} catch {}
		}
		if (this.#subs.size === 0) this.#stopTimers();
	}

	#fail(e: unknown): void {
		this.#o.onError(e instanceof Error ? e : new Error(String(e)));
		// the state cannot be read: end the streams, the clients poll (and see the failure)
		for (const sub of [...this.#subs]) this.#drop(sub, true);
	}

	#timers(): void {
		if (this.#heartbeat === undefined) {
			this.#heartbeat = setInterval(() => {
				for (const sub of [...this.#subs]) if (sub.seq !== undefined) this.#send(sub, HEARTBEAT);
			}, this.#o.heartbeatMs);
			(this.#heartbeat as { unref?: () => void }).unref?.();
		}
		if (this.#sync === undefined && this.#o.syncMs !== undefined) {
			this.#sync = setInterval(() => this.changed(), this.#o.syncMs);
			(this.#sync as { unref?: () => void }).unref?.();
		}
	}

	#stopTimers(): void {
		if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
		if (this.#sync !== undefined) clearInterval(this.#sync);
		this.#heartbeat = undefined;
		this.#sync = undefined;
	}
}
