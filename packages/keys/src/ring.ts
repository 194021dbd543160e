/**
 * The issuer side: a key ring that generates or restores signing and encryption keys, names
 * them by RFC 7638 thumbprint, rotates them with a grace period, withdraws a compromised key
 * at once, never publishes more keys than a `RemoteKeySet` accepts, and publishes only
 * public keys. On its own subpath so verifiers never load it.
 *
 * Import from `@xshl/keys/ring`.
 *
 * @module
 */

import { KeyRingEmptyError, KeyRingRotationTooSoonError, NoMatchingKeyError } from "./errors";
import { ED25519_ALGS } from "./internal/algs";
import { configIssue } from "./internal/config-error";
import { Emitter } from "./internal/emitter";
import { jwksResponse } from "./internal/jwks-response";
import { PRIVATE_MEMBERS } from "./internal/key-check";
import { checkKid, type KeyEntry, KeyIndex } from "./internal/key-index";
import { generateOne, type RingKey, restoreOne, snapshotOne } from "./internal/ring-key";
import {
	parseRingSnapshot,
	type ResolvedRingOptions,
	resolveGenerateOptions,
	resolveRingOptions,
} from "./internal/ring-options";
import { type LocalKeySet, liveKeySet } from "./local-key-set";
import type { KeyRingEvents, RingRotation } from "./ring-events";
import type {
	DecryptionKey,
	EncryptionAlg,
	EncryptionKey,
	JwksRequestLike,
	JwksResponse,
	KeyRingGenerateOptions,
	KeyRingOptions,
	KeyRingSnapshot,
	KeyRingSnapshotKey,
	RingKeyInfo,
	RingKeyState,
	SigningAlg,
	SigningKey,
} from "./ring-types";
import type { KeyUse, PublicJwk, PublicJwks } from "./types";

/**
 * An issuer key ring: one active signing key (and optionally one active encryption key),
 * a published **next** key for each use, and retired keys published for `graceMs` after a
 * rotation. Every `kid` is the SHA-256 RFC 7638 thumbprint. Events (`ring.on(type, l)`):
 * `rotate`, `withdraw`, `expire`, `evict`, `capacityWarning` (see {@link KeyRingEvents}).
 *
 * @example
 * ```ts
 * import { KeyRing } from '@xshl/keys/ring'
 * import { SignJWT } from 'jose'
 * const ring = await KeyRing.generate({ signing: 'ES256' })
 * ring.on('rotate', (e) => log.info({ at: e.at, rotations: e.rotations }, 'keys rotated'))
 * const { privateKey, header } = ring.signingKey()
 * const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader(header).sign(privateKey)
 * const verifier = ring.keySet('session_name') // live LocalKeySet of the public keys
 * ```
 */
export class KeyRing extends Emitter<KeyRingEvents> {
	readonly #o: ResolvedRingOptions;
	readonly #now: () => number;
	#keys: RingKey[];
	#index: KeyIndex | undefined;
	#indexAt = Number.NaN;

	private constructor(keys: RingKey[], o: ResolvedRingOptions) {
		super();
		this.#keys = keys;
		this.#o = o;
		this.#now = o.now;
	}

	/**
	 * Generate a ring: an active and a next key for signing (and for encryption unless
	 * `encryption: false`).
	 *
	 * @param options - `signing` alg, `encryption` alg or `false`, and {@link KeyRingOptions}.
	 * @returns the ring.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on invalid options.
	 */
	static async generate(options: KeyRingGenerateOptions): Promise<KeyRing> {
		const o = resolveGenerateOptions(options);
		const now = o.now();
		const keys: RingKey[] = [];
		for (const alg of o.encryption === false ? [o.signing] : [o.signing, o.encryption]) {
			const active = await generateOne(alg, o, now);
			active.activateAt = now;
			keys.push(active, await generateOne(alg, o, now));
		}
		return new KeyRing(keys, o);
	}

	/**
	 * Load a ring saved with {@link KeyRing.snapshot} (PKCS#8 PEM or private JWK per key).
	 * Several instances restoring one snapshot switch keys at the same instants.
	 *
	 * @param snapshot - the snapshot.
	 * @param options - {@link KeyRingOptions}.
	 * @returns the ring.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on an encrypted PEM, a PEM with
	 *   anything around it, a public-only JWK, RSA below 2048 or above 8192 bits, an even or
	 *   over-long RSA exponent, a kid that is not the key's thumbprint, a duplicate kid, or no
	 *   active signing key.
	 * @example
	 * ```ts
	 * const ring = await KeyRing.restore(JSON.parse(await secrets.get('ring')), { graceMs: 86_400_000 })
	 * ```
	 */
	static async restore(snapshot: KeyRingSnapshot, options?: KeyRingOptions): Promise<KeyRing> {
		const o = resolveRingOptions(options);
		const input = parseRingSnapshot(snapshot);
		const keys: RingKey[] = [];
		for (const [i, k] of input.entries()) {
			const key = await restoreOne(k, i);
			if (keys.some((x) => x.kid === key.kid))
				throw configIssue(`key #${i}: duplicate kid`, `keys.${i}.kid`);
			keys.push(key);
		}
		const ring = new KeyRing(keys, o);
		if (ring.#active("sig") === undefined)
			throw configIssue("the snapshot has no active signing key", "keys");
		return ring;
	}

	/** Keys still published; a retired key past its grace leaves here (`expire` event). */
	#published(): RingKey[] {
		const now = this.#now();
		const gone = this.#keys.filter((k) => k.removeAt !== undefined && now >= k.removeAt);
		if (gone.length > 0) {
			this.#keys = this.#keys.filter((k) => !gone.includes(k));
			this.#index = undefined;
			for (const k of gone)
				this.emit("expire", { kid: k.kid, use: k.use, removeAt: k.removeAt as number });
		}
		return this.#keys;
	}

	#active(use: KeyUse): RingKey | undefined {
		const now = this.#now();
		let best: RingKey | undefined;
		for (const k of this.#published()) {
			if (k.use !== use || k.activateAt === undefined || k.activateAt > now) continue;
			if (k.retireAt !== undefined && k.retireAt <= now) continue;
			if (best === undefined || k.activateAt > (best.activateAt as number)) best = k;
		}
		return best;
	}

	/** Published keys, signing first, then active, next, retired. */
	#ordered(): RingKey[] {
		const rank = { active: 0, next: 1, retired: 2 } as const;
		return this.#published()
			.map((k) => ({ k, r: rank[this.#state(k)] }))
			.sort((a, b) => (a.k.use === b.k.use ? a.r - b.r : a.k.use === "sig" ? -1 : 1))
			.map(({ k }) => k);
	}

	#state(k: RingKey): RingKeyState {
		const now = this.#now();
		if (k.activateAt === undefined || k.activateAt > now) return "next";
		return this.#active(k.use) === k ? "active" : "retired";
	}

	/**
	 * @returns the active signing key with its protected header.
	 * @throws KeyRingEmptyError `ERR_KEYS_RING_EMPTY` when no signing key is active.
	 */
	signingKey(): SigningKey {
		const k = this.#active("sig");
		if (k === undefined) throw new KeyRingEmptyError("the key ring has no active signing key");
		const alg = k.alg as SigningAlg;
		return { kid: k.kid, alg, privateKey: k.privateKey, header: { alg, kid: k.kid } };
	}

	/**
	 * @returns the active encryption (recipient) key, or `undefined` for a signing-only ring.
	 */
	encryptionKey(): EncryptionKey | undefined {
		const k = this.#active("enc");
		return k === undefined
			? undefined
			: { kid: k.kid, alg: k.alg as EncryptionAlg, publicKey: k.publicKey };
	}

	/**
	 * @returns the private halves of every published encryption key (active, next and
	 *   retired), so tokens encrypted to a retired key still decrypt during the grace.
	 */
	decryptionKeys(): DecryptionKey[] {
		return this.#published()
			.filter((k) => k.use === "enc")
			.map((k) => ({ kid: k.kid, alg: k.alg as EncryptionAlg, privateKey: k.privateKey }));
	}

	/**
	 * jose key argument for `compactDecrypt`/`jwtDecrypt`: picks the private key of a
	 * published encryption key by the JWE header's `kid` and `alg` (never from `jwk`/`jku`).
	 *
	 * @param header - the JWE protected header.
	 * @returns the decryption key.
	 * @throws NoMatchingKeyError `ERR_KEYS_NO_MATCHING_KEY` when no published encryption key
	 *   has that kid and alg (or the kid is missing while several exist).
	 * @example
	 * ```ts
	 * import { compactDecrypt } from 'jose'
	 * const { plaintext } = await compactDecrypt(jwe, ring.decryptionResolver)
	 * ```
	 */
	readonly decryptionResolver: (header: { kid?: string; alg?: string }) => Promise<CryptoKey> =
		async (header) => {
			const bad = checkKid(header.kid);
			if (bad !== undefined) throw bad;
			const keys = this.decryptionKeys().filter(
				(k) =>
					(header.kid === undefined || k.kid === header.kid) &&
					(header.alg === undefined || k.alg === header.alg),
			);
			if (keys.length !== 1)
				throw new NoMatchingKeyError(
					"no-candidate",
					header.kid === undefined
						? `a JWE without kid needs exactly one decryption key, the ring has ${keys.length}`
						: `no published decryption key for kid ${JSON.stringify(header.kid.slice(0, 64))}${header.alg ? ` (${header.alg})` : ""}`,
				);
			return (keys[0] as DecryptionKey).privateKey;
		};

	/**
	 * @returns public metadata of every published key, signing first, then active, next,
	 *   retired.
	 */
	list(): RingKeyInfo[] {
		return this.#ordered().map((k) => ({
			kid: k.kid,
			alg: k.alg,
			use: k.use,
			state: this.#state(k),
			createdAt: k.createdAt,
			activateAt: k.activateAt,
			retireAt: k.retireAt,
			removeAt: k.removeAt,
		}));
	}

	/**
	 * Make the next key active for each use, retire the old active key (published for
	 * `graceMs` more), and generate a new next key. Verifiers already hold the new active key
	 * (it was published as next), so tokens signed right after the switch verify at once.
	 *
	 * With `at` the switch is scheduled: the old key keeps signing until then, and every
	 * instance that restored the same snapshot switches at that instant, without a restart.
	 * Until then `jwksResponse()` caps `max-age` at the time left, and sends `no-cache` in the
	 * last minute. A switch closer than `minRotationIntervalMs` to the previous one is refused.
	 * Beyond `maxPublishedKeys` the oldest retired keys are dropped (`evict` event); at 80 %
	 * of it a `capacityWarning` event fires. Emits `rotate`.
	 *
	 * @param options - `at`: when the switch happens, in ms since the epoch. @default now
	 * @returns resolves when the new next keys are generated.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when `at` is not a finite time.
	 * @throws KeyRingRotationTooSoonError `ERR_KEYS_ROTATION_TOO_SOON` (409) when the switch
	 *   is closer than `minRotationIntervalMs` to the previous one (`retryAt` says when).
	 * @example
	 * ```ts
	 * await ring.rotate()                                  // now
	 * await ring.rotate({ at: Date.now() + 10 * 60_000 })  // in 10 minutes, on every instance
	 * ```
	 */
	async rotate(options?: { at?: number }): Promise<void> {
		const now = this.#now();
		const at = options?.at ?? now;
		if (!Number.isSafeInteger(at))
			throw configIssue("rotate({ at }) must be a time in ms since the epoch", "at");
		const when = Math.max(at, now);
		const keys = [...this.#published()];
		const previous = Math.max(...keys.map((k) => k.retireAt ?? Number.NEGATIVE_INFINITY));
		const retryAt = previous + this.#o.minRotationIntervalMs;
		if (when < retryAt)
			throw new KeyRingRotationTooSoonError(
				retryAt,
				`a rotation at ${when} is closer than minRotationIntervalMs (${this.#o.minRotationIntervalMs} ms) to the previous switch at ${previous}; retry at ${retryAt}`,
			);
		const rotations: RingRotation[] = [];
		for (const use of ["sig", "enc"] as const) {
			const active = this.#active(use);
			if (active === undefined) continue;
			let next = keys.find((k) => k.use === use && k.activateAt === undefined);
			if (next === undefined) {
				next = await generateOne(active.alg, this.#o, now);
				keys.push(next);
			}
			active.retireAt = when;
			active.removeAt = when + this.#o.graceMs;
			next.activateAt = when;
			const fresh = await generateOne(active.alg, this.#o, now);
			keys.push(fresh);
			rotations.push({ use, activeKid: next.kid, retiredKid: active.kid, nextKid: fresh.kid });
		}
		this.#keys = keys;
		this.#index = undefined;
		this.emit("rotate", { at: when, rotations });
		this.#enforceCap();
	}

	/**
	 * Remove a key from the JWKS and from signing at once, without waiting for its grace (a
	 * compromised key). Withdrawing the active key makes the next key (already published)
	 * active now and generates a new next key; withdrawing the next key generates a new one.
	 * Tokens signed with the withdrawn key stop verifying as soon as verifiers refresh (a
	 * `LocalKeySet` from {@link KeyRing.keySet} at once). Not rate-limited by
	 * `minRotationIntervalMs`. Emits `withdraw`.
	 *
	 * @param kid - the key to withdraw.
	 * @returns resolves when the replacement keys are generated.
	 * @throws NoMatchingKeyError `ERR_KEYS_NO_MATCHING_KEY` (reason `unknown-kid`) when the
	 *   ring publishes no key with that kid.
	 * @example
	 * ```ts
	 * await ring.withdraw(ring.signingKey().kid) // the next key signs from now on
	 * ```
	 */
	async withdraw(kid: string): Promise<void> {
		const target = this.#published().find((k) => k.kid === kid);
		if (target === undefined)
			throw new NoMatchingKeyError(
				"unknown-kid",
				`the ring publishes no key with kid ${JSON.stringify(String(kid).slice(0, 64))}`,
			);
		const state = this.#state(target);
		const now = this.#now();
		const keys = this.#keys.filter((k) => k !== target);
		const use = target.use;
		if (state === "next" && target.activateAt !== undefined)
			// a scheduled switch to the withdrawn key is cancelled: the active key stays active
			for (const k of keys)
				if (k.use === use && k.retireAt === target.activateAt) {
					k.retireAt = undefined;
					k.removeAt = undefined;
				}
		if (state === "active") {
			const pending = keys
				.filter((k) => k.use === use && (k.activateAt === undefined || k.activateAt > now))
				.sort(
					(a, b) =>
						(a.activateAt ?? Number.POSITIVE_INFINITY) - (b.activateAt ?? Number.POSITIVE_INFINITY),
				);
			const next = pending[0] ?? (await generateOne(target.alg, this.#o, now));
			if (!keys.includes(next)) keys.push(next);
			next.activateAt = now;
			next.retireAt = undefined;
			next.removeAt = undefined;
		}
		if (state !== "retired" && !keys.some((k) => k.use === use && k.activateAt === undefined))
			keys.push(await generateOne(target.alg, this.#o, now));
		this.#keys = keys;
		this.#index = undefined;
		this.emit("withdraw", { kid, use, state, activeKid: this.#active(use)?.kid });
	}

	/** Drop the oldest retired keys beyond the cap; warn at 80 % of it. */
	#enforceCap(): void {
		const max = this.#o.maxPublishedKeys;
		const published = this.#published();
		if (published.length > max) {
			const retired = published
				.filter((k) => this.#state(k) === "retired")
				.sort((a, b) => (a.retireAt ?? 0) - (b.retireAt ?? 0));
			const drop = retired.slice(0, published.length - max);
			this.#keys = published.filter((k) => !drop.includes(k));
			this.#index = undefined;
			this.emit("evict", { kids: drop.map((k) => k.kid), maxPublishedKeys: max });
		}
		const count = this.#keys.length;
		if (count >= Math.ceil(max * 0.8))
			this.emit("capacityWarning", { keys: count, maxPublishedKeys: max });
	}

	/**
	 * The public JWKS: allowlisted members only (RSA `n,e`; EC `crv,x,y`; OKP `crv,x`; plus
	 * `kid, use, alg`), active first.
	 *
	 * @returns the JWKS.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` if a private member or an `oct` key
	 *   would leak (an assertion; it cannot happen through this API).
	 */
	jwks(): PublicJwks {
		const keys = this.#ordered().map((k) => ({ ...k.jwk }));
		for (const jwk of keys) {
			const leaked = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
			if (jwk.kty === "oct" || leaked.length > 0)
				throw configIssue("refusing to publish a private or symmetric key", "keys");
		}
		return { keys };
	}

	#currentIndex(): KeyIndex {
		const now = this.#now();
		// the hot path of every verify against the ring: the built index until its next change
		if (this.#index === undefined || now >= this.#indexAt) {
			const published = this.#published();
			const nextChange = Math.min(...published.map((k) => k.removeAt ?? Number.POSITIVE_INFINITY));
			const entries = published.map(
				(k, index): KeyEntry => ({
					index,
					kid: k.kid,
					jwk: k.jwk,
					algs: new Set(ED25519_ALGS.includes(k.alg) ? ED25519_ALGS : [k.alg]),
					uses: new Set([k.use]),
					defaultAlg: { [k.use]: k.alg },
					keys: new Map([[k.alg, k.publicKey]]),
				}),
			);
			this.#index = new KeyIndex(entries);
			this.#indexAt = nextChange;
		}
		return this.#index;
	}

	/**
	 * A verifier view of the ring's public keys. It is **live**: after `rotate()`,
	 * `withdraw()` or when a retired key's grace ends, the same key set sees the change.
	 *
	 * @param name - the key set's name (feeds the session id). Non-empty.
	 * @returns a `LocalKeySet` (its `load()` resolves at once).
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on an empty name.
	 */
	keySet(name: string): LocalKeySet {
		return liveKeySet(name, () => this.#currentIndex());
	}

	/**
	 * Serve the JWKS over HTTP in any framework: `Content-Type: application/jwk-set+json`,
	 * `Cache-Control: public, max-age=<min(maxAgeMs, time until a scheduled switch) in s>,
	 * stale-while-revalidate=60, stale-if-error=86400` (`no-cache` in the last minute before a
	 * scheduled switch), a strong `ETag`, and 304 when `If-None-Match` matches.
	 *
	 * @param request - the request (only `If-None-Match` is read).
	 * @returns status, headers and body.
	 * @example
	 * ```ts
	 * app.get('/.well-known/jwks.json', async (req, reply) => {
	 *   const r = await ring.jwksResponse(req)
	 *   reply.code(r.status).headers(r.headers).send(r.body)
	 * })
	 * ```
	 */
	async jwksResponse(request?: JwksRequestLike): Promise<JwksResponse> {
		const body = JSON.stringify(this.jwks());
		const now = this.#now();
		const nextSwitch = Math.min(
			...this.#published().map((k) =>
				k.activateAt !== undefined && k.activateAt > now ? k.activateAt : Number.POSITIVE_INFINITY,
			),
		);
		return jwksResponse(body, this.#o.maxAgeMs, nextSwitch - now, request);
	}

	/**
	 * Save every published key with its private half and schedule, to share the ring between
	 * instances (e.g. through `@xshl/session-store`) or keep it across cold starts (a Worker
	 * can restore it from KV). Plain JSON; treat it as a secret.
	 *
	 * @param options - `format`: `jwk` (private JWKs) or `pem` (PKCS#8). @default "jwk"
	 * @returns the snapshot; load it with {@link KeyRing.restore}.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when the keys were generated with
	 *   `extractable: false`.
	 * @example
	 * ```ts
	 * await secrets.put('ring', JSON.stringify(await ring.snapshot({ format: 'pem' })))
	 * ```
	 */
	async snapshot(options?: { format?: "jwk" | "pem" }): Promise<KeyRingSnapshot> {
		const format = options?.format ?? "jwk";
		const keys: KeyRingSnapshotKey[] = [];
		for (const k of this.#published()) keys.push(await snapshotOne(k, format));
		return { version: 1, keys };
	}

	/**
	 * Public-only JSON, so a stray `JSON.stringify(ring)` or log line never leaks a key.
	 *
	 * @returns `{ active, keys }` with the public JWKs.
	 */
	toJSON(): { active: string | undefined; keys: PublicJwk[] } {
		return { active: this.#active("sig")?.kid, keys: this.jwks().keys };
	}
}

export { MAX_PUBLISHED_KEYS } from "./limits";
export type { KeyRingEvents, KeyRingEventType, RingRotation } from "./ring-events";
export * from "./ring-types";
export { jwkThumbprint } from "./thumbprint";
export type { LocalKeySet, PublicJwk, PublicJwks };
