// The lookup index over a set of usable keys: entries with their CryptoKeys memoised per alg,
// kid checks, and the no-match errors.
import { importJWK } from "jose";
import { MultipleMatchingKeysError, NoMatchingKeyError } from "../errors";
import type { KeyQuery, KeyUse, PublicJwk } from "../types";
import { algUse, defaultAlgFor, ED25519_ALGS } from "./algs";

export const MAX_KID_LENGTH = 256;

/** One usable key, with its imported CryptoKeys memoised per alg. */
export interface KeyEntry {
	readonly index: number;
	readonly kid: string | undefined;
	readonly jwk: PublicJwk;
	/** Every alg this key may be used with (declared alg, or all that fit kty/crv/use/key_ops). */
	readonly algs: ReadonlySet<string>;
	readonly uses: ReadonlySet<KeyUse>;
	/** The alg used when a lookup names none. */
	readonly defaultAlg: Partial<Record<KeyUse, string>>;
	readonly keys: Map<string, CryptoKey>;
}

/** Import the key for one alg (memoised). */
export async function importFor(entry: KeyEntry, alg: string): Promise<CryptoKey> {
	const hit = entry.keys.get(alg);
	if (hit !== undefined) return hit;
	const { kid: _k, use: _u, key_ops: _o, alg: _a, ...material } = entry.jwk;
	const key = (await importJWK({ ...material, ext: true }, alg)) as CryptoKey;
	entry.keys.set(alg, key);
	return key;
}

/** Build a usable entry (imports its default algs); returns a reason when import fails. */
export async function buildEntry(
	index: number,
	seed: { jwk: PublicJwk; algs: string[] },
	preImported?: ReadonlyMap<string, CryptoKey>,
): Promise<KeyEntry | { reason: string }> {
	const algs = new Set(seed.algs);
	const uses = new Set<KeyUse>();
	for (const a of algs) uses.add(algUse(a)!);
	const defaultAlg: Partial<Record<KeyUse, string>> = {};
	for (const u of uses) {
		const d = defaultAlgFor(seed.jwk, seed.algs, u);
		if (d !== undefined) defaultAlg[u] = d;
	}
	const entry: KeyEntry = {
		index,
		kid: seed.jwk.kid,
		jwk: seed.jwk,
		algs,
		uses,
		defaultAlg,
		keys: new Map(preImported),
	};
	try {
		for (const a of Object.values(defaultAlg)) await importFor(entry, a);
	} catch {
		return {
			reason: "key import failed (invalid key material, e.g. an EC point not on the curve)",
		};
	}
	return entry;
}

export function truncKid(kid: unknown): string | undefined {
	return typeof kid === "string" ? kid.slice(0, 64) : undefined;
}

/** A validated kid, or a NoMatchingKeyError to throw. */
export function checkKid(kid: unknown): NoMatchingKeyError | undefined {
	if (kid === undefined) return undefined;
	if (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH)
		return new NoMatchingKeyError(
			"kid-invalid",
			`kid must be a string of 1 to ${MAX_KID_LENGTH} characters`,
		);
	return undefined;
}

/** Immutable lookup index over one set of entries (a Map, so `__proto__` is just a string). */
export class KeyIndex {
	readonly entries: readonly KeyEntry[];
	readonly byKid: ReadonlyMap<string, KeyEntry[]>;
	readonly kids: ReadonlySet<string>;

	constructor(entries: readonly KeyEntry[]) {
		this.entries = entries;
		const byKid = new Map<string, KeyEntry[]>();
		for (const e of entries) {
			if (e.kid === undefined) continue;
			const list = byKid.get(e.kid);
			if (list === undefined) byKid.set(e.kid, [e]);
			else list.push(e);
		}
		this.byKid = byKid;
		this.kids = new Set(byKid.keys());
	}

	/**
	 * Candidates for a query (kid already validated). Without a kid, every key of the use is a
	 * candidate whatever the alg, so a kid-less token is only accepted when the set holds
	 * exactly one key for that use (catalog HDR-04).
	 */
	match(q: KeyQuery): KeyEntry[] {
		if (q.kid === undefined) {
			const forUse = this.entries.filter((e) => q.use === undefined || e.uses.has(q.use));
			if (forUse.length !== 1) return forUse;
		}
		const pool = q.kid === undefined ? this.entries : (this.byKid.get(q.kid) ?? []);
		return pool.filter((e) => {
			if (q.alg !== undefined) {
				if (!e.algs.has(q.alg)) return false;
				return q.use === undefined || algUse(q.alg) === q.use;
			}
			return q.use === undefined || e.uses.has(q.use);
		});
	}

	/** The alg a lookup uses for an entry. */
	static algOf(e: KeyEntry, q: KeyQuery): string {
		if (q.alg !== undefined) return q.alg;
		if (q.use !== undefined) return e.defaultAlg[q.use]!;
		return e.defaultAlg.sig ?? e.defaultAlg.enc!;
	}

	/** Synchronous lookup; undefined unless exactly one key fits and it is imported for the alg. */
	getSync(q: KeyQuery): CryptoKey | undefined {
		if (checkKid(q.kid) !== undefined) return undefined;
		const c = this.match(q);
		if (c.length !== 1) return undefined;
		return c[0]!.keys.get(KeyIndex.algOf(c[0]!, q));
	}

	/** Lookup; `undefined` when nothing fits, throws when several do. */
	async find(q: KeyQuery): Promise<CryptoKey | undefined> {
		const c = this.match(q);
		if (c.length === 0) return undefined;
		if (c.length > 1)
			throw new MultipleMatchingKeysError(
				c.length,
				q.kid === undefined
					? `${c.length} keys fit and the token has no kid`
					: `${c.length} keys share kid ${JSON.stringify(truncKid(q.kid))} for this use/alg (duplicate kid)`,
			);
		const e = c[0]!;
		return importFor(e, KeyIndex.algOf(e, q));
	}

	/**
	 * The sorted algorithms per use, computed once (the entries never change). Kept private and
	 * handed out as copies; not frozen, as V8 copies a frozen array some 20 times slower.
	 */
	readonly #algorithms = new Map<KeyUse, string[]>();

	algorithms(use: KeyUse): string[] {
		let list = this.#algorithms.get(use);
		if (list === undefined) {
			list = this.#computeAlgorithms(use);
			this.#algorithms.set(use, list);
		}
		return list.slice();
	}

	#computeAlgorithms(use: KeyUse): string[] {
		const out = new Set<string>();
		for (const e of this.entries) {
			const d = e.defaultAlg[use];
			if (d === undefined) continue;
			out.add(d);
			// both names of the Ed25519 signature verify with an Ed25519 key (RFC 9864)
			if (ED25519_ALGS.includes(d)) for (const a of ED25519_ALGS) if (e.algs.has(a)) out.add(a);
		}
		return [...out].sort();
	}
}

/** Throw the right NoMatchingKeyError for a query with no candidate. */
export function noMatch(
	q: KeyQuery,
	reason: "unknown-kid" | "cooldown" | "no-candidate",
): NoMatchingKeyError {
	const what =
		q.kid === undefined ? "a token without kid" : `kid ${JSON.stringify(truncKid(q.kid))}`;
	const filter = [q.use, q.alg].filter(Boolean).join("/");
	return new NoMatchingKeyError(
		reason,
		`no key for ${what}${filter ? ` (${filter})` : ""}${reason === "cooldown" ? "; still unknown inside the cooldown window" : ""}`,
	);
}
