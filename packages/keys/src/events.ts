/**
 * Typed events of a {@link RemoteKeySet} for logging and alerting. Subscribe with
 * `keys.on(type, listener)`, which returns a function that unsubscribes. Kids in events are
 * truncated to 16 characters; URLs and keys never appear.
 *
 * Import the types from `@xshl/keys`.
 *
 * @module
 */

import type { KeysError } from "./errors";
import type { RejectedKey } from "./types";

/** Payloads of every event, by type. */
export interface KeySetEvents {
	/** A refresh succeeded (`status` 200) or was confirmed unchanged (`status` 304). */
	refresh: {
		/** Wall time of the refresh including retries, in ms. */
		durationMs: number;
		/** When the refresh started (`Date.now()`, ms): a trace span runs from here for `durationMs`. */
		startedAt: number;
		/** 200 or 304. */
		status: 200 | 304;
		/** True on 304. */
		notModified: boolean;
		/** Kids that appeared (truncated). */
		added: string[];
		/** Kids that disappeared (truncated). */
		removed: string[];
		/** The response's ETag, if any. */
		etag: string | undefined;
		/** Usable keys now installed. */
		keys: number;
		/** Freshness granted by the response, in ms (after clamping). */
		freshMs: number;
	};
	/** A fetch attempt failed. `retryInMs` is the delay before the next attempt. */
	refreshError: {
		/** 1-based attempt number within this refresh. */
		attempt: number;
		/** The typed failure (`ERR_KEYS_FETCH_TIMEOUT`, `ERR_KEYS_HTTP_STATUS`, ...). */
		error: KeysError;
		/** Delay before the next attempt (a retry, or the next background refresh), in ms. */
		retryInMs: number;
		/** Whether this was the last attempt of the refresh. */
		final: boolean;
		/** Wall time of the refresh so far (its attempts and retry delays), in ms. */
		durationMs: number;
		/** When the refresh started (`Date.now()`, ms). */
		startedAt: number;
	};
	/** The set is past its freshness and still serving (at most once per minute). */
	stale: {
		/** Time since the set expired, in ms. */
		ageMs: number;
		/** The configured maximum staleness, in ms. */
		maxStaleMs: number;
	};
	/** The set is past `maxStaleMs`; lookups throw `ERR_KEYS_UNAVAILABLE`. */
	expired: {
		/** Time since the set expired, in ms. */
		ageMs: number;
	};
	/** A lookup asked for a kid the set does not have. */
	unknownKid: {
		/** The kid, truncated to 16 characters. */
		kid: string;
		/** Whether this lookup caused (or joined) a fetch. */
		fetched: boolean;
		/** Time left in the cooldown window, in ms. */
		cooldownLeftMs: number;
	};
	/** A key of a fetched JWKS was dropped (or reported as a duplicate kid). */
	keyRejected: RejectedKey;
	/** Something odd that is not an error: a response without content type, or a load over plain http allowed by `allowInsecureHttp`. */
	warning: {
		/** `no-content-type` or `insecure-http`. */
		code: "no-content-type" | "insecure-http";
		/** What happened. */
		message: string;
	};
}

/** Every event type. */
export type KeySetEventType = keyof KeySetEvents;

/** A listener for one event type. */
export type KeySetListener<K extends KeySetEventType> = (event: KeySetEvents[K]) => void;
