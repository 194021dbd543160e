// Key parsing, hygiene and the lookup index shared by LocalKeySet and RemoteKeySet.
import { base64url, importJWK } from "jose";
import * as z from "zod";
import { KeysJwksInvalidError, MultipleMatchingKeysError, NoMatchingKeyError } from "../errors";
import type { KeyQuery, KeyUse, PublicJwk, PublicJwks, RejectedKey } from "../types";

export const MAX_KID_LENGTH = 256;
export const PRIVATE_MEMBERS: readonly string[] = [
	"d",
	"p",
	"q",
	"dp",
	"dq",
	"qi",
	"k",
	"oth",
	"priv",
];

const RSA_SIG = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const RSA_ENC = ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"];
const ECDH = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"];
const EC_SIG: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const SIG_ALGS: ReadonlySet<string> = new Set([
	...RSA_SIG,
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
	"Ed25519",
]);
const ENC_ALGS: ReadonlySet<string> = new Set([...RSA_ENC, ...ECDH]);

/** The use an algorithm belongs to, or undefined when this package does not support it. */
export function algUse(alg: string): KeyUse | undefined {
	if (SIG_ALGS.has(alg)) return "sig";
	if (ENC_ALGS.has(alg)) return "enc";
	return undefined;
}

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

function candidateAlgs(jwk: Record<string, unknown>): string[] | string {
	switch (jwk.kty) {
		case "RSA":
			return [...RSA_SIG, ...RSA_ENC];
		case "EC": {
			const sig = typeof jwk.crv === "string" ? EC_SIG[jwk.crv] : undefined;
			if (sig === undefined)
				return `unsupported EC curve ${JSON.stringify(String(jwk.crv).slice(0, 20))}`;
			return [sig, ...ECDH];
		}
		case "OKP":
			if (jwk.crv === "Ed25519") return ["EdDSA", "Ed25519"];
			if (jwk.crv === "X25519") return [...ECDH];
			return `unsupported OKP curve ${JSON.stringify(String(jwk.crv).slice(0, 20))}`;
		default:
			return "unsupported kty";
	}
}

function isB64u(v: unknown): v is string {
	return typeof v === "string" && v.length > 0 && /^[A-Za-z0-9_-]+$/.test(v);
}

function bitLength(bytes: Uint8Array): number {
	let i = 0;
	while (i < bytes.length && bytes[i] === 0) i++;
	if (i === bytes.length) return 0;
	return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Public-members allowlist projection (never copies a private member). */
export function publicProjection(jwk: Record<string, unknown>): PublicJwk {
	const out: PublicJwk = { kty: String(jwk.kty) };
	if (typeof jwk.kid === "string") out.kid = jwk.kid;
	if (typeof jwk.use === "string") out.use = jwk.use;
	if (Array.isArray(jwk.key_ops)) out.key_ops = jwk.key_ops.filter((o) => typeof o === "string");
	if (typeof jwk.alg === "string") out.alg = jwk.alg;
	if (jwk.kty === "RSA") {
		out.n = String(jwk.n);
		out.e = String(jwk.e);
	} else {
		out.crv = String(jwk.crv);
		out.x = String(jwk.x);
		if (jwk.kty === "EC") out.y = String(jwk.y);
	}
	return out;
}

/** Static checks of one key; returns the reason it is unusable, or the entry seed. */
export function checkKey(
	raw: unknown,
	restrictUse: KeyUse | undefined,
): { reason: string } | { jwk: PublicJwk; algs: string[] } {
	if (typeof raw !== "object" || raw === null || Array.isArray(raw))
		return { reason: "not a JSON object" };
	const jwk = raw as Record<string, unknown>;
	if (typeof jwk.kty !== "string") return { reason: "missing kty" };
	if (jwk.kty === "oct") return { reason: "symmetric (oct) keys are never accepted" };
	const leaked = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
	if (leaked.length > 0) return { reason: `private members present (${leaked.join(", ")})` };
	if (jwk.kid !== undefined) {
		if (typeof jwk.kid !== "string" || jwk.kid.length === 0 || jwk.kid.length > MAX_KID_LENGTH)
			return { reason: `kid must be a string of 1 to ${MAX_KID_LENGTH} characters` };
	}
	if (jwk.use !== undefined && jwk.use !== "sig" && jwk.use !== "enc")
		return { reason: "use must be sig or enc" };
	if (
		jwk.key_ops !== undefined &&
		(!Array.isArray(jwk.key_ops) || jwk.key_ops.some((o) => typeof o !== "string"))
	)
		return { reason: "key_ops must be an array of strings" };
	if (jwk.alg !== undefined && typeof jwk.alg !== "string")
		return { reason: "alg must be a string" };
	let algs = candidateAlgs(jwk);
	if (typeof algs === "string") return { reason: algs };
	if (jwk.kty === "RSA") {
		if (!isB64u(jwk.n) || !isB64u(jwk.e)) return { reason: "RSA key needs base64url n and e" };
		const bits = bitLength(base64url.decode(jwk.n));
		if (bits < 2048) return { reason: `RSA key is ${bits} bits, at least 2048 required` };
		const e = base64url.decode(jwk.e);
		const last = e[e.length - 1] ?? 0;
		if (bitLength(e) < 2 || (last & 1) === 0)
			return { reason: "RSA public exponent must be odd and at least 3" };
	} else if (jwk.kty === "EC") {
		if (!isB64u(jwk.x) || !isB64u(jwk.y)) return { reason: "EC key needs base64url x and y" };
	} else if (!isB64u(jwk.x)) return { reason: "OKP key needs base64url x" };
	if (typeof jwk.alg === "string") {
		if (!algs.includes(jwk.alg))
			return {
				reason: `alg ${JSON.stringify(jwk.alg.slice(0, 20))} does not fit kty ${jwk.kty}${typeof jwk.crv === "string" ? ` crv ${jwk.crv.slice(0, 20)}` : ""}`,
			};
		algs = [jwk.alg];
	}
	if (jwk.use !== undefined) algs = algs.filter((a) => algUse(a) === jwk.use);
	if (Array.isArray(jwk.key_ops)) {
		const ops = new Set(jwk.key_ops as string[]);
		const sigOk = ops.has("verify");
		const encOk =
			ops.has("encrypt") || ops.has("wrapKey") || ops.has("deriveKey") || ops.has("deriveBits");
		algs = algs.filter((a) => (algUse(a) === "sig" ? sigOk : encOk));
	}
	if (algs.length === 0) return { reason: "use, key_ops and alg leave no usable purpose" };
	if (restrictUse !== undefined) {
		algs = algs.filter((a) => algUse(a) === restrictUse);
		if (algs.length === 0) return { reason: `not usable for ${restrictUse}` };
	}
	return { jwk: publicProjection(jwk), algs };
}

function defaultAlgFor(jwk: PublicJwk, algs: string[], use: KeyUse): string | undefined {
	const mine = algs.filter((a) => algUse(a) === use);
	if (mine.length === 0) return undefined;
	if (jwk.alg !== undefined) return jwk.alg;
	const preferred =
		use === "sig"
			? jwk.kty === "RSA"
				? "RS256"
				: jwk.kty === "OKP"
					? "EdDSA"
					: mine[0]
			: jwk.kty === "RSA"
				? "RSA-OAEP-256"
				: "ECDH-ES+A256KW";
	return preferred !== undefined && mine.includes(preferred) ? preferred : mine[0];
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

const JwksShape = z.object({ keys: z.array(z.unknown()) });

/** Validate the JWKS document's shape; throws KeysJwksInvalidError. */
export function jwksShape(doc: unknown, maxKeys: number): unknown[] {
	const r = JwksShape.safeParse(doc);
	if (!r.success)
		throw new KeysJwksInvalidError("JWKS must be a JSON object with a keys array", {
			cause: r.error,
		});
	if (r.data.keys.length > maxKeys)
		throw new KeysJwksInvalidError(
			`JWKS has ${r.data.keys.length} keys, more than maxKeys ${maxKeys}`,
		);
	return r.data.keys;
}

/** The result of reading a JWKS: usable entries and the rejected keys with reasons. */
export interface ParsedKeys {
	entries: KeyEntry[];
	rejected: RejectedKey[];
}

function overlaps(a: KeyEntry, b: KeyEntry): boolean {
	for (const x of a.algs) if (b.algs.has(x)) return true;
	return false;
}

/** Check, filter and import every key of a JWKS document. Never throws on a single bad key. */
export async function parseKeys(
	keys: unknown[],
	restrictUse: KeyUse | undefined,
): Promise<ParsedKeys> {
	const rejected: RejectedKey[] = [];
	const entries: KeyEntry[] = [];
	await Promise.all(
		keys.map(async (raw, index) => {
			const kid = truncKid((raw as { kid?: unknown } | null)?.kid);
			const seed = checkKey(raw, restrictUse);
			if ("reason" in seed) {
				rejected.push({ index, kid, reason: seed.reason });
				return;
			}
			const built = await buildEntry(index, seed);
			if ("reason" in built) rejected.push({ index, kid, reason: built.reason });
			else entries.push(built);
		}),
	);
	entries.sort((a, b) => a.index - b.index);
	// duplicate kids whose purposes overlap are reported; lookups that hit them fail closed
	const byKid = new Map<string, KeyEntry[]>();
	for (const e of entries) {
		if (e.kid === undefined) continue;
		const list = byKid.get(e.kid);
		if (list === undefined) byKid.set(e.kid, [e]);
		else list.push(e);
	}
	for (const list of byKid.values()) {
		if (list.length < 2) continue;
		for (const e of list) {
			if (list.some((o) => o !== e && overlaps(o, e)))
				rejected.push({ index: e.index, kid: truncKid(e.kid), reason: "duplicate kid" });
		}
	}
	rejected.sort((a, b) => a.index - b.index);
	return { entries, rejected };
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

	algorithms(use: KeyUse): string[] {
		const out = new Set<string>();
		for (const e of this.entries) {
			const d = e.defaultAlg[use];
			if (d !== undefined) out.add(d);
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

export type { PublicJwks };
