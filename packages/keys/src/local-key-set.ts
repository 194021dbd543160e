/**
 * A static, in-memory key set built from a JWKS you already hold (or the live public view
 * of a `KeyRing` from `@xshl/keys/ring`).
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

import * as z from "zod/v4/mini";
import { type ConfigIssue, KeysConfigError } from "./errors";
import { zodConfigError } from "./internal/config-error";
import { checkKey } from "./internal/key-check";
import { checkKid, KeyIndex, noMatch } from "./internal/key-index";
import { parseKeys } from "./internal/parse-keys";
import { PARSE } from "./internal/zod-parse";
import type {
	KeyGetOptions,
	KeyQuery,
	KeySet,
	KeyUse,
	PublicJwk,
	PublicJwks,
	RejectedKey,
	ResolverHeader,
} from "./types";

/** Options of {@link LocalKeySet}. */
export interface LocalKeySetOptions {
	/** Name of the set; feeds the session id. Required, non-empty. */
	name: string;
	/** The public keys, `{ keys: [...] }`. Private members or `oct` keys are refused (CFG). */
	jwks: { keys: unknown[] };
	/** Keep only keys usable for this purpose (the others are skipped, see `rejected()`). @default both `sig` and `enc` */
	use?: KeyUse;
}

const Options = z.object({
	name: z.string().check(z.minLength(1, "name must be a non-empty string")),
	jwks: z.object({ keys: z.array(z.unknown()).check(z.maxLength(1000)) }),
	use: z.optional(z.enum(["sig", "enc"])),
});

let setProvider: (ks: LocalKeySet, provider: () => KeyIndex) => void;

/**
 * Internal: a live key set whose index comes from a provider (the key ring's current keys).
 * @internal
 */
export function liveKeySet(name: string, provider: () => KeyIndex): LocalKeySet {
	const ks = new LocalKeySet({ name, jwks: { keys: [] } });
	setProvider(ks, provider);
	return ks;
}

/**
 * A static key set held in memory. Keys are checked at construction (a private member, an
 * `oct` key, RSA below 2048 bits, a `crv`/`alg` mismatch... throw `KeysConfigError`), then
 * imported in the background; `load()` waits for the import, `get()` returns `undefined`
 * until it is done, `getKey()` and `resolver` wait for it.
 *
 * @example
 * ```ts
 * import { LocalKeySet } from '@xshl/keys'
 * import { jwtVerify } from 'jose'
 * const keys = new LocalKeySet({ name: 'session_name', jwks: { keys: [publicJwk] } })
 * await keys.load()
 * const { payload } = await jwtVerify(token, keys.resolver, { algorithms: keys.algorithms('sig') })
 * ```
 */
export class LocalKeySet implements KeySet {
	/** Name of the set; feeds the session id. */
	readonly name: string;
	#index: KeyIndex | undefined;
	#ready: Promise<void>;
	#provider: (() => KeyIndex) | undefined;
	#rejected: RejectedKey[] = [];

	static {
		setProvider = (ks, provider) => {
			ks.#provider = provider;
			ks.#index = undefined;
		};
	}

	/**
	 * @param options - `name`, `jwks`, optional `use`.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when the options are malformed or a
	 *   key is unusable (the issue names the key's index and the reason).
	 */
	constructor(options: LocalKeySetOptions) {
		const parsed = Options.safeParse(options, PARSE);
		if (!parsed.success) throw zodConfigError("invalid LocalKeySet options", parsed.error);
		this.name = parsed.data.name;
		const issues: ConfigIssue[] = [];
		for (const [index, raw] of parsed.data.jwks.keys.entries()) {
			const r = checkKey(raw, parsed.data.use);
			// a key for the other purpose is skipped (see rejected()); anything else is an error
			if ("reason" in r && !r.reason.startsWith("not usable for "))
				issues.push({ path: `jwks.keys.${index}`, message: r.reason });
		}
		if (issues.length > 0)
			throw new KeysConfigError(
				`LocalKeySet got ${issues.length} unusable key(s): ${issues.map((i) => `#${i.path.slice(10)} ${i.message}`).join("; ")}`,
				issues,
			);
		this.#ready = parseKeys(parsed.data.jwks.keys, parsed.data.use).then((r) => {
			this.#rejected = r.rejected;
			const failed = r.rejected.filter(
				(k) => k.reason !== "duplicate kid" && !k.reason.startsWith("not usable for "),
			);
			this.#index = new KeyIndex(r.entries);
			if (failed.length > 0)
				throw new KeysConfigError(
					`LocalKeySet could not import ${failed.length} key(s): ${failed.map((k) => `#${k.index} ${k.reason}`).join("; ")}`,
					failed.map((k) => ({ path: `jwks.keys.${k.index}`, message: k.reason })),
				);
		});
		// the rejection is re-thrown to whoever awaits load()/getKey(); never unhandled
		this.#ready.catch(() => {});
	}

	#current(): KeyIndex | undefined {
		return this.#provider !== undefined ? this.#provider() : this.#index;
	}

	/**
	 * Wait until the keys are imported. There is nothing to fetch.
	 *
	 * @returns resolves when `get()` can answer.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when a key failed to import.
	 */
	async load(): Promise<void> {
		await this.#ready;
	}

	/**
	 * Synchronous lookup by kid, narrowed by `use`/`alg`.
	 *
	 * @param kid - the key id.
	 * @param options - `use` and `alg`.
	 * @returns the key, or `undefined` when none or several fit, or the import is not done.
	 */
	get(kid: string, options?: KeyGetOptions): CryptoKey | undefined {
		return this.#current()?.getSync({ kid, use: options?.use, alg: options?.alg });
	}

	/**
	 * Asynchronous lookup.
	 *
	 * @param query - `kid`, `alg`, `use`.
	 * @returns the one key that fits.
	 * @throws NoMatchingKeyError `ERR_KEYS_NO_MATCHING_KEY` when none fits or the kid is invalid.
	 * @throws MultipleMatchingKeysError `ERR_KEYS_MULTIPLE_MATCHING_KEYS` when several fit.
	 */
	async getKey(query: KeyQuery): Promise<CryptoKey> {
		const bad = checkKid(query.kid);
		if (bad !== undefined) throw bad;
		if (this.#provider === undefined) await this.#ready;
		const index = this.#current()!;
		const key = await index.find(query);
		if (key !== undefined) return key;
		throw noMatch(
			query,
			query.kid !== undefined && !index.kids.has(query.kid) ? "unknown-kid" : "no-candidate",
		);
	}

	/**
	 * jose key argument for `jwtVerify`/`compactVerify`: resolves a signing key from the
	 * protected header's `kid` and `alg` only (never `jwk`, `jku`, `x5u` or `x5c`).
	 *
	 * @param protectedHeader - the token's protected header.
	 * @returns the verification key.
	 * @throws NoMatchingKeyError `ERR_KEYS_NO_MATCHING_KEY`, MultipleMatchingKeysError `ERR_KEYS_MULTIPLE_MATCHING_KEYS`.
	 */
	readonly resolver: (protectedHeader: ResolverHeader, token?: unknown) => Promise<CryptoKey> = (
		protectedHeader,
	) => this.getKey({ kid: protectedHeader.kid, alg: protectedHeader.alg, use: "sig" });

	/**
	 * The signing key {@link LocalKeySet.resolver} would resolve for this header, when it is
	 * already imported; `undefined` otherwise (no key, several, an invalid `kid`, not loaded
	 * yet): the resolver then answers, with its error. Never throws. session-core's
	 * `node:crypto` engine uses it to verify without waiting for a promise.
	 *
	 * @param protectedHeader - the token's protected header (`kid`, `alg`).
	 * @returns the key, or `undefined`.
	 * @example
	 * ```ts
	 * keys.resolveSync({ kid: 'k1', alg: 'ES256' }) // CryptoKey once loaded
	 * ```
	 */
	readonly resolveSync = (protectedHeader: ResolverHeader): CryptoKey | undefined => {
		try {
			return this.#current()?.getSync({
				kid: protectedHeader.kid,
				alg: protectedHeader.alg,
				use: "sig",
			});
		} catch {
			return undefined;
		}
	};

	/**
	 * @param use - `sig` or `enc`.
	 * @returns the sorted `alg`s of the keys for that use (a key without `alg` counts with its
	 *   default: RS256, ES256/384/512 by curve, EdDSA, RSA-OAEP-256, ECDH-ES+A256KW).
	 */
	algorithms(use: KeyUse): string[] {
		return this.#current()?.algorithms(use) ?? [];
	}

	/**
	 * @returns the public JWKS of the usable keys (allowlisted members only).
	 */
	jwks(): PublicJwks {
		return { keys: (this.#current()?.entries ?? []).map((e): PublicJwk => ({ ...e.jwk })) };
	}

	/**
	 * @returns the keys reported while importing: `duplicate kid`, or `not usable for sig|enc`
	 *   when `use` skips a key for the other purpose (every other problem throws at
	 *   construction or from `load()`).
	 */
	rejected(): RejectedKey[] {
		return [...this.#rejected];
	}
}
