/**
 * `SessionConfig`: everything a {@link Session} needs, validated with zod when it is built.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */
import type { JWK } from "jose";
import * as z from "zod/v4";
import {
	DEFAULT_LEEWAY_MS,
	DEFAULT_MAX_TOKEN_BYTES,
	DEFAULT_SESSION_EXPIRES_MS,
	DEFAULT_SESSION_VERSION,
	DEFAULT_UID,
	HMAC_ALGORITHMS,
	MAX_SESSION_EXPIRES_MS,
	SESSION_TOKEN_TYPE,
	SIGNING_ALGORITHMS,
} from "./constants";
import { FORBIDDEN_HEADER as FORBIDDEN_TOKEN_HEADER } from "./internal/claim-checks";
import { checkKeyInput, importSigningKey, isHmac, type SessionKeyInput } from "./internal/key";
import { acceptedTypesSchema } from "./internal/typ";
import { configError } from "./internal/zod";

/**
 * The key set a session verifies with: structural, so any `@xshl/keys` `KeySet`
 * (`RemoteKeySet`, `LocalKeySet`, `ReferenceKeys`, `keyRing.keySet(name)`) satisfies it, and
 * this package has no runtime dependency on `@xshl/keys`.
 *
 * @example
 * ```ts
 * import { LocalKeySet } from '@xshl/keys'
 * import type { SessionKeySet } from '@xshl/session-core'
 * const keys: SessionKeySet = new LocalKeySet({ name: 'session_name', jwks })
 * ```
 */
export interface SessionKeySet {
	/** Non-empty name; feeds the session id (`sid`). */
	readonly name: string;
	/** jose key argument: resolves a verification key from the protected header's `kid`/`alg`. */
	readonly resolver: (
		protectedHeader: { kid?: string; alg?: string },
		token?: unknown,
	) => Promise<CryptoKey>;
	/**
	 * Optional synchronous lookup: the key {@link SessionKeySet.resolver} would resolve for this
	 * header when it is at hand (imported, nothing to fetch or wait for), else `undefined` (the
	 * resolver is then called and answers, errors included). Never throws. With it the
	 * `node:crypto` engine finishes a verify without waiting for a promise. `@xshl/keys`'
	 * `LocalKeySet`, a ring's `keySet(name)` and `RemoteKeySet` (while its set is fresh) have it.
	 */
	readonly resolveSync?: (protectedHeader: { kid?: string; alg?: string }) => CryptoKey | undefined;
	/** `alg`s of the loaded keys for a use; `[]` before the first load. */
	algorithms(use: "sig" | "enc"): string[];
	/** Looks a key up by `kid`/`alg`/`use`. */
	getKey(query: { kid?: string; alg?: string; use?: "sig" | "enc" }): Promise<CryptoKey>;
}

/** The protected header a session signs with: `alg` and `kid` are required. */
export interface SessionHeaderInput {
	/** A JWS algorithm from {@link SIGNING_ALGORITHMS} (or HS* with `allowHmac`); never `none`. */
	alg: string;
	/** The key id verifiers look the key up by. */
	kid: string;
	/** Other members are copied as they are (not `typ`, `crit`, `b64`, `jku`, `jwk`, `x5*`, `cty`, `zip`). */
	[member: string]: unknown;
}

/** What {@link SessionConfig} is built from. */
export interface SessionConfigInput {
	/** The key set tokens are verified with; its `name` feeds the `sid`. */
	keys: SessionKeySet;
	/**
	 * The issuer UUID, the `iss` claim of every token.
	 * @default DEFAULT_UID
	 */
	app?: string;
	/** Audience allowlist: `session.aud` and verified tokens must use these values. Omit to allow any. */
	audience?: readonly string[];
	/** Protected header: `alg` and `kid`. The `typ` is always `xshl-session+jwt`. */
	header: SessionHeaderInput;
	/**
	 * The `version` claim, checked on verification.
	 * @default 1
	 */
	version?: number;
	/**
	 * Token lifetime in milliseconds (`exp - iat`), whole seconds only (it becomes the `exp`
	 * claim, which counts seconds), from 1000 up to {@link MAX_SESSION_EXPIRES_MS} (900000).
	 * @default 120000 (DEFAULT_SESSION_EXPIRES_MS)
	 */
	expiresMs?: number;
	/** The private key: PKCS#8 PEM (string or bytes), private JWK or private CryptoKey. HS* secrets need `allowHmac`. */
	key: SessionKeyInput;
	/**
	 * Clock leeway in milliseconds for `exp`/`nbf`/`iat`, 0 to 60000.
	 * @default 5000 (DEFAULT_LEEWAY_MS)
	 */
	leewayMs?: number;
	/**
	 * Clock, in milliseconds since the epoch.
	 * @default Date.now
	 */
	now?: () => number;
	/**
	 * Allow HS256/384/512 with a secret of at least the hash length. Only for a single service
	 * that both issues and verifies: a shared secret lets every verifier mint tokens.
	 * @default false
	 */
	allowHmac?: boolean;
	/** Issuer allowlist checked on verification (`iss`). Omit to accept any issuer the keys verify. */
	issuers?: readonly string[];
	/**
	 * Header `typ` values `session.merge()`/`session.verify()` accept (RFC 7515 comparison:
	 * any case, optional `application/` prefix). Only `"xshl-session+jwt"` (required in the
	 * list) and `"JWT"`, the `typ` the Python original's tokens carry (Authlib's default), are
	 * allowed; anything else is a config error. Issuing is unchanged: this session's tokens
	 * always carry `xshl-session+jwt`.
	 *
	 * **Warning:** adding `"JWT"` loosens RFC 8725 explicit typing: any other JWT signed by the
	 * same keys with `typ: "JWT"` passes the type check and is refused only if its claims do not
	 * fit a session. Enable it only while migrating from the Python original, then remove it.
	 * @default ["xshl-session+jwt"]
	 */
	acceptedTypes?: readonly ("xshl-session+jwt" | "JWT")[];
	/**
	 * Claims `session.merge(token)` takes from the token.
	 * @default ["aud", "sub", "_payloads", "scope", "_scope"]
	 */
	mergeClaims?: readonly string[];
	/**
	 * Largest token accepted by verification, in bytes.
	 * @default 8192
	 */
	maxTokenBytes?: number;
}

/** The protected header as signed. */
export interface SessionHeader {
	readonly alg: string;
	readonly kid: string;
	readonly typ: string;
	readonly [member: string]: unknown;
}

/** What a session header may not set: `typ` (always ours) and what no session token carries. */
const FORBIDDEN_HEADER = ["typ", ...FORBIDDEN_TOKEN_HEADER];

const NOT_MERGEABLE = new Set([
	"iss",
	"sid",
	"version",
	"jti",
	"iat",
	"nbf",
	"exp",
	"trace",
	"__proto__",
	"constructor",
	"prototype",
]);

function isKeySet(value: unknown): value is SessionKeySet {
	if (value === null || typeof value !== "object") return false;
	const v = value as Record<string, unknown>;
	return (
		typeof v.name === "string" &&
		v.name.length > 0 &&
		typeof v.resolver === "function" &&
		typeof v.algorithms === "function" &&
		typeof v.getKey === "function"
	);
}

/** An option that was renamed: any value is refused with the new name. */
function renamed(name: string, now: string): z.ZodOptional<z.ZodUndefined> {
	return z.undefined({ message: `${name} was renamed to ${now}` }).optional();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// built on first use (pure): importing the verify path alone never runs classic zod
const configSchema = /* @__PURE__ */ (() =>
	z
		.object({
			keys: z.custom<SessionKeySet>(isKeySet, {
				message: "expected a key set with a non-empty name, resolver, algorithms() and getKey()",
			}),
			app: z
				.string({ message: "expected the issuer UUID as a string" })
				.regex(UUID, { message: "expected a UUID (8-4-4-4-12 hex)" })
				.default(DEFAULT_UID)
				.transform((v) => v.toLowerCase()),
			audience: z
				.array(z.string().min(1, { message: "audience values must be non-empty strings" }))
				.min(1, { message: "an empty audience allowlist would refuse everything: omit it instead" })
				.optional(),
			header: z.looseObject({
				alg: z.string({ message: "header.alg is required" }),
				kid: z
					.string({ message: "header.kid is required" })
					.min(1, { message: "header.kid must not be empty" }),
			}),
			version: z.int().positive().default(DEFAULT_SESSION_VERSION),
			expiresMs: z
				.int({ message: "expiresMs must be an integer number of milliseconds" })
				.positive({ message: "expiresMs must be positive" })
				.multipleOf(1000, {
					message: "expiresMs must be whole seconds (a multiple of 1000): it becomes the exp claim",
				})
				.max(MAX_SESSION_EXPIRES_MS, {
					message: `expiresMs is capped at ${MAX_SESSION_EXPIRES_MS} (15 minutes)`,
				})
				.default(DEFAULT_SESSION_EXPIRES_MS),
			expires: renamed("expires", "expiresMs (milliseconds, whole seconds: 120 s is 120000)"),
			key: z.unknown(),
			leewayMs: z
				.int({ message: "leewayMs must be an integer number of milliseconds" })
				.min(0)
				.max(60_000, { message: "leewayMs is capped at 60000 (one minute)" })
				.default(DEFAULT_LEEWAY_MS),
			leeway: renamed("leeway", "leewayMs (milliseconds: 5 s is 5000)"),
			now: z
				.custom<() => number>((v) => typeof v === "function", {
					message: "now must be a function returning milliseconds",
				})
				.optional(),
			allowHmac: z.boolean().default(false),
			issuers: z.array(z.string().min(1)).min(1).optional(),
			acceptedTypes: z.optional(acceptedTypesSchema),
			mergeClaims: z.array(z.string().min(1)).optional(),
			maxTokenBytes: z
				.int()
				.positive()
				.max(1024 * 1024)
				.default(DEFAULT_MAX_TOKEN_BYTES),
		})
		.superRefine((input, ctx) => {
			const alg = input.header.alg;
			if ((SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
				// fine
			} else if ((HMAC_ALGORITHMS as readonly string[]).includes(alg)) {
				if (!input.allowHmac) {
					ctx.addIssue({
						code: "custom",
						path: ["header", "alg"],
						message: `${alg} needs allowHmac: true (a shared secret lets every verifier mint tokens; use EdDSA or ES256)`,
					});
					return;
				}
			} else {
				ctx.addIssue({
					code: "custom",
					path: ["header", "alg"],
					message: `alg must be one of ${SIGNING_ALGORITHMS.join(", ")}${input.allowHmac ? `, ${HMAC_ALGORITHMS.join(", ")}` : ""}`,
				});
				return;
			}
			for (const member of FORBIDDEN_HEADER) {
				if (Object.hasOwn(input.header, member)) {
					ctx.addIssue({
						code: "custom",
						path: ["header", member],
						message:
							member === "typ"
								? "typ is always xshl-session+jwt and cannot be set"
								: `header.${member} is not allowed in session tokens`,
					});
				}
			}
			for (const [i, name] of (input.mergeClaims ?? []).entries()) {
				if (NOT_MERGEABLE.has(name)) {
					ctx.addIssue({
						code: "custom",
						path: ["mergeClaims", i],
						message: `${name} is computed by the session or unsafe as a key and cannot be merged`,
					});
				}
			}
			const problem = checkKeyInput(input.key, alg);
			if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["key"], message: problem });
		}))();

/**
 * A validated session configuration. Build it once per service and share it between
 * sessions; the signing key is imported once and cached.
 *
 * @example
 * ```ts
 * import { SessionConfig } from '@xshl/session-core'
 * const config = await SessionConfig.create({
 *   keys,                                  // any @xshl/keys KeySet
 *   app: '2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a',
 *   audience: ['service-api'],
 *   header: { alg: 'ES256', kid },
 *   key: privateKeyPem,                    // PKCS#8 PEM, private JWK or CryptoKey
 * })
 * ```
 */
export class SessionConfig {
	/** The key set tokens are verified with. */
	readonly keys: SessionKeySet;
	/** The issuer UUID (lowercase), the `iss` of every token. */
	readonly app: string;
	/** The audience allowlist, or `undefined` for none. */
	readonly audience: readonly string[] | undefined;
	/** The protected header, with `typ: "xshl-session+jwt"` added. */
	readonly header: SessionHeader;
	/** The `version` claim. */
	readonly version: number;
	/** Token lifetime in milliseconds (whole seconds). */
	readonly expiresMs: number;
	/** The key as given (for adapters such as `@xshl/jwe`); see {@link SessionConfig.signingKey}. */
	readonly key: SessionKeyInput;
	/** Clock leeway in milliseconds. */
	readonly leewayMs: number;
	/** Clock in milliseconds. */
	readonly now: () => number;
	/** Whether HS* is allowed. */
	readonly allowHmac: boolean;
	/** Issuer allowlist for verification, or `undefined`. */
	readonly issuers: readonly string[] | undefined;
	/** Header `typ` values accepted on verification (deduplicated; `["xshl-session+jwt"]` by default). */
	readonly acceptedTypes: readonly ("xshl-session+jwt" | "JWT")[];
	/** Claims merged by `session.merge`, or `undefined` to use the Session class's list. */
	readonly mergeClaims: readonly string[] | undefined;
	/** Largest token accepted by verification, in bytes. */
	readonly maxTokenBytes: number;
	#signingKey: Promise<CryptoKey | Uint8Array> | undefined;
	#signingKeyNow: CryptoKey | Uint8Array | undefined;

	/**
	 * @param input - see {@link SessionConfigInput}.
	 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` naming every bad field: missing
	 *   keys or header members, `alg: none` or an unknown alg, HS* without `allowHmac`, a public
	 *   key where a private one is needed, a key that does not fit `alg`, `expiresMs` above
	 *   900000 or not whole seconds, the old names `expires`/`leeway`, an `acceptedTypes`
	 *   value other than `"xshl-session+jwt"` and `"JWT"`...
	 */
	constructor(input: SessionConfigInput) {
		const parsed = configSchema.safeParse(input);
		if (!parsed.success) throw configError("session config", parsed.error);
		const v = parsed.data;
		this.keys = v.keys;
		this.app = v.app;
		this.audience = v.audience === undefined ? undefined : Object.freeze([...v.audience]);
		this.header = Object.freeze({ ...v.header, typ: SESSION_TOKEN_TYPE }) as SessionHeader;
		this.version = v.version;
		this.expiresMs = v.expiresMs;
		this.key = v.key as SessionKeyInput;
		this.leewayMs = v.leewayMs;
		this.now = v.now ?? Date.now;
		this.allowHmac = v.allowHmac;
		this.issuers = v.issuers === undefined ? undefined : Object.freeze([...v.issuers]);
		this.acceptedTypes = Object.freeze(v.acceptedTypes ?? [SESSION_TOKEN_TYPE]);
		this.mergeClaims = v.mergeClaims === undefined ? undefined : Object.freeze([...v.mergeClaims]);
		this.maxTokenBytes = v.maxTokenBytes;
	}

	/**
	 * Builds a config and imports its key, so a bad key fails at startup, not on the first
	 * token.
	 *
	 * @param input - see {@link SessionConfigInput}.
	 * @returns the ready config.
	 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` for an invalid input.
	 * @throws {SessionKeyError} `ERR_SESSION_KEY_INVALID` when the key cannot be imported for `alg`.
	 */
	static async create(input: SessionConfigInput): Promise<SessionConfig> {
		const config = new SessionConfig(input);
		await config.signingKey();
		return config;
	}

	/**
	 * The imported signing key, cached after the first call.
	 *
	 * @returns a private CryptoKey (or the HMAC secret bytes).
	 * @throws {SessionKeyError} `ERR_SESSION_KEY_INVALID` when the key cannot be imported for `alg`.
	 */
	signingKey(): Promise<CryptoKey | Uint8Array> {
		if (this.#signingKey === undefined) {
			const pending = importSigningKey(this.key, this.header.alg);
			// a failed import is not cached: the next call tries again
			pending.then(
				(key) => {
					this.#signingKeyNow = key;
				},
				() => {
					if (this.#signingKey === pending) this.#signingKey = undefined;
				},
			);
			this.#signingKey = pending;
		}
		return this.#signingKey;
	}

	/**
	 * The imported signing key once {@link SessionConfig.signingKey} has resolved, else
	 * `undefined` (lets `session.jwt()` skip an await on the hot path).
	 */
	get signingKeyNow(): CryptoKey | Uint8Array | undefined {
		return this.#signingKeyNow;
	}

	/** Whether this config signs with an HMAC secret. */
	get hmac(): boolean {
		return isHmac(this.header.alg);
	}
}

export type { JWK, SessionKeyInput };
