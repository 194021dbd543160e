/**
 * The issuer side: a key ring that generates or imports signing and encryption keys, names
 * them by RFC 7638 thumbprint, rotates them with a grace period, and publishes only public
 * keys. On its own subpath so verifiers never load it.
 *
 * Import from `@xshl/keys/ring`.
 *
 * @module
 */

import {
	base64url,
	calculateJwkThumbprint,
	exportJWK,
	exportPKCS8,
	generateKeyPair,
	importJWK,
	importPKCS8,
} from "jose";
import * as z from "zod";
import { KeyRingEmptyError, KeysError, NoMatchingKeyError } from "./errors";
import { configIssue, zodConfigError } from "./internal/config-error";
import {
	checkKey,
	checkKid,
	type KeyEntry,
	KeyIndex,
	PRIVATE_MEMBERS,
	publicProjection,
} from "./internal/jwk";
import { type LocalKeySet, liveKeySet } from "./local-key-set";
import type { KeyUse, PublicJwk, PublicJwks } from "./types";

/** Signing algorithms the ring generates and imports. */
export type SigningAlg = "RS256" | "PS256" | "ES256" | "EdDSA";
/** Encryption (key management) algorithms the ring generates and imports. */
export type EncryptionAlg = "RSA-OAEP-256" | "ECDH-ES+A256KW";

const SIGNING: readonly SigningAlg[] = ["RS256", "PS256", "ES256", "EdDSA"];
const ENCRYPTION: readonly EncryptionAlg[] = ["RSA-OAEP-256", "ECDH-ES+A256KW"];

/** Options shared by {@link KeyRing.generate} and {@link KeyRing.import}. */
export interface KeyRingOptions {
	/** How long a retired key stays published after `rotate()`, in ms. At least the token lifetime + leeway + the verifiers' max TTL. @default 86400000 (24 h) */
	graceMs?: number;
	/** Clock, in ms since the epoch. @default Date.now */
	now?: () => number;
	/** RSA modulus length for RS256/PS256/RSA-OAEP-256 keys, in bits. @default 2048 */
	modulusLength?: 2048 | 3072 | 4096;
	/** Curve of ECDH-ES+A256KW keys. @default "P-256" */
	encryptionCurve?: "P-256" | "X25519";
	/** Whether generated private keys can be exported (needed by `exportPrivate()`). @default true */
	extractable?: boolean;
	/** `max-age` of {@link KeyRing.jwksResponse}, in seconds. @default 600 */
	maxAgeSeconds?: number;
}

/** Options of {@link KeyRing.generate}. */
export interface KeyRingGenerateOptions extends KeyRingOptions {
	/** Signing algorithm. */
	signing: SigningAlg;
	/** Encryption algorithm, or `false` for a signing-only ring. @default "ECDH-ES+A256KW" */
	encryption?: EncryptionAlg | false;
}

/** One key of an exported ring. Timestamps in ms since the epoch. */
export interface KeyRingExportKey {
	/** RFC 7638 thumbprint; checked on import. */
	kid: string;
	/** The key's algorithm. */
	alg: SigningAlg | EncryptionAlg;
	/** `sig` or `enc`. */
	use: KeyUse;
	/** The private key: PKCS#8 PEM or a private JWK. */
	privateKey: string | Record<string, unknown>;
	/** When the key was created. */
	createdAt: number;
	/** When it became (or becomes) active; absent for the published next key. */
	activateAt?: number;
	/** When it was retired. */
	retireAt?: number;
	/** When it stops being published. */
	removeAt?: number;
}

/** A ring exported with {@link KeyRing.exportPrivate}: secret material, handle as such. */
export interface KeyRingExport {
	/** Format version. */
	version: 1;
	/** The keys. */
	keys: KeyRingExportKey[];
}

/** The state of one ring key at a given time. */
export type RingKeyState = "next" | "active" | "retired";

/** Public metadata of one ring key (see {@link KeyRing.list}). */
export interface RingKeyInfo {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: SigningAlg | EncryptionAlg;
	/** `sig` or `enc`. */
	use: KeyUse;
	/** `next` (published, not yet used), `active` or `retired` (published during the grace). */
	state: RingKeyState;
	/** Timestamps in ms since the epoch. */
	createdAt: number;
	/** When it became active. */
	activateAt: number | undefined;
	/** When it was retired. */
	retireAt: number | undefined;
	/** When it stops being published. */
	removeAt: number | undefined;
}

/** The active signing key. */
export interface SigningKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: SigningAlg;
	/** Private key for jose's `SignJWT#sign`. */
	privateKey: CryptoKey;
	/** Protected header to sign with. */
	header: { alg: SigningAlg; kid: string };
}

/** A decryption key (private half of a published encryption key). */
export interface DecryptionKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: EncryptionAlg;
	/** Private key for jose's `compactDecrypt`. */
	privateKey: CryptoKey;
}

/** The active encryption (recipient) key. */
export interface EncryptionKey {
	/** RFC 7638 thumbprint. */
	kid: string;
	/** Algorithm. */
	alg: EncryptionAlg;
	/** Public key for jose's `CompactEncrypt`. */
	publicKey: CryptoKey;
}

/** A request as {@link KeyRing.jwksResponse} reads it: only `If-None-Match`. */
export interface JwksRequestLike {
	/** Request headers (a `Headers`, or a Node-style record). */
	headers?: Headers | Record<string, string | string[] | undefined>;
}

/** An HTTP response for a JWKS endpoint, framework-neutral. */
export interface JwksResponse {
	/** 200, or 304 when `If-None-Match` matched. */
	status: 200 | 304;
	/** `content-type`, `cache-control`, `etag`. */
	headers: Record<string, string>;
	/** The JWKS JSON text ("" on 304). */
	body: string;
}

interface RingKey {
	kid: string;
	alg: SigningAlg | EncryptionAlg;
	use: KeyUse;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	jwk: PublicJwk;
	createdAt: number;
	activateAt: number | undefined;
	retireAt: number | undefined;
	removeAt: number | undefined;
}

const ms = z.number().int().nonnegative();
const OptionsSchema = z.object({
	graceMs: ms.default(86_400_000),
	now: z.custom<() => number>((f) => typeof f === "function", "now must be a function").optional(),
	modulusLength: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).default(2048),
	encryptionCurve: z.enum(["P-256", "X25519"]).default("P-256"),
	extractable: z.boolean().default(true),
	maxAgeSeconds: z.number().int().min(0).default(600),
});
const GenerateSchema = OptionsSchema.extend({
	signing: z.enum(SIGNING as [SigningAlg, ...SigningAlg[]]),
	encryption: z
		.union([z.enum(ENCRYPTION as [EncryptionAlg, ...EncryptionAlg[]]), z.literal(false)])
		.default("ECDH-ES+A256KW"),
});
const ExportSchema = z.object({
	version: z.literal(1),
	keys: z
		.array(
			z.object({
				kid: z.string().min(1).max(256),
				alg: z.enum([...SIGNING, ...ENCRYPTION] as [string, ...string[]]),
				use: z.enum(["sig", "enc"]),
				privateKey: z.union([z.string(), z.record(z.string(), z.unknown())]),
				createdAt: ms,
				activateAt: ms.optional(),
				retireAt: ms.optional(),
				removeAt: ms.optional(),
			}),
		)
		.min(1)
		.max(100),
});

type Opts = z.output<typeof OptionsSchema>;

function useOf(alg: string): KeyUse {
	return (SIGNING as readonly string[]).includes(alg) ? "sig" : "enc";
}

async function generateOne(
	alg: SigningAlg | EncryptionAlg,
	o: Opts,
	now: number,
): Promise<RingKey> {
	const options: { extractable: boolean; modulusLength?: number; crv?: string } = {
		extractable: o.extractable,
	};
	if (alg === "RS256" || alg === "PS256" || alg === "RSA-OAEP-256")
		options.modulusLength = o.modulusLength;
	if (alg === "EdDSA") options.crv = "Ed25519";
	if (alg === "ECDH-ES+A256KW") options.crv = o.encryptionCurve;
	const { privateKey, publicKey } = await generateKeyPair(alg, options);
	return fromPair(alg, privateKey as CryptoKey, publicKey as CryptoKey, now);
}

async function fromPair(
	alg: SigningAlg | EncryptionAlg,
	privateKey: CryptoKey,
	publicKey: CryptoKey,
	createdAt: number,
): Promise<RingKey> {
	const use = useOf(alg);
	const exported = (await exportJWK(publicKey)) as Record<string, unknown>;
	const material = publicProjection({
		...exported,
		kid: undefined,
		use: undefined,
		alg: undefined,
		key_ops: undefined,
	});
	const kid = await calculateJwkThumbprint(
		material as Parameters<typeof calculateJwkThumbprint>[0],
		"sha256",
	);
	return {
		kid,
		alg,
		use,
		privateKey,
		publicKey,
		jwk: { ...material, kid, use, alg },
		createdAt,
		activateAt: undefined,
		retireAt: undefined,
		removeAt: undefined,
	};
}

const PEM =
	/^\s*-----BEGIN PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PRIVATE KEY-----\s*$/;

async function importOne(
	k: z.output<typeof ExportSchema>["keys"][number],
	i: number,
): Promise<RingKey> {
	const alg = k.alg as SigningAlg | EncryptionAlg;
	if (useOf(alg) !== k.use)
		throw configIssue(`key #${i}: use ${k.use} does not fit alg ${alg}`, `keys.${i}.use`);
	let privateKey: CryptoKey;
	try {
		if (typeof k.privateKey === "string") {
			if (k.privateKey.includes("ENCRYPTED PRIVATE KEY"))
				throw configIssue(
					`key #${i}: encrypted PEM is not supported (no passphrase); decrypt it to PKCS#8 first`,
					`keys.${i}.privateKey`,
				);
			if (!PEM.test(k.privateKey))
				throw configIssue(
					`key #${i}: privateKey must be exactly one PKCS#8 PEM block (BEGIN PRIVATE KEY) with nothing around it`,
					`keys.${i}.privateKey`,
				);
			privateKey = (await importPKCS8(k.privateKey, alg, { extractable: true })) as CryptoKey;
		} else {
			if (typeof k.privateKey.d !== "string")
				throw configIssue(
					`key #${i}: privateKey JWK has no private part (d)`,
					`keys.${i}.privateKey`,
				);
			privateKey = (await importJWK(
				{ ...k.privateKey, alg: undefined, use: undefined, key_ops: undefined, ext: true } as never,
				alg,
				{ extractable: true },
			)) as CryptoKey;
		}
	} catch (e) {
		if (e instanceof KeysError) throw e;
		throw configIssue(
			`key #${i}: privateKey could not be imported as ${alg}`,
			`keys.${i}.privateKey`,
			e,
		);
	}
	const full = (await exportJWK(privateKey)) as Record<string, unknown>;
	const pub: Record<string, unknown> = {};
	for (const [m, v] of Object.entries(full))
		if (!PRIVATE_MEMBERS.includes(m) && m !== "key_ops" && m !== "ext") pub[m] = v;
	const check = checkKey({ ...pub, alg }, undefined);
	if ("reason" in check) throw configIssue(`key #${i}: ${check.reason}`, `keys.${i}.privateKey`);
	const { kid: _k, use: _u, alg: _a, key_ops: _o, ...material } = check.jwk;
	const publicKey = (await importJWK({ ...material, ext: true } as never, alg)) as CryptoKey;
	const key = await fromPair(alg, privateKey, publicKey, k.createdAt);
	if (key.kid !== k.kid)
		throw configIssue(`key #${i}: kid is not the RFC 7638 thumbprint of the key`, `keys.${i}.kid`);
	key.activateAt = k.activateAt;
	key.retireAt = k.retireAt;
	key.removeAt = k.removeAt;
	return key;
}

/**
 * An issuer key ring: one active signing key (and optionally one active encryption key),
 * a published **next** key for each use, and retired keys published for `graceMs` after a
 * rotation. Every `kid` is the SHA-256 RFC 7638 thumbprint.
 *
 * @example
 * ```ts
 * import { KeyRing } from '@xshl/keys/ring'
 * import { SignJWT } from 'jose'
 * const ring = await KeyRing.generate({ signing: 'ES256' })
 * const { privateKey, header } = ring.signingKey()
 * const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader(header).sign(privateKey)
 * const verifier = ring.keySet('session_name') // live LocalKeySet of the public keys
 * ```
 */
export class KeyRing {
	readonly #o: Opts;
	readonly #now: () => number;
	#keys: RingKey[];
	#index: KeyIndex | undefined;
	#indexAt = Number.NaN;

	private constructor(keys: RingKey[], o: Opts) {
		this.#keys = keys;
		this.#o = o;
		this.#now = o.now ?? Date.now;
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
		const parsed = GenerateSchema.safeParse(options);
		if (!parsed.success) throw zodConfigError("invalid key ring options", parsed.error);
		const o = parsed.data;
		const now = (o.now ?? Date.now)();
		const keys: RingKey[] = [];
		for (const alg of o.encryption === false ? [o.signing] : [o.signing, o.encryption]) {
			const active = await generateOne(alg, o, now);
			active.activateAt = now;
			keys.push(active, await generateOne(alg, o, now));
		}
		return new KeyRing(keys, o);
	}

	/**
	 * Import a ring exported with {@link KeyRing.exportPrivate} (PKCS#8 PEM or private JWK
	 * per key). Several instances importing one export switch keys at the same instants.
	 *
	 * @param exported - the export.
	 * @param options - {@link KeyRingOptions}.
	 * @returns the ring.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on an encrypted PEM, a PEM with
	 *   anything around it, a public-only JWK, RSA below 2048 bits, a kid that is not the
	 *   key's thumbprint, a duplicate kid, or no active signing key.
	 */
	static async import(exported: KeyRingExport, options?: KeyRingOptions): Promise<KeyRing> {
		const o = OptionsSchema.safeParse(options ?? {});
		if (!o.success) throw zodConfigError("invalid key ring options", o.error);
		const parsed = ExportSchema.safeParse(exported);
		if (!parsed.success) throw zodConfigError("invalid key ring export", parsed.error);
		const keys: RingKey[] = [];
		for (const [i, k] of parsed.data.keys.entries()) {
			const key = await importOne(k, i);
			if (keys.some((x) => x.kid === key.kid))
				throw configIssue(`key #${i}: duplicate kid`, `keys.${i}.kid`);
			keys.push(key);
		}
		const ring = new KeyRing(keys, o.data);
		if (ring.#active("sig") === undefined)
			throw configIssue("the export has no active signing key", "keys");
		return ring;
	}

	#published(): RingKey[] {
		const now = this.#now();
		return this.#keys.filter((k) => k.removeAt === undefined || now < k.removeAt);
	}

	#active(use: KeyUse): RingKey | undefined {
		const now = this.#now();
		let best: RingKey | undefined;
		for (const k of this.#published()) {
			if (k.use !== use || k.activateAt === undefined || k.activateAt > now) continue;
			if (k.retireAt !== undefined && k.retireAt <= now) continue;
			if (best === undefined || k.activateAt > best.activateAt!) best = k;
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
			return keys[0]!.privateKey;
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
	 * instance that imported the same export switches at that instant, without a restart.
	 * Until then `jwksResponse()` caps `max-age` at the time left, and sends `no-cache` in the
	 * last minute.
	 *
	 * @param options - `at`: when the switch happens, in ms since the epoch. @default now
	 * @returns resolves when the new next keys are generated.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when `at` is not a finite time.
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
			keys.push(await generateOne(active.alg, this.#o, now));
		}
		this.#keys = keys;
		this.#index = undefined;
	}

	/**
	 * The public JWKS: allowlisted members only (RSA `n,e`; EC `crv,x,y`; OKP `crv,x`; plus
	 * `kid, use, alg`), active first.
	 *
	 * @returns the JWKS.
	 * @throws KeysError `ERR_KEYS_CONFIG_INVALID` if a private member or an `oct` key would
	 *   leak (an assertion; it cannot happen through this API).
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
		const published = this.#published();
		const nextChange = Math.min(...published.map((k) => k.removeAt ?? Number.POSITIVE_INFINITY));
		if (this.#index === undefined || now >= this.#indexAt) {
			const entries = published.map(
				(k, index): KeyEntry => ({
					index,
					kid: k.kid,
					jwk: k.jwk,
					algs: new Set([k.alg]),
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
	 * A verifier view of the ring's public keys. It is **live**: after `rotate()` or when a
	 * retired key's grace ends, the same key set sees the change.
	 *
	 * @param name - the key set's name (feeds the session id). Non-empty.
	 * @returns a `LocalKeySet` (its `load()` resolves at once).
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on an empty name.
	 */
	keySet(name: string): LocalKeySet {
		const ks = liveKeySet(name, () => this.#currentIndex());
		return ks;
	}

	/**
	 * Serve the JWKS over HTTP in any framework: `Content-Type: application/jwk-set+json`,
	 * `Cache-Control: public, max-age=<min(maxAgeSeconds, seconds until a scheduled switch)>,
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
		const untilSwitch = Math.floor((nextSwitch - now) / 1000);
		const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
		const etag = `"${base64url.encode(new Uint8Array(digest))}"`;
		const headers: Record<string, string> = {
			"content-type": "application/jwk-set+json",
			"cache-control":
				untilSwitch <= 60
					? "no-cache"
					: `public, max-age=${Math.min(this.#o.maxAgeSeconds, untilSwitch)}, stale-while-revalidate=60, stale-if-error=86400`,
			etag,
		};
		const h = request?.headers;
		let inm: string | string[] | null | undefined;
		if (h !== undefined)
			inm =
				h instanceof Headers ? h.get("if-none-match") : (h["if-none-match"] ?? h["If-None-Match"]);
		const tags = (Array.isArray(inm) ? inm.join(",") : (inm ?? ""))
			.split(",")
			.map((t) => t.trim().replace(/^W\//, ""));
		if (tags.includes(etag) || tags.includes("*")) return { status: 304, headers, body: "" };
		return { status: 200, headers, body };
	}

	/**
	 * Export every published key with its private half and timestamps, to share the ring
	 * between instances (e.g. through `@xshl/session-store`). Treat the result as a secret.
	 *
	 * @param options - `format`: `jwk` (private JWKs) or `pem` (PKCS#8). @default "jwk"
	 * @returns the export.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when the keys were generated with
	 *   `extractable: false`.
	 */
	async exportPrivate(options?: { format?: "jwk" | "pem" }): Promise<KeyRingExport> {
		const format = options?.format ?? "jwk";
		const keys: KeyRingExportKey[] = [];
		for (const k of this.#published()) {
			let privateKey: string | Record<string, unknown>;
			try {
				privateKey =
					format === "pem"
						? await exportPKCS8(k.privateKey)
						: ((await exportJWK(k.privateKey)) as Record<string, unknown>);
			} catch (e) {
				throw configIssue("the ring's private keys are not extractable", "extractable", e);
			}
			if (typeof privateKey !== "string") {
				delete privateKey.key_ops;
				delete privateKey.ext;
			}
			const out: KeyRingExportKey = {
				kid: k.kid,
				alg: k.alg,
				use: k.use,
				privateKey,
				createdAt: k.createdAt,
			};
			if (k.activateAt !== undefined) out.activateAt = k.activateAt;
			if (k.retireAt !== undefined) out.retireAt = k.retireAt;
			if (k.removeAt !== undefined) out.removeAt = k.removeAt;
			keys.push(out);
		}
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

/**
 * The SHA-256 RFC 7638 thumbprint of a public JWK (the ring's `kid`).
 *
 * @param jwk - a public JWK.
 * @returns the base64url thumbprint.
 * @example
 * ```ts
 * import { jwkThumbprint } from '@xshl/keys/ring'
 * await jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '...', y: '...' })
 * ```
 */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
	return calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256");
}

export type { LocalKeySet, PublicJwk, PublicJwks };
