/**
 * Key-set and key-ring events as log lines: one stable message per event type (alerts match
 * on the message), the level by how much an operator should care. Payloads carry kids,
 * times and error codes, never keys, tokens or URLs with credentials.
 */
import type { FastifyBaseLogger } from "fastify";

/** One event of a `RemoteKeySet` (`source: "keySet"`) or a `KeyRing` (`source: "ring"`). */
export interface KeyEvent {
	source: "keySet" | "ring";
	type: string;
	[field: string]: unknown;
}

type Level = "debug" | "info" | "warn" | "error";

/**
 * Holds events until the app sets `handler` (the key set loads before the app and its logger
 * exist), then forwards them as they come. At most 100 are held.
 */
export class EventRelay<E> {
	#handler: ((event: E) => void) | undefined;
	readonly #held: E[] = [];

	/** The listener; setting it delivers the events held so far, in order. */
	get handler(): ((event: E) => void) | undefined {
		return this.#handler;
	}
	set handler(handler: ((event: E) => void) | undefined) {
		this.#handler = handler;
		if (handler) for (const event of this.#held.splice(0)) handler(event);
	}

	/** Deliver now, or hold until a handler is set. */
	emit(event: E): void {
		if (this.#handler) this.#handler(event);
		else if (this.#held.length < 100) this.#held.push(event);
	}
}

/** `source.type` → level and message. Unknown types log at info as `keys: <type>`. */
export const KEY_EVENT_LOGS: Readonly<Record<string, { level: Level; msg: string }>> = {
	"keySet.refresh": { level: "info", msg: "keys: JWKS refreshed" },
	"keySet.refreshError": { level: "warn", msg: "keys: JWKS refresh failed" },
	"keySet.stale": { level: "warn", msg: "keys: serving a stale JWKS" },
	"keySet.expired": { level: "error", msg: "keys: JWKS expired, verification unavailable" },
	"keySet.keyRejected": { level: "warn", msg: "keys: JWKS key rejected" },
	"keySet.unknownKid": { level: "info", msg: "keys: unknown kid" },
	"keySet.warning": { level: "warn", msg: "keys: JWKS warning" },
	"ring.rotate": { level: "info", msg: "keys: ring rotated" },
	"ring.withdraw": { level: "warn", msg: "keys: key withdrawn" },
	"ring.expire": { level: "info", msg: "keys: retired key left the JWKS" },
	"ring.evict": { level: "warn", msg: "keys: retired keys evicted (ring at capacity)" },
	"ring.capacityWarning": { level: "warn", msg: "keys: ring near its key cap" },
};

/**
 * An event with its `Error` fields as `{ type, code, message }` (pino writes a nested
 * `Error` as `{}`).
 *
 * @param event - an event payload.
 * @returns a JSON-safe copy.
 */
export function serializeEvent<T extends object>(event: T): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(event)) {
		out[k] =
			v instanceof Error
				? { type: v.name, code: (v as { code?: unknown }).code, message: v.message }
				: v;
	}
	return out;
}

/**
 * Log one key event.
 *
 * @param log - the app's logger.
 * @param event - the event with its source and type.
 */
export function logKeyEvent(log: FastifyBaseLogger, event: KeyEvent): void {
	const { level, msg } = KEY_EVENT_LOGS[`${event.source}.${event.type}`] ?? {
		level: "info",
		msg: `keys: ${event.type}`,
	};
	log[level]({ keyEvent: serializeEvent(event) }, msg);
}
