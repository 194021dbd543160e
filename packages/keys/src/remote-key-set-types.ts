/**
 * The shapes a {@link RemoteKeySet} reports: its snapshot, its state, its counters and its
 * health.
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

import type { RemoteKeySet } from "./remote-key-set";
import type { PublicJwks } from "./types";

/** A serialisable copy of an installed key set: see {@link RemoteKeySet.snapshot}. */
export interface KeySetSnapshot {
	/** The public keys. */
	jwks: PublicJwks;
	/** When they were fetched, in ms since the epoch. */
	fetchedAt: number;
	/** Their freshness, in ms. */
	freshMs: number;
	/** The response's ETag, for the next conditional request. */
	etag?: string;
	/** The response's Last-Modified. */
	lastModified?: string;
}

/** The state of a remote key set: see {@link RemoteKeySet.stats}. */
export type KeySetState = "empty" | "fresh" | "stale" | "expired";

/** Counters and timestamps of a {@link RemoteKeySet} (timestamps in ms since the epoch). */
export interface RemoteKeySetStats {
	/** `empty` (never loaded), `fresh`, `stale` (serving past expiry) or `expired` (past maxStale). */
	state: KeySetState;
	/** HTTP requests sent (every attempt and redirect hop). */
	requests: number;
	/** Refreshes started (each may use several requests). */
	refreshes: number;
	/** 304 answers. */
	notModified: number;
	/** Refreshes that failed. */
	failures: number;
	/** Consecutive failed refreshes (0 after a success). */
	consecutiveFailures: number;
	/** Keys rejected while reading JWKS documents. */
	rejectedKeys: number;
	/** Lookups of a kid the set did not have. */
	unknownKidLookups: number;
	/** Usable keys in the current set. */
	keys: number;
	/** Last successful refresh. */
	lastSuccessAt: number | undefined;
	/** Last refresh attempt (the cooldown is measured from it). */
	lastAttemptAt: number | undefined;
	/** When the next background refresh is due. */
	nextRefreshAt: number | undefined;
	/** When the current set stops being fresh. */
	expiresAt: number | undefined;
	/** Whether a fetch is in flight. */
	inFlight: boolean;
	/** Kids held in the unknown-kid memo (at most `maxUnknownKids`). */
	unknownKids: number;
	/** Code of the last failure, if any. */
	lastErrorCode: string | undefined;
}

/** Readiness for probes: see {@link RemoteKeySet.health}. */
export interface KeySetHealth {
	/** `ok` (fresh), `degraded` (stale but serving) or `unavailable` (empty or expired: answer 503). */
	status: "ok" | "degraded" | "unavailable";
	/** The detailed state. */
	state: KeySetState;
}
