/**
 * `instrument()`: OpenTelemetry spans and metrics from the events xshl objects already emit
 * (`on(type, listener)`). Nothing is timed here: start times and durations come from the
 * events, which the packages measure only while somebody listens.
 *
 * Import from `@xshl/otel`.
 *
 * @module
 */
import { type MeterProvider, metrics, type TracerProvider, trace } from "@opentelemetry/api";
import { type ConfigIssue, OtelConfigError } from "./errors";
import { attachFeed } from "./internal/feed";
import { attachKeySet } from "./internal/keys";
import { attachRing } from "./internal/ring";
import { attachStore } from "./internal/store";
import { SCOPE, Telemetry } from "./internal/telemetry";
import { attachVerifier } from "./internal/verify";
import type { FeedLike, KeyRingLike, KeySetLike, StoreLike, VerifierLike } from "./sources";

/** The objects to observe; each is optional. */
export interface InstrumentParts {
	/** A session verifier (`createSessionVerifier` of `@xshl/session-core`): `xshl.verify` spans, verify metrics. */
	verifier?: VerifierLike;
	/** A `RemoteKeySet` (`@xshl/keys`): `xshl.keys.fetch` spans, fetch, stale and expiry metrics. */
	keySet?: KeySetLike;
	/** A `KeyRing` (`@xshl/keys/ring`): `xshl.ring.rotate` spans, rotation metrics. */
	ring?: KeyRingLike;
	/** A `MemoryStore` or `RedisStore` (`@xshl/session-store`): `xshl.store.<op>` spans, call and refresh metrics. */
	store?: StoreLike;
	/** A `RevocationFeedClient` (`@xshl/keys/revocations`): `xshl.feed.refresh` spans, feed refresh metrics. */
	feed?: FeedLike;
}

/** Where spans and metrics go. */
export interface InstrumentOptions {
	/**
	 * The tracer provider spans are made with.
	 * @default the global one (`trace.getTracerProvider()` of `@opentelemetry/api`; a no-op until an SDK registers)
	 */
	tracerProvider?: TracerProvider;
	/**
	 * The meter provider instruments are made with.
	 * @default the global one (`metrics.getMeterProvider()` of `@opentelemetry/api`)
	 */
	meterProvider?: MeterProvider;
}

const PARTS: readonly (keyof InstrumentParts)[] = ["verifier", "keySet", "ring", "store", "feed"];

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null;
}

function check(parts: unknown, options: unknown): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	if (!isObject(parts)) return [{ path: "", message: "parts must be an object" }];
	for (const key of Object.keys(parts)) {
		const part = parts[key];
		if (!PARTS.includes(key as keyof InstrumentParts)) {
			issues.push({ path: key, message: `unknown part; expected one of ${PARTS.join(", ")}` });
		} else if (part !== undefined && (!isObject(part) || typeof part.on !== "function")) {
			issues.push({ path: key, message: "expected an object with an on(type, listener) method" });
		}
	}
	if (options === undefined) return issues;
	if (!isObject(options)) return [...issues, { path: "options", message: "must be an object" }];
	const { tracerProvider: tp, meterProvider: mp } = options;
	if (tp !== undefined && (!isObject(tp) || typeof tp.getTracer !== "function")) {
		issues.push({
			path: "options.tracerProvider",
			message: "expected a TracerProvider (getTracer)",
		});
	}
	if (mp !== undefined && (!isObject(mp) || typeof mp.getMeter !== "function")) {
		issues.push({ path: "options.meterProvider", message: "expected a MeterProvider (getMeter)" });
	}
	return issues;
}

/**
 * Subscribes to the given objects' events and reports them as OpenTelemetry spans and
 * metrics. Spans take their start and end from the events (`startedAt`, `durationMs`) and are
 * children of the context active when the event fires. Attributes carry outcomes, error codes
 * (`error.type`), engines, operations and key ids, never tokens, `sub`, `sid` or trace values.
 * Durations are histograms in seconds (OTel semantic conventions).
 *
 * @param parts - the objects to observe: `verifier`, `keySet`, `ring`, `store`, `feed` (each optional).
 * @param options - `tracerProvider` and `meterProvider`; the global ones by default.
 * @returns a function that unsubscribes every listener (idempotent); the objects then read no clock for telemetry again.
 * @throws {OtelConfigError} `ERR_OTEL_CONFIG_INVALID` for an unknown part, a part without `on`, or a provider of the wrong shape.
 * @example
 * ```ts
 * import { instrument } from '@xshl/otel'
 * const detach = instrument({ verifier, keySet: keys, store }, { tracerProvider, meterProvider })
 * // on shutdown
 * detach()
 * ```
 */
export function instrument(parts: InstrumentParts, options?: InstrumentOptions): () => void {
	const issues = check(parts, options);
	if (issues.length > 0) throw new OtelConfigError(issues);
	const t = new Telemetry(
		(options?.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE),
		(options?.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE),
	);
	const offs: Array<() => void> = [];
	if (parts.verifier) offs.push(...attachVerifier(parts.verifier, t));
	if (parts.keySet) offs.push(...attachKeySet(parts.keySet, t));
	if (parts.ring) offs.push(...attachRing(parts.ring, t));
	if (parts.store) offs.push(...attachStore(parts.store, t));
	if (parts.feed) offs.push(...attachFeed(parts.feed, t));
	return () => {
		for (const off of offs.splice(0)) off();
	};
}
