/**
 * Typed events of a {@link KeyRing}, for logs, metrics and alerts. Subscribe with
 * `ring.on(type, listener)`, which returns a function that unsubscribes. Payloads carry kids
 * (public thumbprints) and times, never keys.
 *
 * Import the types from `@xshl/keys/ring`.
 *
 * @module
 */

import type { KeyRing } from "./ring";
import type { RingKeyState } from "./ring-types";
import type { KeyUse } from "./types";

/** One use's switch in a {@link KeyRingEvents.rotate} event. */
export interface RingRotation {
	/** `sig` or `enc`. */
	use: KeyUse;
	/** The key that signs (or is encrypted to) from `at` on. */
	activeKid: string;
	/** The key it replaces, published until its grace ends. */
	retiredKid: string;
	/** The new next key, published now and active at the following rotation. */
	nextKid: string;
}

/** Payloads of every {@link KeyRing} event, by type. */
export interface KeyRingEvents {
	/** `rotate()` switched (or scheduled the switch of) the active keys. */
	rotate: {
		/** When the switch happens, in ms since the epoch (now, or `rotate({ at })`). */
		at: number;
		/** One entry per use that had an active key. */
		rotations: RingRotation[];
	};
	/** `withdraw(kid)` removed a key from the JWKS and from signing at once. */
	withdraw: {
		/** The withdrawn key. */
		kid: string;
		/** Its use. */
		use: KeyUse;
		/** What it was: `active`, `next` or `retired`. */
		state: RingKeyState;
		/** The key active for that use now (the promoted next key when the active one went). */
		activeKid: string | undefined;
	};
	/** A retired key's grace ended: it left the JWKS (reported on the first access after). */
	expire: {
		/** The key. */
		kid: string;
		/** Its use. */
		use: KeyUse;
		/** When it stopped being published, in ms since the epoch. */
		removeAt: number;
	};
	/** Retired keys dropped before their grace ended, oldest first, to stay within the cap. */
	evict: {
		/** The dropped keys. */
		kids: string[];
		/** The cap (`maxPublishedKeys`). */
		maxPublishedKeys: number;
	};
	/** The ring publishes 80 % or more of its cap after a change. */
	capacityWarning: {
		/** Keys published now. */
		keys: number;
		/** The cap (`maxPublishedKeys`). */
		maxPublishedKeys: number;
	};
}

/** Every {@link KeyRing} event type. */
export type KeyRingEventType = keyof KeyRingEvents;
