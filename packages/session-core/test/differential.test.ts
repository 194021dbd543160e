// Issue 13 §2: the node:crypto engine and jose give the same verdict and the same error code
// (and the same claim, and the same claims on success) for every token we have: the catalog
// rows, literal test tokens, Wycheproof JWS and RFC 7520 vectors, and seeded mutations
// (FUZZ_MUTATIONS, default 2000 here; `pnpm fuzz` runs 100000). A deliberately weakened engine
// (it trusts the header's alg) is caught by the same comparison.
import { constants, sign as nodeSign } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
	createSessionVerifier,
	SessionError,
	type SessionVerifier,
	type VerifySessionOptions,
} from "../src/index";
import { joseEngine } from "../src/internal/engine-jose";
import {
	detectNodeCrypto,
	type KeyBinder,
	type NodeCrypto,
	nodeEngine,
	verifierFor,
} from "../src/internal/engine-node";
import { compileVerifyOptions } from "../src/internal/verify-options";
import {
	assemble,
	type Base,
	bases,
	claimsFor,
	type DiffKey,
	HMAC_SECRET,
	hmacCryptoKey,
	laxKeySet,
	literalTokens,
	makeKeys,
	mutate,
	optionSets,
	rng,
	validToken,
	vectorTokens,
} from "./differential-corpus";
import { APP, NOW } from "./helpers";

const MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 13);

type Outcome = string;

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
	try {
		const value = (await run()) as { claims?: unknown; protectedHeader?: unknown };
		return `ok ${JSON.stringify(value)}`;
	} catch (error) {
		if (!(error instanceof SessionError)) return `RAW ${String(error)}`;
		const e = error as SessionError & { claim?: string };
		return `${e.name} ${e.code} ${e.claim ?? ""}`;
	}
}

interface Pair {
	node: SessionVerifier<unknown>;
	jose: SessionVerifier<unknown>;
}

function pairOf(options: VerifySessionOptions): Pair {
	const node = createSessionVerifier(options) as SessionVerifier<unknown>;
	const jose = createSessionVerifier({ ...options, engine: "jose" }) as SessionVerifier<unknown>;
	expect([node.engine, jose.engine]).toEqual(["node", "jose"]);
	return { node, jose };
}

/** Both engines on one token: the disagreement, or undefined; tallies the verdicts. */
async function compare(
	pair: Pair,
	token: string,
	tally: Map<string, number>,
): Promise<string | undefined> {
	const a = await outcome(() => pair.node.verifyWithHeader(token));
	const b = await outcome(() => pair.jose.verifyWithHeader(token));
	const verdict = a.startsWith("ok ") ? "valid" : a.split(" ").slice(1, 2).join(" ");
	tally.set(verdict, (tally.get(verdict) ?? 0) + 1);
	return a === b ? undefined : `${token}\n  node: ${a}\n  jose: ${b}`;
}

let keys: DiffKey[];
let sets: Record<string, VerifySessionOptions>;
let pairs: Record<string, Pair>;

beforeAll(async () => {
	keys = await makeKeys();
	sets = optionSets(keys, await hmacCryptoKey());
	pairs = Object.fromEntries(Object.entries(sets).map(([name, o]) => [name, pairOf(o)]));
});

async function compareAll(tokens: readonly string[]): Promise<{
	disagreements: string[];
	tally: Map<string, number>;
}> {
	const disagreements: string[] = [];
	const tally = new Map<string, number>();
	for (const token of tokens) {
		for (const [name, pair] of Object.entries(pairs)) {
			const d = await compare(pair, token, tally);
			if (d !== undefined) disagreements.push(`[${name}] ${d}`);
		}
	}
	return { disagreements, tally };
}

/** Catalog-style rows (ALG, HDR, FMT, CLM of SECURITY-CATALOG.md), crafted with every key. */
function catalogTokens(): string[] {
	const out: string[] = [];
	const typ = "xshl-session+jwt";
	for (const [i, k] of keys.entries()) {
		const alg = k.alg === "RS1024" ? "RS256" : k.alg;
		const good = {
			scheme: k.alg === "EdDSA" || k.alg === "Ed25519" ? "EdDSA" : alg,
			key: k.privateKey,
		} as const;
		const c = JSON.stringify(claimsFor(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`));
		const h = (extra: Record<string, unknown>) =>
			JSON.stringify({ alg, kid: k.kid, typ, ...extra });
		out.push(validToken(k, "00000000-0000-4000-8000-00000000aaaa"));
		out.push(validToken(k, "00000000-0000-4000-8000-00000000bbbb", "JWT"));
		// ALG: none, empty signature, HS256 with the public key's bytes as secret, alg/key mismatch
		out.push(assemble(h({ alg: "none" }), c, new Uint8Array()));
		out.push(assemble(h({ alg: "HS256" }), c, { scheme: "HS256", key: HMAC_SECRET }));
		out.push(assemble(h({ alg: "HS256" }), c, { scheme: "HS256", key: k.privateKey }));
		for (const other of [
			"RS256",
			"PS256",
			"RS384",
			"ES256",
			"ES384",
			"EdDSA",
			"Ed25519",
			"PS512",
		]) {
			out.push(assemble(h({ alg: other }), c, good as never));
			out.push(
				assemble(h({ alg: other }), c, {
					scheme: (other === "Ed25519" ? "EdDSA" : other) as never,
					key: k.privateKey,
				}),
			);
		}
		// HDR: typ variants, forbidden members, crit, b64, kid
		for (const extra of [
			{ typ: "JWT" },
			{ typ: "application/xshl-session+jwt" },
			{ typ: "at+jwt" },
			{ typ: undefined },
			{ crit: ["b64"], b64: false },
			{ crit: ["b64"], b64: true },
			{ crit: ["exp"], exp: 1 },
			{ jku: "https://evil.example" },
			{ jwk: { kty: "EC" } },
			{ x5c: ["MII"] },
			{ cty: "JWT" },
			{ zip: "DEF" },
			{ kid: "unknown" },
			{ kid: undefined },
		]) {
			out.push(assemble(h(extra), c, good as never));
		}
		out.push(
			assemble(`{"alg":"none","kid":"${k.kid}","typ":"${typ}","alg":"${alg}"}`, c, good as never),
		);
		// CLM: boundaries around NOW with leeway 5 s (0 s in the lax set), missing claims, aud
		for (const over of [
			{ exp: NOW - 5 },
			{ exp: NOW - 4 },
			{ exp: NOW },
			{ nbf: NOW + 5 },
			{ nbf: NOW + 6 },
			{ iat: NOW + 5, nbf: NOW },
			{ iat: NOW + 6, nbf: NOW },
			{ iat: NOW - 906, nbf: NOW - 906 },
			{ iat: NOW - 65, nbf: NOW - 65 },
			{ exp: "9999999999" },
			{ iat: 1.5 },
			{ aud: ["other", "service-api"] },
			{ aud: "undef" },
			{ aud: [1] },
			{ iss: "other" },
			{ version: 2 },
			{ sid: "x" },
			{ trace: "00000000-0000-5000-8000-000000000000" },
			...["iss", "aud", "exp", "nbf", "iat", "jti", "sid", "version", "trace", "auth_time"].map(
				(claim) => ({ [claim]: undefined }),
			),
		]) {
			out.push(
				assemble(
					h({}),
					JSON.stringify(claimsFor("00000000-0000-4000-8000-00000000cccc", over)),
					good as never,
				),
			);
		}
		out.push(assemble(h({}), c.replace('"exp":', '"exp":1e999,"x":'), good as never));
		out.push(assemble(h({}), `\ufeff${c}`, good as never));
		out.push(assemble(h({}), "[]", good as never));
	}
	out.push(`${"a".repeat(9000)}.b.c`);
	out.push("");
	out.push("a.b");
	return out;
}

describe("differential: node:crypto engine vs jose (zero disagreements)", () => {
	it("valid tokens of every key and alg verify with the same claims", async () => {
		const tokens = keys.map((k, i) =>
			validToken(k, `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`),
		);
		const { disagreements, tally } = await compareAll(tokens);
		expect(disagreements).toEqual([]);
		// controls: valid tokens verify; the 1024-bit RSA key is refused by both
		expect(tally.get("valid")).toBeGreaterThanOrEqual(9);
		expect(tally.get("ERR_SESSION_SIGNATURE_INVALID")).toBeGreaterThanOrEqual(1);
	});

	it("catalog rows crafted with every key", { timeout: 300_000 }, async () => {
		const tokens = catalogTokens();
		const { disagreements, tally } = await compareAll(tokens);
		expect(disagreements).toEqual([]);
		expect(tokens.length).toBeGreaterThan(600);
		for (const code of [
			"valid",
			"ERR_SESSION_TOKEN_MALFORMED",
			"ERR_SESSION_TOKEN_TOO_LARGE",
			"ERR_SESSION_ALG_NOT_ALLOWED",
			"ERR_SESSION_SIGNATURE_INVALID",
			"ERR_SESSION_KEY_UNKNOWN",
			"ERR_SESSION_TYPE_INVALID",
			"ERR_SESSION_HEADER_UNSUPPORTED",
			"ERR_SESSION_EXPIRED",
			"ERR_SESSION_NOT_YET_VALID",
			"ERR_SESSION_ISSUED_IN_FUTURE",
			"ERR_SESSION_CLAIM_MISSING",
			"ERR_SESSION_CLAIM_INVALID",
			"ERR_SESSION_AUDIENCE_INVALID",
			"ERR_SESSION_ISSUER_INVALID",
			"ERR_SESSION_VERSION_MISMATCH",
			"ERR_SESSION_SID_MISMATCH",
		]) {
			expect([code, (tally.get(code) ?? 0) > 0]).toEqual([code, true]);
		}
	});

	it("literal tokens of the repository's tests", async () => {
		const tokens = literalTokens();
		expect(tokens.length).toBeGreaterThan(0);
		expect((await compareAll(tokens)).disagreements).toEqual([]);
	});

	it("Wycheproof JWS and RFC 7520 vectors, each with its own key", {
		timeout: 300_000,
	}, async () => {
		const vectors = await vectorTokens();
		expect(vectors.length).toBeGreaterThan(300);
		const disagreements: string[] = [];
		const tally = new Map<string, number>();
		for (const v of vectors) {
			const keySet = {
				name: "vectors",
				resolver: async () => v.key as CryptoKey,
				getKey: async () => v.key as CryptoKey,
				algorithms: () => [],
			};
			const options: VerifySessionOptions[] = [
				{ keys: keySet, acceptedTypes: ["xshl-session+jwt", "JWT"] },
				...(v.key instanceof Uint8Array && v.key.length >= 32
					? [{ keys: keySet, hmacSecret: v.key, algorithms: ["HS256", "ES256", "RS256"] }]
					: []),
			];
			for (const o of options) {
				const d = await compare(pairOf(o), v.token, tally);
				if (d !== undefined) disagreements.push(`${v.label}: ${d}`);
			}
		}
		expect(disagreements).toEqual([]);
		expect(tally.get("ERR_SESSION_SIGNATURE_INVALID")).toBeGreaterThan(100);
	});

	it(`${MUTATIONS} seeded mutations (seed ${SEED}) under four option sets`, {
		timeout: 3_600_000,
	}, async () => {
		const r = rng(SEED);
		const base = bases(keys, r, 64);
		const disagreements: string[] = [];
		const tally = new Map<string, number>();
		let previous = validToken(keys[0] as DiffKey, "00000000-0000-4000-8000-00000000dddd");
		for (let i = 0; i < MUTATIONS; i++) {
			const token = mutate(r, base[i % base.length] as Base, keys, previous);
			previous = token;
			for (const [name, pair] of Object.entries(pairs)) {
				const d = await compare(pair, token, tally);
				if (d !== undefined && disagreements.length < 20)
					disagreements.push(`[${name}] #${i} ${d}`);
			}
		}
		expect(disagreements).toEqual([]);
		// the mutations reach deep: valid verdicts and at least 12 distinct codes
		expect(tally.get("valid")).toBeGreaterThan(MUTATIONS / 50);
		expect(tally.size).toBeGreaterThanOrEqual(12);
	});
});

describe("differential: a weakened engine is caught", () => {
	/** Trusts the header's alg: verification parameters from the header, the key's algorithm unchecked. */
	const trustHeaderAlg: KeyBinder = (crypto, key, alg, keyObject) => {
		if (key instanceof Uint8Array) throw new TypeError("no secrets here");
		const hash = { name: `SHA-${alg.slice(2)}` };
		const byAlg: Record<string, { name: string; hash?: { name: string }; namedCurve?: string }> = {
			RS256: { name: "RSASSA-PKCS1-v1_5", hash },
			RS384: { name: "RSASSA-PKCS1-v1_5", hash },
			RS512: { name: "RSASSA-PKCS1-v1_5", hash },
			PS256: { name: "RSA-PSS", hash },
			PS384: { name: "RSA-PSS", hash },
			PS512: { name: "RSA-PSS", hash },
			ES256: { name: "ECDSA", namedCurve: "P-256" },
			ES384: { name: "ECDSA", namedCurve: "P-384" },
			ES512: { name: "ECDSA", namedCurve: "P-521" },
			EdDSA: { name: "Ed25519" },
			Ed25519: { name: "Ed25519" },
		};
		return verifierFor(crypto, keyObject(key), byAlg[alg] ?? { name: "none" });
	};

	async function engineDisagreements(bind: KeyBinder | undefined, tokens: readonly string[]) {
		const o = compileVerifyOptions({
			keys: laxKeySet(keys),
			now: () => NOW * 1000,
			acceptedTypes: ["xshl-session+jwt", "JWT"],
		});
		const jose = joseEngine(o);
		const crypto = detectNodeCrypto() as NodeCrypto;
		const node = nodeEngine(o, crypto, jose.verifyWithKey, bind);
		const found: string[] = [];
		for (const token of tokens) {
			const a = await outcome(() => node.verify(token).then((r) => r.payload));
			const b = await outcome(() => jose.verify(token).then((r) => r.payload));
			if (a !== b) found.push(`${token}\n  weak: ${a}\n  jose: ${b}`);
		}
		return found;
	}

	it("the header-trusting engine disagrees with jose; the real engine does not (same corpus)", {
		timeout: 300_000,
	}, async () => {
		const r = rng(SEED + 1);
		const base = bases(keys, r, 32);
		const tokens: string[] = [];
		let previous = validToken(keys[0] as DiffKey, "00000000-0000-4000-8000-00000000eeee");
		for (let i = 0; i < 1500; i++) {
			previous = mutate(r, base[i % base.length] as Base, keys, previous);
			tokens.push(previous);
		}
		// one targeted row: PS256 in the header over the RS256 key, signed with PSS
		const rs = keys.find((k) => k.kid === "rs256") as DiffKey;
		const h = Buffer.from(
			JSON.stringify({ alg: "PS256", kid: "rs256", typ: "xshl-session+jwt" }),
		).toString("base64url");
		const p = Buffer.from(
			JSON.stringify({ ...claimsFor("00000000-0000-4000-8000-00000000ffff"), iss: APP }),
		).toString("base64url");
		const sig = nodeSign("sha256", Buffer.from(`${h}.${p}`), {
			key: rs.privateKey,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: 32,
		});
		tokens.push(`${h}.${p}.${sig.toString("base64url")}`);

		expect(await engineDisagreements(undefined, tokens)).toEqual([]);
		const weak = await engineDisagreements(trustHeaderAlg, tokens);
		expect(weak.length).toBeGreaterThan(0);
		// the targeted row is among them: the weak engine accepts what jose refuses
		expect(weak.some((d) => d.startsWith(`${h}.${p}.`) && d.includes("weak: ok"))).toBe(true);
	});
});
