/**
 * `Session`: the claims of one client session, issued as a signed JWT and merged with other
 * session tokens. A TypeScript port of the Python original's `xshl.session.Session`.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */
import { sessionId, Trace, type TracePart } from "@xshl/trace";
import { base64url, type CompactJWSHeaderParameters, CompactSign } from "jose";
import type { SessionClaims } from "./claims";
import { SessionConfig, type SessionConfigInput } from "./config";
import { DEFAULT_MERGE_CLAIMS, DEFAULT_STR, DEFAULT_UID } from "./constants";
import {
	SessionAudienceNotAllowedError,
	SessionError,
	SessionSignError,
	SessionValueError,
} from "./errors";
import { isDangerousKey, isEmpty, isPlainObject, type JsonValue, toJson } from "./internal/json";
import { mergeClaim, mergeJson } from "./internal/merge";
import { createSessionVerifier, type SessionVerifier, type VerifySessionOptions } from "./verify";

export type { JsonValue };

/** Result of {@link Session.tryMerge}: the verified claims, or why the token was refused. */
export type MergeResult =
	| { readonly ok: true; readonly claims: SessionClaims }
	| { readonly ok: false; readonly error: SessionError };

/** Claims a session computes itself; `set()`/`update()` refuse them. */
const READ_ONLY = new Set(["iss", "sid", "version", "jti", "iat", "nbf", "exp", "trace"]);

type Claims = Record<string, JsonValue>;

const encoder = new TextEncoder();

function copy<T extends JsonValue | undefined>(value: T): T {
	return (value !== null && typeof value === "object" ? structuredClone(value) : value) as T;
}

/**
 * A session: claims bound to a client `Trace`, signed with the configured key, verified and
 * merged against the configured key set.
 *
 * A new session holds `iss = app`, `sub = DEFAULT_UID`, `aud = DEFAULT_STR`, its `sid`
 * (from the key set's name and the trace) and `version`. Setting an empty value (`undefined`,
 * `null`, `""`, `[]`, `{}`) deletes an optional claim; `aud` falls back to `DEFAULT_STR`.
 *
 * @example
 * ```ts
 * import { Session } from '@xshl/session-core'
 * const session = new Session(config, userAgent, loginSalt)
 * session.sub = 'user-123'
 * session.aud = 'service-api'
 * session.scope = ['read', 'write']
 * const token = await session.jwt()
 * ```
 */
export class Session implements Iterable<[string, JsonValue]> {
	/**
	 * Claims `merge()` takes from a token; override in a subclass or with `config.mergeClaims`.
	 * @default ["aud", "sub", "_payloads", "scope", "_scope"]
	 */
	static mergeClaims: readonly string[] = DEFAULT_MERGE_CLAIMS;

	/** The validated config. */
	readonly config: SessionConfig;
	/** The client trace this session is bound to. */
	readonly trace: Trace;
	#claims: Claims;
	#options: VerifySessionOptions | undefined;
	#verifier: SessionVerifier<SessionClaims> | undefined;

	/**
	 * @param config - a {@link SessionConfig}, or its input (validated here).
	 * @param trace - the trace parts (strings, safe integers, bigints), or one `Trace`.
	 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` for an invalid config input.
	 * @throws {TraceError} `ERR_TRACE_PART_UNSUPPORTED` for a trace part of another type.
	 */
	constructor(config: SessionConfig | SessionConfigInput, ...trace: TracePart[] | [Trace]) {
		this.config = config instanceof SessionConfig ? config : new SessionConfig(config);
		const first = trace[0];
		this.trace =
			trace.length === 1 && first instanceof Trace ? first : new Trace(...(trace as TracePart[]));
		this.#claims = Object.create(null) as Claims;
		this.#claims.iss = this.config.app;
		this.#claims.sub = DEFAULT_UID;
		this.#claims.aud = DEFAULT_STR;
		this.#claims.sid = sessionId(this.config.keys.name, this.trace);
		this.#claims.version = this.config.version;
	}

	/** Issuer (`iss`): the config's `app` UUID. Read-only. */
	get iss(): string {
		return this.#claims.iss as string;
	}

	/** Subject (`sub`); starts as `DEFAULT_UID`; an empty value deletes it. */
	get sub(): string | undefined {
		return this.#claims.sub as string | undefined;
	}
	set sub(value: string | null | undefined) {
		this.#write(this.#claims, "sub", value);
	}

	/**
	 * Audience (`aud`); starts as `DEFAULT_STR`. With an audience allowlist, only its values
	 * are accepted (the Python original ignored other values silently; we throw
	 * `ERR_SESSION_AUDIENCE_NOT_ALLOWED`). An empty value resets it to `DEFAULT_STR`.
	 */
	get aud(): string | string[] {
		return copy(this.#claims.aud) as string | string[];
	}
	set aud(value: string | readonly string[] | null | undefined) {
		this.#write(this.#claims, "aud", value);
	}

	/** Session id (`sid`) = `sessionId(keys.name, trace)`. Read-only. */
	get sid(): string {
		return this.#claims.sid as string;
	}

	/** Session `version` from the config. Read-only. */
	get version(): number {
		return this.#claims.version as number;
	}

	/** Granted scopes (`scope`), a list of strings; an empty list deletes it. */
	get scope(): string[] | undefined {
		return copy(this.#claims.scope) as string[] | undefined;
	}
	set scope(value: readonly string[] | null | undefined) {
		this.#write(this.#claims, "scope", value);
	}

	/** Path (claim `location`); an empty string deletes it. */
	get path(): string | undefined {
		return this.#claims.location as string | undefined;
	}
	set path(value: string | null | undefined) {
		this.#write(this.#claims, "location", value);
	}

	/** Response type (claim `type`); an empty string deletes it. */
	get responseType(): string | undefined {
		return this.#claims.type as string | undefined;
	}
	set responseType(value: string | null | undefined) {
		this.#write(this.#claims, "type", value);
	}

	/**
	 * Requested scope (claim `_scope`): a string, as in the Python original's
	 * `request_scope`, or a list of strings (the original stores either, and merges two lists
	 * into one); an empty string or list deletes it.
	 */
	get requestScope(): string | string[] | undefined {
		return copy(this.#claims._scope) as string | string[] | undefined;
	}
	set requestScope(value: string | readonly string[] | null | undefined) {
		this.#write(this.#claims, "_scope", value);
	}

	/** Data (claim `_payloads`), a JSON object; an empty object deletes it. */
	get payloads(): Record<string, JsonValue> | undefined {
		return copy(this.#claims._payloads) as Record<string, JsonValue> | undefined;
	}
	set payloads(value: Record<string, unknown> | null | undefined) {
		this.#write(this.#claims, "_payloads", value);
	}

	/**
	 * Validation options of this session, as `verifySession` takes them: fixed `version`, fixed
	 * `sid`, `trace` checked with this session's trace, the audience and issuer allowlists
	 * and the extra accepted `typ` values when configured, `leewayMs`, and `maxTokenAgeMs = expiresMs`.
	 */
	get options(): VerifySessionOptions {
		if (this.#options === undefined) {
			const c = this.config;
			const options: VerifySessionOptions = {
				keys: c.keys,
				trace: this.trace,
				sid: this.sid,
				version: c.version,
				leewayMs: c.leewayMs,
				maxTokenAgeMs: c.expiresMs,
				maxTokenBytes: c.maxTokenBytes,
				now: c.now,
			};
			if (c.audience !== undefined) options.audience = c.audience;
			if (c.issuers !== undefined) options.issuer = c.issuers;
			if (c.acceptedTypes.length > 1) options.acceptedTypes = c.acceptedTypes;
			if (c.hmac) {
				const key = c.key as unknown;
				options.algorithms = [c.header.alg];
				options.hmacSecret =
					key instanceof Uint8Array ||
					(typeof CryptoKey !== "undefined" && key instanceof CryptoKey)
						? key
						: base64url.decode((key as { k: string }).k);
			}
			this.#options = Object.freeze(options) as VerifySessionOptions;
		}
		return this.#options;
	}

	/**
	 * Whether a claim is set.
	 *
	 * @param name - the claim name.
	 * @returns true when the claim has a value.
	 */
	has(name: string): boolean {
		return Object.hasOwn(this.#claims, name);
	}

	/**
	 * A claim's value (a copy for arrays and objects).
	 *
	 * @param name - the claim name.
	 * @returns the value, or `undefined` when unset.
	 */
	get(name: string): JsonValue | undefined {
		return Object.hasOwn(this.#claims, name) ? copy(this.#claims[name]) : undefined;
	}

	/**
	 * Sets one claim, with the same rules as the accessors: an empty value deletes it, `Date`
	 * becomes its ISO string (except `auth_time`, which becomes seconds), non-JSON values are
	 * refused.
	 *
	 * @param name - the claim name; `iss`, `sid`, `version`, `jti`, `iat`, `nbf`, `exp`, `trace` are read-only.
	 * @param value - the value.
	 * @returns this session.
	 * @throws {SessionValueError} `ERR_SESSION_VALUE_INVALID` for a read-only claim or a wrong type.
	 * @throws {SessionClaimNotJsonError} `ERR_SESSION_CLAIM_NOT_JSON` for a value JSON cannot carry.
	 * @throws {SessionAudienceNotAllowedError} `ERR_SESSION_AUDIENCE_NOT_ALLOWED` for `aud` outside the allowlist.
	 */
	set(name: string, value: unknown): this {
		this.#write(this.#claims, name, value);
		return this;
	}

	/**
	 * Deletes an optional claim (`aud` resets to `DEFAULT_STR`).
	 *
	 * @param name - the claim name.
	 * @returns this session.
	 * @throws {SessionValueError} `ERR_SESSION_VALUE_INVALID` for a read-only claim.
	 */
	delete(name: string): this {
		this.#write(this.#claims, name, undefined);
		return this;
	}

	/**
	 * Sets several claims at once, as the original's `update()`: a plain object merges key by
	 * key into a current plain object (inside, non-objects such as lists are replaced), anything
	 * else replaces the claim, empty values delete. All or nothing: if one value is refused, no claim
	 * changes.
	 *
	 * @param claims - claim names and values.
	 * @returns this session.
	 * @throws {SessionValueError} as {@link Session.set}, and the other errors `set` throws.
	 */
	update(claims: Record<string, unknown>): this {
		if (!isPlainObject(claims))
			throw new SessionValueError("update() takes a plain object of claims");
		const staged = { ...this.#claims };
		Object.setPrototypeOf(staged, null);
		for (const name of Object.keys(claims)) {
			const value = claims[name];
			const current = staged[name];
			if (!isEmpty(value) && isPlainObject(current) && isPlainObject(value)) {
				this.#write(staged, name, mergeJson(current, value, name));
			} else {
				this.#write(staged, name, value);
			}
		}
		this.#claims = staged;
		return this;
	}

	/**
	 * The set claims as `[name, value]` pairs, in insertion order.
	 *
	 * @returns an iterator over copies of the values.
	 */
	*[Symbol.iterator](): IterableIterator<[string, JsonValue]> {
		for (const name of Object.keys(this.#claims))
			yield [name, copy(this.#claims[name]) as JsonValue];
	}

	/**
	 * The names of the set claims.
	 *
	 * @returns the claim names, in insertion order.
	 */
	keys(): string[] {
		return Object.keys(this.#claims);
	}

	/**
	 * The set claims as a plain object (a deep copy); unset claims are absent.
	 *
	 * @returns the claims.
	 */
	toJSON(): Record<string, JsonValue> {
		return structuredClone({ ...this.#claims });
	}

	/**
	 * Issues a signed token: a fresh `jti` (UUIDv4), `iat = nbf = now`, `exp = now + expiresMs / 1000`,
	 * `trace = trace.get(jti)`, signed with the configured header (plus `typ:
	 * "xshl-session+jwt"`) and key. The new `jti`, `iat`, `nbf`, `exp` and `trace` stay on the
	 * session, as in the Python original.
	 *
	 * @returns the compact JWS.
	 * @throws {SessionKeyError} `ERR_SESSION_KEY_INVALID` when the key cannot be imported for `alg`.
	 * @throws {SessionSignError} `ERR_SESSION_SIGN_FAILED` when jose cannot sign (cause attached).
	 */
	async jwt(): Promise<string> {
		const key = this.config.signingKeyNow ?? (await this.config.signingKey());
		const iat = Math.floor(this.config.now() / 1000);
		const jti = crypto.randomUUID();
		const claims = this.#claims;
		claims.jti = jti;
		claims.iat = iat;
		claims.nbf = iat;
		claims.exp = iat + this.config.expiresMs / 1000;
		claims.trace = this.trace.get(jti);
		// the claims are JSON-safe by construction (every value went through the setters), so
		// they are encoded directly; jose's SignJWT would structuredClone them first
		const payload = encoder.encode(JSON.stringify(claims));
		try {
			return await new CompactSign(payload)
				.setProtectedHeader(this.config.header as CompactJWSHeaderParameters)
				.sign(key);
		} catch (cause) {
			throw new SessionSignError(
				`signing the session token with ${this.config.header.alg} failed`,
				{
					cause,
				},
			);
		}
	}

	/**
	 * Python's `session + token`: verifies `token` with the key set and {@link Session.options},
	 * then merges its `aud`, `sub`, `_payloads`, `scope` and `_scope` (see
	 * {@link Session.mergeClaims}) as the original does: when both the session and the token
	 * hold a list, the lists concatenate without duplicates (first-seen order kept); when both
	 * hold an object, they merge key by key and, inside, any value that is not an object
	 * (lists included) is replaced; anything else takes the token's value as it is. A token
	 * that fails changes nothing.
	 *
	 * @param token - a session token (compact JWS).
	 * @returns this session.
	 * @throws {SessionTokenError} why the token was refused (`ERR_SESSION_EXPIRED`,
	 *   `ERR_SESSION_TRACE_MISMATCH`, ...), or a `set()` error when a merged value is refused.
	 */
	async merge(token: string): Promise<this> {
		const claims = await this.#verify(token);
		this.#apply(claims);
		return this;
	}

	/**
	 * Like {@link Session.merge}, but returns a result instead of throwing a `SessionError`.
	 *
	 * @param token - a session token (compact JWS).
	 * @returns `{ ok: true, claims }` after merging, or `{ ok: false, error }` with the session unchanged.
	 */
	async tryMerge(token: string): Promise<MergeResult> {
		try {
			const claims = await this.#verify(token);
			this.#apply(claims);
			return { ok: true, claims };
		} catch (error) {
			if (error instanceof SessionError) return { ok: false, error };
			throw error;
		}
	}

	/**
	 * Verifies a token against this session's options without merging it.
	 *
	 * @param token - a session token (compact JWS).
	 * @returns the verified claims.
	 * @throws {SessionTokenError} why the token was refused.
	 */
	verify(token: string): Promise<SessionClaims> {
		return this.#verify(token);
	}

	#verify(token: string): Promise<SessionClaims> {
		this.#verifier ??= createSessionVerifier(this.options);
		return this.#verifier.verify(token);
	}

	#apply(claims: SessionClaims): void {
		const names = this.config.mergeClaims ?? (this.constructor as typeof Session).mergeClaims;
		const staged = { ...this.#claims };
		Object.setPrototypeOf(staged, null);
		for (const name of names) {
			const incoming = (claims as Record<string, unknown>)[name];
			if (incoming === undefined || isDangerousKey(name)) continue;
			this.#write(staged, name, mergeClaim(staged[name], incoming, name));
		}
		this.#claims = staged;
	}

	#write(target: Claims, name: string, value: unknown): void {
		if (typeof name !== "string" || name.length === 0 || isDangerousKey(name)) {
			throw new SessionValueError(
				"a claim name must be a non-empty string and not __proto__, constructor or prototype",
			);
		}
		if (READ_ONLY.has(name)) {
			throw new SessionValueError(`claim "${name}" is read-only: the session computes it`, {
				claim: name,
			});
		}
		if (name === "aud") {
			if (isEmpty(value)) {
				target.aud = DEFAULT_STR;
				return;
			}
			const values = typeof value === "string" ? [value] : value;
			if (!Array.isArray(values) || values.some((v) => typeof v !== "string" || v.length === 0)) {
				throw new SessionValueError('claim "aud" must be a string or a list of strings', {
					claim: name,
				});
			}
			const allow = this.config.audience;
			if (allow !== undefined) {
				for (const v of values) {
					if (!allow.includes(v)) {
						throw new SessionAudienceNotAllowedError(
							`aud "${v}" is not in the audience allowlist`,
							{
								claim: name,
							},
						);
					}
				}
			}
			target.aud = typeof value === "string" ? value : [...(values as string[])];
			return;
		}
		if (isEmpty(value)) {
			delete target[name];
			return;
		}
		switch (name) {
			case "sub":
			case "location":
			case "type":
				if (typeof value !== "string") {
					throw new SessionValueError(`claim "${name}" must be a string`, { claim: name });
				}
				target[name] = value;
				return;
			case "_scope":
				if (typeof value === "string") {
					target[name] = value;
					return;
				}
				if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
					throw new SessionValueError('claim "_scope" must be a string or a list of strings', {
						claim: name,
					});
				}
				target[name] = [...value];
				return;
			case "scope":
				if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
					throw new SessionValueError(`claim "${name}" must be a list of strings`, { claim: name });
				}
				target[name] = [...value];
				return;
			case "_payloads":
				if (!isPlainObject(value)) {
					throw new SessionValueError('claim "_payloads" must be a plain object', { claim: name });
				}
				target[name] = toJson(value, name);
				return;
			case "auth_time": {
				const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
				if (typeof seconds !== "number" || !Number.isSafeInteger(seconds) || seconds < 0) {
					throw new SessionValueError(
						'claim "auth_time" must be a Date or whole seconds since the epoch',
						{
							claim: name,
						},
					);
				}
				target[name] = seconds;
				return;
			}
			default:
				target[name] = toJson(value, name);
		}
	}
}
