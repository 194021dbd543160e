/**
 * Standalone verification for resource servers that have no `Session`: token in, typed and
 * zod-parsed claims out, with every check a session applies.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */
import type { Trace } from "@xshl/trace";
import { sessionId } from "@xshl/trace";
import { errors, type JWTVerifyOptions, type JWTVerifyResult, jwtVerify } from "jose";
import * as z from "zod";
import { type SessionClaims, type SessionClaimsSchema, sessionClaimsSchema } from "./claims";
import type { SessionKeySet } from "./config";
import {
	DEFAULT_LEEWAY,
	DEFAULT_MAX_TOKEN_BYTES,
	DEFAULT_SESSION_VERSION,
	HMAC_ALGORITHMS,
	MAX_SESSION_EXPIRES,
	SESSION_TOKEN_TYPE,
	SIGNING_ALGORITHMS,
} from "./constants";
import {
	SessionClaimInvalidError,
	SessionClaimMissingError,
	SessionHeaderUnsupportedError,
	SessionSidMismatchError,
	SessionTraceMismatchError,
	SessionTypeInvalidError,
	SessionVersionMismatchError,
} from "./errors";
import { checkCompact } from "./internal/compact";
import { joseError, keySetError } from "./internal/errors-map";
import { acceptedTypesSchema, normalizeTyp } from "./internal/typ";
import { configError } from "./internal/zod";

/** A zod schema whose output is at least the base {@link SessionClaims}. */
export type SessionClaimsSchemaLike = z.ZodType<SessionClaims, unknown>;

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
	 * Clock leeway in seconds for `exp`, `nbf` and `iat`.
	 * @default 5
	 */
	leeway?: number;
	/**
	 * Largest accepted token age (`now - iat`) in seconds, plus the leeway.
	 * @default 900
	 */
	maxTokenAge?: number;
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
	 * (with leeway and `maxTokenAge`), `sid`, `trace` and the algorithm allowlist are still
	 * checked on every call. Trade-off: a key removed from the key set keeps verifying the
	 * tokens it signed that are already cached, until they expire (or `maxAge` passes).
	 * Cached claims are shared between calls and deep-frozen (plain objects and arrays). Only with
	 * {@link createSessionVerifier} or a reused options object.
	 * @default undefined (no cache)
	 */
	cache?: VerifyCacheOptions;
}

/** Options of the opt-in verified-token cache ({@link VerifySessionOptions.cache}). */
export interface VerifyCacheOptions {
	/** Most tokens kept; the least recently used goes first. 1 to 100000. */
	maxEntries: number;
	/**
	 * Longest reuse of one verification, in seconds (bounds how long a removed key keeps
	 * working for cached tokens). An entry never outlives the token's `exp`.
	 * @default undefined (until `exp`)
	 */
	maxAge?: number;
}

/** A verified token: its claims and its protected header (see {@link SessionVerifier.verifyWithHeader}). */
export interface VerifiedSession<T> {
	/** The claims, parsed by the schema. */
	readonly claims: T;
	/** The JWS protected header as jose decoded it (`alg`, `kid`, `typ`, ...). */
	readonly protectedHeader: Readonly<Record<string, unknown>> & { readonly alg: string };
}

/** A compiled verifier: options checked once, then `verify(token)` per request. */
export interface SessionVerifier<T> {
	/**
	 * Verifies a token and returns its parsed claims.
	 *
	 * @param token - a compact JWS.
	 * @returns the claims, parsed by the schema.
	 * @throws {SessionTokenError} a subclass with a stable code for every rejection.
	 */
	verify(token: string): Promise<T>;
	/**
	 * Like {@link SessionVerifier.verify}, and also returns the protected header jose already
	 * decoded (no second decoding by the caller).
	 *
	 * @param token - a compact JWS.
	 * @returns the claims and the protected header.
	 * @throws {SessionTokenError} a subclass with a stable code for every rejection.
	 */
	verifyWithHeader(token: string): Promise<VerifiedSession<T>>;
	/** The expected `sid`, or `undefined` when it is not checked. */
	readonly sid: string | undefined;
}

const FORBIDDEN_HEADER = new Set([
	"crit",
	"b64",
	"jku",
	"jwk",
	"x5u",
	"x5c",
	"x5t",
	"x5t#S256",
	"cty",
	"zip",
	"enc",
]);
const REQUIRED = ["iss", "aud", "exp", "nbf", "iat", "jti", "sid", "version", "trace"];
const ASYMMETRIC: readonly string[] = SIGNING_ALGORITHMS;
const ALLOWED = new Set<string>([...SIGNING_ALGORITHMS, ...HMAC_ALGORITHMS]);

const optionsSchema = z.object({
	keys: z.custom<SessionKeySet>(
		(v) =>
			v !== null &&
			typeof v === "object" &&
			typeof (v as SessionKeySet).name === "string" &&
			(v as SessionKeySet).name.length > 0 &&
			typeof (v as SessionKeySet).resolver === "function" &&
			typeof (v as SessionKeySet).algorithms === "function",
		{ message: "expected a key set with a non-empty name, resolver and algorithms()" },
	),
	trace: z
		.custom<Trace>(
			(v) => v !== null && typeof v === "object" && typeof (v as Trace).validate === "function",
			{
				message: "expected a Trace from @xshl/trace",
			},
		)
		.optional(),
	sid: z.string().min(1).optional(),
	version: z.int().default(DEFAULT_SESSION_VERSION),
	audience: z.array(z.string().min(1)).min(1).optional(),
	issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
	acceptedTypes: acceptedTypesSchema.optional(),
	algorithms: z
		.array(
			z.string().refine((alg) => ALLOWED.has(alg), { message: "not an allowed JWS algorithm" }),
		)
		.min(1)
		.optional(),
	leeway: z.int().min(0).max(60).default(DEFAULT_LEEWAY),
	maxTokenAge: z.int().positive().max(86400).default(MAX_SESSION_EXPIRES),
	maxTokenBytes: z
		.int()
		.positive()
		.max(1024 * 1024)
		.default(DEFAULT_MAX_TOKEN_BYTES),
	requireAuthTime: z.boolean().default(false),
	now: z
		.custom<() => number>((v) => typeof v === "function", { message: "now must be a function" })
		.optional(),
	schema: z
		.custom<SessionClaimsSchemaLike>(
			(v) =>
				v !== null && typeof v === "object" && typeof (v as z.ZodType).safeParse === "function",
			{ message: "expected a zod schema" },
		)
		.optional(),
	hmacSecret: z
		.custom<Uint8Array | CryptoKey>(
			(v) =>
				(v instanceof Uint8Array && v.length >= 32) ||
				(typeof CryptoKey !== "undefined" && v instanceof CryptoKey && v.type === "secret"),
			{ message: "expected a secret of at least 32 bytes or a secret CryptoKey" },
		)
		.optional(),
	cache: z
		.strictObject({
			maxEntries: z.int().positive().max(100_000),
			maxAge: z.int().positive().max(86400).optional(),
		})
		.optional(),
});

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
	const parsed = optionsSchema.safeParse(options);
	if (!parsed.success) throw configError("verify options", parsed.error);
	const o = parsed.data;
	const keys = o.keys;
	const trace = o.trace;
	const schema = (o.schema ?? sessionClaimsSchema) as SessionClaimsSchemaLike;
	const expectedSid = o.sid ?? (trace === undefined ? undefined : sessionId(keys.name, trace));
	const version = o.version;
	const maxTokenBytes = o.maxTokenBytes;
	const now = o.now;
	const hmacSecret = o.hmacSecret;
	const fixedAlgorithms = o.algorithms?.filter(
		(alg) => ASYMMETRIC.includes(alg) || hmacSecret !== undefined,
	);
	if (o.algorithms !== undefined && fixedAlgorithms?.length !== o.algorithms.length) {
		throw configError(
			"verify options",
			new z.ZodError([
				{
					code: "custom",
					path: ["algorithms"],
					message: "HS* algorithms need hmacSecret",
					input: o.algorithms,
				},
			]),
		);
	}
	// one accepted typ (the default): jose checks it, as before; more (the opt-in Python
	// original's "JWT"): jose gets none and check() compares the header, normalized once here
	const types = o.acceptedTypes ?? [SESSION_TOKEN_TYPE];
	const acceptedTyps =
		types.length > 1 ? new Set(types.map((typ) => normalizeTyp(typ))) : undefined;
	const typeList = types.join(", ");
	const base: JWTVerifyOptions = {
		clockTolerance: o.leeway,
		maxTokenAge: o.maxTokenAge,
		requiredClaims: o.requireAuthTime ? [...REQUIRED, "auth_time"] : REQUIRED,
	};
	if (acceptedTyps === undefined) base.typ = SESSION_TOKEN_TYPE;
	if (o.audience !== undefined) base.audience = [...o.audience];
	if (o.issuer !== undefined) base.issuer = typeof o.issuer === "string" ? o.issuer : [...o.issuer];

	// The clock: with the default (`Date.now`) jose reads the time itself; a custom clock is
	// read through a getter when jose checks the claims, so one options object serves every
	// call (jose never mutates it) instead of a fresh object and Date per call.
	const clock = now === undefined || now === Date.now ? undefined : now;

	// jose options per algorithm list, rebuilt only when the key set's algorithms change
	// (compared by content: key sets may return a fresh array on every call)
	let lastRaw: readonly string[] | undefined;
	let lastOptions: JWTVerifyOptions = withAlgorithms(fixedAlgorithms ?? [...ASYMMETRIC]);
	function withAlgorithms(algorithms: string[]): JWTVerifyOptions {
		const o: JWTVerifyOptions = { ...base, algorithms };
		if (clock !== undefined) {
			Object.defineProperty(o, "currentDate", {
				enumerable: true,
				get: (): Date => new Date(clock()),
			});
		}
		return o;
	}
	function joseOptions(): JWTVerifyOptions {
		if (fixedAlgorithms !== undefined) return lastOptions;
		const raw = keys.algorithms("sig");
		if (raw !== lastRaw && (lastRaw === undefined || !sameList(raw, lastRaw))) {
			const derived = raw.filter((alg) => ASYMMETRIC.includes(alg));
			lastOptions = withAlgorithms(derived.length > 0 ? derived : [...ASYMMETRIC]);
		}
		lastRaw = raw;
		return lastOptions;
	}

	function rethrow(error: unknown): never {
		throw keySetError(error);
	}
	// one promise per lookup (no async wrapper): the resolver's own promise, with errors mapped;
	// the HMAC secret is returned as it is (jose awaits a plain value without a promise)
	function resolve(
		header: { kid?: string; alg?: string },
		token?: unknown,
	): Promise<CryptoKey | Uint8Array> | CryptoKey | Uint8Array {
		if (hmacSecret !== undefined && header.alg?.startsWith("HS")) return hmacSecret;
		try {
			return keys.resolver(header, token).then(undefined, rethrow);
		} catch (error) {
			return Promise.reject(keySetError(error));
		}
	}

	function onRejected(error: unknown): never {
		throw joseError(error);
	}

	// ---- the opt-in verified-token cache (see VerifyCacheOptions) ----
	const cache = o.cache === undefined ? undefined : new Map<string, CacheEntry>();
	const maxEntries = o.cache?.maxEntries ?? 0;
	const maxAgeMs = o.cache?.maxAge === undefined ? Infinity : o.cache.maxAge * 1000;
	const leeway = o.leeway;
	const maxTokenAge = o.maxTokenAge;
	const clockMs = clock ?? Date.now;

	// no async/await: one promise chain on top of jose's (the verify path is hot)
	function run<T>(token: string, onVerified: (result: JWTVerifyResult) => T): Promise<T> {
		try {
			checkCompact(token, maxTokenBytes);
		} catch (error) {
			return Promise.reject(error);
		}
		return jwtVerify(token, resolve, joseOptions()).then(onVerified, onRejected);
	}

	function verify(token: string): Promise<z.output<S>> {
		if (cache !== undefined) return cached(token, false) as Promise<z.output<S>>;
		return run(token, check);
	}

	function verifyWithHeader(token: string): Promise<VerifiedSession<z.output<S>>> {
		if (cache !== undefined) {
			return cached(token, true) as Promise<VerifiedSession<z.output<S>>>;
		}
		return run(token, checkWithHeader);
	}

	function checkWithHeader(result: JWTVerifyResult): VerifiedSession<z.output<S>> {
		return {
			claims: check(result),
			protectedHeader: result.protectedHeader as VerifiedSession<unknown>["protectedHeader"],
		};
	}

	function cached(token: string, withHeader: boolean): Promise<unknown> {
		const entry = cache?.get(token);
		if (entry !== undefined) {
			const ms = clockMs();
			if (ms < entry.until && joseOptions().algorithms?.includes(entry.alg) === true) {
				try {
					recheck(entry, ms);
				} catch (error) {
					cache?.delete(token);
					return Promise.reject(error);
				}
				// least recently used goes first: move the hit to the end
				cache?.delete(token);
				cache?.set(token, entry);
				return Promise.resolve(withHeader ? entry.complete : entry.complete.claims);
			}
			cache?.delete(token);
		}
		return run(token, (result) => {
			const complete = deepFreeze(checkWithHeader(result));
			remember(token, result, complete);
			return withHeader ? complete : complete.claims;
		});
	}

	function remember(
		token: string,
		result: JWTVerifyResult,
		complete: VerifiedSession<unknown>,
	): void {
		if (cache === undefined) return;
		const p = result.payload as { exp: number; nbf: number; iat: number };
		const ms = clockMs();
		const until = Math.min(p.exp * 1000, ms + maxAgeMs);
		if (!(until > ms)) return;
		cache.set(token, {
			complete,
			alg: result.protectedHeader.alg,
			exp: p.exp,
			nbf: p.nbf,
			iat: p.iat,
			until,
		});
		if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
	}

	// the per-call checks of a cached token, with jose's arithmetic and jose's errors (mapped
	// exactly as on the full path), then sid and trace
	function recheck(entry: CacheEntry, ms: number): void {
		const at = Math.floor(ms / 1000);
		const claims = entry.complete.claims as Record<string, unknown>;
		if (entry.nbf > at + leeway) {
			throw joseError(
				new errors.JWTClaimValidationFailed(
					'"nbf" claim timestamp check failed',
					claims,
					"nbf",
					"check_failed",
				),
			);
		}
		if (entry.exp <= at - leeway) {
			throw joseError(
				new errors.JWTExpired('"exp" claim timestamp check failed', claims, "exp", "check_failed"),
			);
		}
		const age = at - entry.iat;
		if (age - leeway > maxTokenAge) {
			throw joseError(
				new errors.JWTExpired(
					'"iat" claim timestamp check failed (too far in the past)',
					claims,
					"iat",
					"check_failed",
				),
			);
		}
		if (age < -leeway) {
			throw joseError(
				new errors.JWTClaimValidationFailed(
					'"iat" claim timestamp check failed (it should be in the past)',
					claims,
					"iat",
					"check_failed",
				),
			);
		}
		checkVersionAndSid(claims);
		checkTrace(claims);
	}

	// fixed per verifier: checked before the zod parse, so a token of another session fails fast
	function checkVersionAndSid(claims: Record<string, unknown>): void {
		if (claims.version !== version) {
			throw new SessionVersionMismatchError(`the token's version is not ${version}`, {
				claim: "version",
			});
		}
		if (expectedSid !== undefined && claims.sid !== expectedSid) {
			throw new SessionSidMismatchError("the token's sid is not this session's id", {
				claim: "sid",
			});
		}
	}

	function checkTrace(claims: { jti?: unknown; trace?: unknown }): void {
		if (trace !== undefined && !trace.validate(claims, claims.trace)) {
			throw new SessionTraceMismatchError("the token's trace does not match this client's trace", {
				claim: "trace",
			});
		}
	}

	function check(result: JWTVerifyResult): z.output<S> {
		if (acceptedTyps !== undefined) {
			const typ = result.protectedHeader.typ;
			if (typeof typ !== "string" || !acceptedTyps.has(normalizeTyp(typ))) {
				throw new SessionTypeInvalidError(`the token's typ header is not one of ${typeList}`, {
					claim: "typ",
				});
			}
		}
		for (const member in result.protectedHeader) {
			if (FORBIDDEN_HEADER.has(member)) {
				throw new SessionHeaderUnsupportedError(
					`the header parameter "${member}" is not allowed in session tokens`,
				);
			}
		}
		const payload = result.payload as Record<string, unknown>;
		checkVersionAndSid(payload);
		const claims = schema.safeParse(payload);
		if (!claims.success) {
			const issue = claims.error.issues[0];
			const claim =
				issue === undefined || issue.path.length === 0 ? "(claims)" : String(issue.path[0]);
			const options = { cause: claims.error, claim };
			if (payload[claim] === undefined && claim !== "(claims)") {
				throw new SessionClaimMissingError(
					`the token lacks the required "${claim}" claim`,
					options,
				);
			}
			throw new SessionClaimInvalidError(
				`the token's "${claim}" claim is invalid: ${issue?.message ?? "schema mismatch"}`,
				options,
			);
		}
		checkTrace(claims.data);
		return claims.data as z.output<S>;
	}

	return { verify, verifyWithHeader, sid: expectedSid };
}

interface CacheEntry {
	readonly complete: VerifiedSession<unknown>;
	readonly alg: string;
	readonly exp: number;
	readonly nbf: number;
	readonly iat: number;
	/** Reuse before this time (ms): `min(exp, cached at + maxAge)`. */
	readonly until: number;
}

/**
 * Freezes plain objects and arrays, deeply (cached claims are shared between callers). Other
 * objects a custom schema may produce (a `Date`, a typed array, a class instance) are left as
 * they are: freezing cannot protect their internal state, and typed arrays cannot be frozen.
 */
function deepFreeze<T>(value: T): T {
	if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
	const proto = Object.getPrototypeOf(value);
	if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
	Object.freeze(value);
	for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
	return value;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
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
