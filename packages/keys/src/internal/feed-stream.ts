// The revocation feed's Server-Sent Events stream: opened with the feed's fetch rules (the
// same fetch, dispatcher and headers; a timeout to the headers; no redirect), read with a cap
// on each event's size and an idle timeout, each `feed` event handed over in order.
import {
	KeysContentTypeError,
	KeysFeedInvalidError,
	KeysHttpStatusError,
	KeysRedirectError,
	KeysResponseTooLargeError,
} from "../errors";
import { classify, type FetchLike } from "./http";

/** How the stream is opened and read. */
export interface FeedStreamOptions {
	fetch: FetchLike;
	dispatcher: object | undefined;
	headers: Record<string, string>;
	/** Time to the response headers, in ms. */
	timeoutMs: number;
	/** Time without a byte (event or heartbeat) before the stream counts as down, in ms. */
	idleMs: number;
	/** Largest event accepted, in bytes. */
	maxEventBytes: number;
	signal: AbortSignal;
}

/** What the stream reports. */
export interface FeedStreamHandlers {
	/** The stream is open (200, `text/event-stream`). */
	onOpen(): void;
	/** A `feed` event's data (a compact JWS); a rejection ends the stream with that error. */
	onFeed(data: string): Promise<void>;
	/** A comment (the publisher's heartbeat): the publisher is alive and has nothing new. */
	onAlive(): void;
}

/**
 * Read the stream until it ends. Resolves when the server ends it (or `signal` aborts);
 * rejects with the typed error that ended it: `KeysHttpStatusError`, `KeysContentTypeError`,
 * `KeysRedirectError`, `KeysFetchTimeoutError` (headers or idle), `KeysNetworkError`,
 * `KeysResponseTooLargeError` (an event over `maxEventBytes`), `KeysFeedInvalidError` (not
 * UTF-8), or what `onFeed` threw.
 */
export async function readFeedStream(
	url: URL,
	lastEventId: number | undefined,
	o: FeedStreamOptions,
	h: FeedStreamHandlers,
): Promise<void> {
	const ac = new AbortController();
	let timedOut = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const arm = (ms: number): void => {
		if (timer !== undefined) clearTimeout(timer);
		timer = setTimeout(() => {
			timedOut = true;
			ac.abort();
		}, ms);
	};
	const onOuter = (): void => ac.abort();
	if (o.signal.aborted) return;
	o.signal.addEventListener("abort", onOuter);
	arm(o.timeoutMs);
	let waitedMs = o.timeoutMs;
	try {
		const headers: Record<string, string> = {
			...o.headers,
			accept: "text/event-stream",
			"cache-control": "no-store",
		};
		if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
		const init: RequestInit & { dispatcher?: unknown } = {
			method: "GET",
			redirect: "manual",
			headers,
			signal: ac.signal,
		};
		if (o.dispatcher !== undefined) init.dispatcher = o.dispatcher;
		let res: Response;
		try {
			res = await o.fetch(url.href, init);
		} catch (e) {
			if (o.signal.aborted) return;
			throw classify(e, timedOut, waitedMs);
		}
		if (res.status !== 200) {
			res.body?.cancel().catch(() => {});
			if (res.status >= 300 && res.status < 400)
				throw new KeysRedirectError("the revocation event stream follows no redirect");
			throw new KeysHttpStatusError(res.status);
		}
		const type = (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
		if (type !== "text/event-stream" || res.body === null) {
			res.body?.cancel().catch(() => {});
			throw new KeysContentTypeError(type ?? "");
		}
		h.onOpen();
		arm(o.idleMs);
		waitedMs = o.idleMs;
		const reader = res.body.getReader();
		const decoder = new TextDecoder("utf-8", { fatal: true });
		let buffer = "";
		let data: string[] = [];
		let kind = "message";
		/** Characters of the event being read (data lines kept, and the line not yet ended). */
		let pending = 0;
		for (;;) {
			let chunk: ReadableStreamReadResult<Uint8Array>;
			try {
				chunk = await reader.read();
			} catch (e) {
				if (o.signal.aborted) return;
				throw classify(e, timedOut, waitedMs);
			}
			if (chunk.done) return;
			arm(o.idleMs);
			let text: string;
			try {
				text = decoder.decode(chunk.value, { stream: true });
			} catch (e) {
				reader.cancel().catch(() => {});
				throw new KeysFeedInvalidError("revocation event stream is not UTF-8", { cause: e });
			}
			buffer += text;
			for (;;) {
				const m = /\r\n|\r|\n/.exec(buffer);
				// a lone \r at the end may be the first half of \r\n: wait for more
				if (m === null || (m[0] === "\r" && m.index === buffer.length - 1)) break;
				const line = buffer.slice(0, m.index);
				buffer = buffer.slice(m.index + m[0].length);
				if (line === "") {
					if (data.length > 0 && kind === "feed") {
						try {
							await h.onFeed(data.join("\n"));
						} catch (e) {
							reader.cancel().catch(() => {});
							throw e;
						}
					}
					data = [];
					kind = "message";
					pending = 0;
					continue;
				}
				if (line.startsWith(":")) {
					h.onAlive();
					continue;
				}
				const colon = line.indexOf(":");
				const field = colon === -1 ? line : line.slice(0, colon);
				const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
				if (field === "data") {
					data.push(value);
					pending += value.length + 1;
				} else if (field === "event") kind = value;
			}
			// UTF-16 units: at most the bytes they came from
			if (pending + buffer.length > o.maxEventBytes) {
				reader.cancel().catch(() => {});
				throw new KeysResponseTooLargeError(o.maxEventBytes);
			}
		}
	} finally {
		if (timer !== undefined) clearTimeout(timer);
		o.signal.removeEventListener("abort", onOuter);
	}
}
