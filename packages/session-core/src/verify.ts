/**
 * Standalone verification for resource servers that have no `Session`: token in, typed and
 * zod-parsed claims out, with every check a session applies.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */
import { sessionId, Trace } from "@xshl/trace";
import type * as z from "zod/v4/core";
import type { SessionClaims, SessionClaimsSchema } from "./claims";
import type { SessionKeySet } from "./config";
import { SessionConfigError } from "./errors";
import {
	checkHeader,
	checkTimes,
	checkTrace,
	checkVersionAndSid,
	parseClaims,
} from "./internal/claim-checks";
import { joseEngine, type VerifiedJws, type VerifyEngine } from "./internal/engine-jose";
import { detectNodeCrypto, type NodeCrypto, nodeEngine } from "./internal/engine-node";
import { checkRevoked, type RevocationSource } from "./internal/revocation-check";
import { deepFreeze, VerifiedTokenCache } from "./internal/verify-cache";
import { type SessionVerifierEvents, VerifyEvents } from "./internal/verify-events";
import { compileVerifyOptions } from "./internal/verify-options";

export type { RevocationClaims, RevocationSource } from "./internal/revocation-check";
export type { SessionVerifierEvents, VerifyEvent } from "./internal/verify-events";

/** A zod schema (classic or `zod/mini`, zod 4 or zod 3.25's `zod/v4`) whose output is at least the base {@link SessionClaims}. */
export type SessionClaimsSchemaLike = z.$ZodType<SessionClaims, unknown>;

/** Options of {@link verifySession} and {@link createSessionVerifier}. */
export interface VerifySessionOptions<S extends SessionClaimsSchemaLike = SessionClaimsSchema> {
	/** The key set the token must verify with. */
	keys: SessionKeySet;
	/** When given, the `trace` claim must equal `trace.get(jti)`, and `sid` must equal `sessionId(keys.name, trace)`. */
	trace?: Trace;
	/** Expected `sid`; defaults to `sessionId(keys.name, trace)` when `trace` is given, otherwise unchecked. */
	sid?: string;
	/**
	 * Expected `version`.
	 * @default 1
	 */
	version?: number;
	/** Audience allowlist: the token's `aud` (or one of its values) must be in it. Omit to skip. */
	audience?: readonly string[];
	/** Accepted issuer(s) (`iss`). Omit to accept any issuer the keys verify. */
	issuer?: string | readonly string[];
	/**
	 * Header `typ` values accepted (RFC 7515 comparison: any case, optional `application/`
	 * prefix). Only `"xshl-session+jwt"` (required in the list) and `"JWT"`, the `typ` the
	 * Python original's tokens carry (Authlib's default), are allowed; anything else is a
	 * config error.
	 *
	 * **Warning:** adding `"JWT"` loosens RFC 8725 explicit typing: any other JWT signed by the
	 * same keys with `typ: "JWT"` (an ID or access token, the inner JWT of a JWE) passes the
	 * type check and is refused only if its claims do not fit a session (required claims,
	 * `aud`, `version`, `sid`, `trace`). Enable it only while migrating from the Python
	 * original, then remove it.
	 * @default ["xshl-session+jwt"]
	 */
	acceptedTypes?: readonly ("xshl-session+jwt" | "JWT")[];
	/**
	 * Explicit JWS algorithms. Default: the `alg`s of the key set's signing keys (or every
	 * asymmetric algorithm before its first load). Never taken from the token; never `none`;
	 * HS* only together with `hmacSecret`.
	 */
	algorithms?: readonly string[];
	/**
	 * Clock leeway in milliseconds for `exp`, `nbf` and `iat`, 0 to 60000 (the claims are whole
	 * seconds; the comparison is jose's, with the leeway in seconds).
	 * @default 5000
	 */
	leewayMs?: number;
	/**
	 * Largest accepted token age (`now - iat`) in milliseconds, plus the leeway; at most
	 * 86400000 (24 h).
	 * @default 900000
	 */
	maxTokenAgeMs?: number;
	/**
	 * Largest accepted token, in bytes.
	 * @default 8192
	 */
	maxTokenBytes?: number;
	/**
	 * Require the `auth_time` claim.
	 * @default false
	 */
	requireAuthTime?: boolean;
	/**
	 * Clock in milliseconds since the epoch.
	 * @default Date.now
	 */
	now?: () => number;
	/** Claims schema; extend {@link sessionClaimsSchema}. The result type follows it. */
	schema?: S;
	/** HMAC secret for HS* tokens (single-service setups with `allowHmac`); HS* is refused without it. */
	hmacSecret?: Uint8Array | CryptoKey;
	/**
	 * Opt-in cache of verified tokens (off by default), keyed by the exact token string: a
	 * token seen again skips the signature and the claims parsing, while `exp`/`nbf`/`iat`
	 * (with the leeway and `maxTokenAgeMs`), `sid`, `trace` and the algorithm allowlist are still
	 * checked on every call. Trade-off: a key removed from the key set keeps verifying the
	 * tokens it signed that are already cached, until they expire (or `maxAgeMs` passes).
	 * Cached claims are shared between calls and deep-frozen (plain objects and arrays). Only with
	 * {@link createSessionVerifier} or a reused options object.
	 * @default undefined (no cache)
	 */
	cache?: VerifyCacheOptions;
	/**
	 * The signature engine. `"auto"`: on runtimes with `node:crypto` (Node, Bun, Deno; found
	 * through `process.getBuiltinModule`, nothing is imported elsewhere) a synchronous
	 * `crypto.verify` after jose's exact checks, in jose's order and with its errors (proven
	 * against jose by the differential tests); jose (WebCrypto) on every other runtime.
	 * `"jose"`: always jose.
	 * @default "auto"
	 */
	engine?: "auto" | "jose";
	/**
	 * A revocation source asked synchronously after the signature and the claims, and on every
	 * hit of the verified-token cache: when `isRevoked({ sid, jti, sub, iat })` returns true (or
	 * throws) the token is refused with `SessionRevokedError` (`ERR_SESSION_REVOKED`, 401).
	 * Structural, so any source works; `RevocationFeedClient` of `@xshl/keys/revocations`
	 * follows the issuer's signed feed with no store call per request.
	 * @default undefined (no revocation check)
	 * @example `createSessionVerifier({ keys, revocations: feed })`
	 */
	revocations?: RevocationSource;
}

/** Options of the opt-in verified-token cache ({@link VerifySessionOptions.cache}). */
export interface VerifyCacheOptions {
	/** Most tokens kept; the least recently used goes first. 1 to 100000. */
	maxEntries: number;
	/**
	 * Longest reuse of one verification, in milliseconds, at most 86400000 (bounds how long a
	 * removed key keeps working for cached tokens). An entry never outlives the token's `exp`.
	 * @default undefined (until `exp`)
	 */
	maxAgeMs?: number;
}

/** A verified token: its claims and its protected header (see {@link SessionVerifier.verifyWithHeader}). */
export interface VerifiedSession<T> {
	/** The claims, parsed by the schema. */
	readonly claims: T;
	/** The JWS protected header as jose decoded it (`alg`, `kid`, `typ`, ...). */
	readonly protectedHeader: Readonly<Record<string, unknown>> & { readonly alg: string };
}

/** Per-call options of {@link SessionVerifier.verify} and {@link SessionVerifier.verifyWithHeader}. */
export interface VerifyCallOptions {
	/**
	 * This request's client trace: replaces the verifier's `trace` for this call, and, unless
	 * the verifier was given an explicit `sid`, the expected `sid` becomes
	 * `sessionId(keys.name, trace)` (memoized per trace text). One compiled verifier then serves
	 * every client; cached tokens are checked against this trace too.
	 */
	trace?: Trace;
}

/** A compiled verifier: options checked once, then `verify(token)` per request. */
export interface SessionVerifier<T> {
	/**
	 * Verifies a token and returns its parsed claims.
	 *
	 * @param token - a compact JWS.
	 * @param call - per-call options: this request's `trace` (see {@link VerifyCallOptions}).
	 * @returns the claims, parsed by the schema.
	 * @throws {SessionTokenError} a subclass with a stable code for every rejection, e.g.
	 *   `ERR_SESSION_TRACE_MISMATCH` or `ERR_SESSION_SID_MISMATCH` for another client's token.
	 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` when `call.trace` is not a `Trace`.
	 *
	 * @example
	 * ```ts
	 * const verifier = createSessionVerifier({ keys, audience: ['service-api'] })
	 * const claims = await verifier.verify(token, { trace: new Trace(userAgent, salt) })
	 * ```
	 */
	verify(token: string, call?: VerifyCallOptions): Promise<T>;
	/**
	 * Like {@link SessionVerifier.verify}, and also returns the protected header already
	 * decoded (no second decoding by the caller).
	 *
	 * @param token - a compact JWS.
	 * @param call - per-call options: this request's `trace`.
	 * @returns the claims and the protected header.
	 * @throws {SessionTokenError} a subclass with a stable code for every rejection.
	 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` when `call.trace` is not a `Trace`.
	 */
	verifyWithHeader(token: string, call?: VerifyCallOptions): Promise<VerifiedSession<T>>;
	/** The expected `sid` without a per-call trace, or `undefined` when it is not checked. */
	readonly sid: string | undefined;
	/**
	 * The engine that checks signatures: `"node"` (synchronous `node:crypto`, on runtimes that
	 * have it) or `"jose"` (WebCrypto through jose; everywhere else, or with `engine: "jose"`).
	 */
	readonly engine: "jose" | "node";
	/**
	 * Subscribe to an event: `"verify"`, one per call, with outcome, code, engine, cache hit and
	 * duration (for telemetry; `@xshl/otel` turns them into spans and metrics). While nobody
	 * listens a call reads no clock and builds no event. A listener that throws never breaks
	 * the call.
	 *
	 * @returns a function that unsubscribes.
	 * @example
	 * ```ts
	 * const off = verifier.on('verify', (e) => log.debug(e.outcome, e.code, e.durationMs))
	 * ```
	 */
	on<K extends keyof SessionVerifierEvents>(
		type: K,
		listener: (event: SessionVerifierEvents[K]) => void,
	): () => void;
}

/**
 * Compiles verify options once (zod-validated) into a verifier for the hot path.
 *
 * @param options - see {@link VerifySessionOptions}.
 * @returns a {@link SessionVerifier}.
 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` for invalid options (e.g. `alg: none` in `algorithms`).
 *
 * @example
 * ```ts
 * import { createSessionVerifier } from '@xshl/session-core'
 * const verifier = createSessionVerifier({ keys, audience: ['service-api'] })
 * const claims = await verifier.verify(token)
 * ```
 */
export function createSessionVerifier<S extends SessionClaimsSchemaLike = SessionClaimsSchema>(
	options: VerifySessionOptions<S>,
): SessionVerifier<z.output<S>> {
	const o = compileVerifyOptions(options);
	const engine = createEngine(o);
	const { version, schema, acceptedTyps, typeList, leeway, maxTokenAge, clockMs } = o;
	const sid = o.sid;
	const cache =
		o.cache === undefined
			? undefined
			: new VerifiedTokenCache<VerifiedSession<unknown>>(o.cache.maxEntries, o.cache.maxAgeMs);

	/** The trace and `sid` a call checks: the verifier's, or the call's trace with its sid. */
	interface Binding {
		readonly trace: Trace | undefined;
		readonly sid: string | undefined;
	}
	const fixed: Binding = { trace: o.trace, sid };
	const events = new VerifyEvents();
	// bindings of per-call traces, by trace text (a server builds a fresh Trace per request):
	// the sid derived once, and the first Trace of that text kept, so its memo of the last
	// jti's trace value serves the next request of the same client (a Trace's values depend on
	// its text alone; only plain `Trace` instances are kept, a subclass is used as given)
	const bindings = new Map<string, { readonly sid: string; plain: Binding | undefined }>();
	function binding(call: VerifyCallOptions | undefined): Binding {
		const trace = call?.trace;
		if (trace === undefined) return fixed;
		if (trace === null || typeof trace !== "object" || typeof trace.validate !== "function") {
			throw new SessionConfigError("invalid verify call: trace must be a Trace from @xshl/trace", [
				{ path: "trace", message: "expected a Trace from @xshl/trace" },
			]);
		}
		if (o.fixedSid !== undefined) return { trace, sid: o.fixedSid };
		const text = String(trace);
		let known = bindings.get(text);
		if (known === undefined) {
			known = { sid: sessionId(o.keys.name, trace), plain: undefined };
			if (bindings.size >= 1024) bindings.delete(bindings.keys().next().value as string);
			bindings.set(text, known);
		}
		if (Object.getPrototypeOf(trace) !== Trace.prototype) return { trace, sid: known.sid };
		if (known.plain === undefined) known.plain = { trace, sid: known.sid };
		return known.plain;
	}

	function checkBound(result: VerifiedJws, b: Binding): z.output<S> {
		checkHeader(result.protectedHeader, acceptedTyps, typeList);
		checkVersionAndSid(result.payload, version, b.sid);
		const claims = parseClaims(schema, result.payload);
		checkTrace(claims, b.trace);
		checkRevoked(claims as Record<string, unknown>, o.revocations);
		return claims as z.output<S>;
	}
	const check = (result: VerifiedJws): z.output<S> => checkBound(result, fixed);
	// the checks run in the engine's own job where it can (one promise hop fewer per call)
	const verifyThen: <R>(token: string, next: (result: VerifiedJws) => R) => Promise<R> =
		engine.verifyThen ?? ((token, next) => engine.verify(token).then(next));
	const checkWithHeader = (result: VerifiedJws): VerifiedSession<z.output<S>> => ({
		claims: checkBound(result, fixed),
		protectedHeader: result.protectedHeader,
	});

	function verify(token: string, call?: VerifyCallOptions): Promise<z.output<S>> {
		let b = fixed;
		if (call !== undefined) {
			try {
				b = binding(call);
			} catch (error) {
				return Promise.reject(error);
			}
		}
		if (cache !== undefined) return cached(token, false, b) as Promise<z.output<S>>;
		if (b === fixed) return verifyThen(token, check);
		return verifyThen(token, (result) => checkBound(result, b));
	}

	function verifyWithHeader(
		token: string,
		call?: VerifyCallOptions,
	): Promise<VerifiedSession<z.output<S>>> {
		let b = fixed;
		if (call !== undefined) {
			try {
				b = binding(call);
			} catch (error) {
				return Promise.reject(error);
			}
		}
		if (cache !== undefined) {
			return cached(token, true, b) as Promise<VerifiedSession<z.output<S>>>;
		}
		if (b === fixed) return verifyThen(token, checkWithHeader);
		return verifyThen(token, (result) => ({
			claims: checkBound(result, b),
			protectedHeader: result.protectedHeader,
		}));
	}

	function cached(token: string, withHeader: boolean, b: Binding): Promise<unknown> {
		const c = cache as VerifiedTokenCache<VerifiedSession<unknown>>;
		const ms = clockMs();
		const entry = c.get(token, ms);
		if (entry !== undefined) {
			if (engine.algorithms().includes(entry.alg)) {
				events.hit = true;
				const claims = entry.value.claims as Record<string, unknown>;
				try {
					// the per-call checks of a cached token: the times (a failure evicts it) ...
					checkTimes(claims, entry, Math.floor(ms / 1000), leeway, maxTokenAge);
					checkRevoked(claims, o.revocations);
				} catch (error) {
					c.delete(token);
					return Promise.reject(error);
				}
				try {
					// ... then version, sid and trace of this call (another client's failure keeps it)
					checkVersionAndSid(claims, version, b.sid);
					checkTrace(claims, b.trace);
				} catch (error) {
					return Promise.reject(error);
				}
				return Promise.resolve(withHeader ? entry.value : entry.value.claims);
			}
			c.delete(token);
		}
		return verifyThen(token, (result) => {
			const complete = deepFreeze({
				claims: checkBound(result, b),
				protectedHeader: result.protectedHeader,
			});
			const p = result.payload as { exp: number; nbf: number; iat: number };
			c.remember(token, complete, result.protectedHeader.alg, p, clockMs());
			return withHeader ? complete : complete.claims;
		});
	}

	const name = engine.name as "jose" | "node";
	return {
		verify: events.wrap(name, verify),
		verifyWithHeader: events.wrap(name, verifyWithHeader),
		sid,
		engine: name,
		on: (type, listener) => events.on(type, listener),
	};
}

let nodeCrypto: NodeCrypto | undefined | null = null;

function createEngine(o: ReturnType<typeof compileVerifyOptions>): VerifyEngine {
	const jose = joseEngine(o);
	if (o.engine === "jose") return jose;
	if (nodeCrypto === null) nodeCrypto = detectNodeCrypto();
	if (nodeCrypto === undefined) return jose;
	return nodeEngine(o, nodeCrypto, jose.verifyWithKey);
}

const compiled = new WeakMap<object, SessionVerifier<unknown>>();

/**
 * Verifies a session token and returns its claims, typed and parsed by zod: size and
 * compact-format checks, signature with an explicit algorithm list, `typ`
 * `xshl-session+jwt` (or one of `acceptedTypes`), required claims `iss aud exp nbf iat jti sid version trace`,
 * `exp`/`nbf`/`iat` with leeway and a maximum age, safe-integer NumericDates, `version`,
 * `sid` and `trace` when a trace is given, audience and issuer allowlists when given.
 * Options objects are compiled once and cached (reuse the same object, or use
 * {@link createSessionVerifier}).
 *
 * @param token - a compact JWS.
 * @param options - see {@link VerifySessionOptions}.
 * @returns the parsed claims; with a custom `schema`, its output type.
 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` for invalid options.
 * @throws {SessionTokenError} e.g. `ERR_SESSION_EXPIRED`, `ERR_SESSION_SIGNATURE_INVALID`,
 *   `ERR_SESSION_KEY_UNKNOWN`, `ERR_SESSION_KEYS_UNAVAILABLE` (503), `ERR_SESSION_TRACE_MISMATCH`.
 *
 * @example
 * ```ts
 * import { verifySession } from '@xshl/session-core'
 * import { Trace } from '@xshl/trace'
 * const claims = await verifySession(token, { keys, trace: new Trace(userAgent, salt), audience: ['service-api'] })
 * claims.sub
 * ```
 */
export function verifySession<S extends SessionClaimsSchemaLike = SessionClaimsSchema>(
	token: string,
	options: VerifySessionOptions<S>,
): Promise<z.output<S>> {
	let verifier = compiled.get(options) as SessionVerifier<z.output<S>> | undefined;
	if (verifier === undefined) {
		try {
			verifier = createSessionVerifier(options);
		} catch (error) {
			return Promise.reject(error);
		}
		compiled.set(options, verifier);
	}
	return verifier.verify(token);
}
