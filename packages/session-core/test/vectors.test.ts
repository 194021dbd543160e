// Public vectors through the signature step of verifySession (format gate + explicit
// algorithm list + jose compactVerify + error mapping): Wycheproof JWS groups for the
// algorithms we allow, and RFC 7520 §4.1–4.4 (+ RFC 8037 Ed25519) as positive controls.
// Read from ../shared/vectors (never copied into the repository).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { SessionTokenError } from "../src/index";
import { verifyCompactSignature } from "../src/internal/jws";

const VECTORS = fileURLToPath(new URL("../../../../shared/vectors/", import.meta.url));
const read = (path: string) => JSON.parse(readFileSync(`${VECTORS}${path}`, "utf8"));

interface WpTest {
	tcId: number;
	comment: string;
	jws: string | object;
	result: "valid" | "invalid" | "acceptable";
}
interface WpGroup {
	type: string;
	comment: string;
	public?: JWK;
	private?: JWK;
	tests: WpTest[];
}

const wycheproof = read("wycheproof/json_web_signature_test.json") as { testGroups: WpGroup[] };
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HMAC = new Set(["HS256", "HS384", "HS512"]);

function headerAlg(jws: string): string | undefined {
	try {
		const alg = JSON.parse(Buffer.from(jws.split(".")[0] ?? "", "base64url").toString("utf8")).alg;
		return typeof alg === "string" ? alg : undefined;
	} catch {
		return undefined;
	}
}

/** Every segment canonical base64url: no length 1 mod 4, zero unused bits (independent of src). */
function canonicalParts(jws: string): boolean {
	return jws
		.split(".")
		.every((part) => Buffer.from(part, "base64url").toString("base64url") === part);
}

function publicPart(jwk: JWK): JWK {
	const {
		d: _d,
		p: _p,
		q: _q,
		dp: _dp,
		dq: _dq,
		qi: _qi,
		key_ops: _ops,
		...rest
	} = jwk as JWK & Record<string, unknown>;
	return rest as JWK;
}

async function outcome(
	jws: string | object,
	jwk: JWK,
	groupAlg: string | undefined,
): Promise<string> {
	const token = typeof jws === "string" ? jws : JSON.stringify(jws);
	const alg = (typeof jws === "string" ? headerAlg(jws) : undefined) ?? "ES256";
	// one key, one alg (catalog ALG-11): the key is imported for the alg its JWK names
	const key = (await importJWK(jwk, groupAlg ?? alg)) as CryptoKey | Uint8Array;
	try {
		await verifyCompactSignature(token, key);
		return "valid";
	} catch (error) {
		expect(error).toBeInstanceOf(SessionTokenError);
		return (error as SessionTokenError).code;
	}
}

// Where our policy deliberately differs from a Wycheproof "valid" verdict, by tcId.
const DEVIATIONS: Record<number, string> = {
	346: "RFC 7520 Figure 20 is PS384 but the group's JWK says alg PS256: a key is used with the one alg its JWK names (ALG-11)",
	350: "same as tc346 (with key_ops)",
};
const EMPTY_PAYLOAD =
	"FMT-03: session tokens always carry claims; an empty payload segment is refused";

describe("Wycheproof json_web_signature_test.json", () => {
	const groups = wycheproof.testGroups.filter(
		(g) =>
			!["rsa_encryption", "ec_key_for_encryption"].includes(g.comment) &&
			!g.comment.includes("encryption"),
	);

	it("every allowed-algorithm case behaves as Wycheproof says, HS* is never allowed, deviations are listed", async () => {
		const summary: Record<string, Record<string, number>> = {};
		for (const group of groups) {
			const jwk = (group.public ?? group.private) as JWK;
			const groupAlg = jwk.alg === "ES521" ? "ES512" : jwk.alg;
			for (const t of group.tests) {
				const got = await outcome(t.jws, jwk, groupAlg);
				const alg = typeof t.jws === "string" ? headerAlg(t.jws) : undefined;
				const compact = typeof t.jws === "string" && COMPACT.test(t.jws);
				const label = `${group.comment} tc${t.tcId} ${t.comment}`;
				if (!compact) {
					expect([label, got]).toEqual([label, "ERR_SESSION_TOKEN_MALFORMED"]);
				} else if (!canonicalParts(t.jws as string)) {
					// issue 12 §2: non-zero unused bits are malformed, before the alg allowlist
					expect([label, t.result, got]).toEqual([label, "invalid", "ERR_SESSION_TOKEN_MALFORMED"]);
				} else if (alg !== undefined && HMAC.has(alg)) {
					expect([label, got]).toEqual([label, "ERR_SESSION_ALG_NOT_ALLOWED"]);
				} else if (t.result === "valid" && DEVIATIONS[t.tcId] !== undefined) {
					expect([label, got]).toEqual([label, "ERR_SESSION_SIGNATURE_INVALID"]);
				} else if (t.result === "valid") {
					expect([label, got]).toEqual([label, "valid"]);
				} else {
					expect([label, got]).not.toEqual([label, "valid"]);
				}
				const key = compact ? t.result : `${t.result} (not compact)`;
				summary[group.comment] ??= {};
				summary[group.comment]![`${key} -> ${got}`] =
					(summary[group.comment]![`${key} -> ${got}`] ?? 0) + 1;
				if (!compact && t.result === "valid") {
					// the only valid cases our format gate refuses: empty payloads and base64 variants (FMT-02/03)
					expect([label, t.comment === "emptyPayload" ? EMPTY_PAYLOAD : group.comment]).toEqual([
						label,
						t.comment === "emptyPayload" ? EMPTY_PAYLOAD : "base64",
					]);
				}
			}
		}
		expect(summary).toMatchSnapshot();
	});
});

describe("RFC 7520 §4.1–4.4 and RFC 8037 Ed25519 (positive controls)", () => {
	const files = [
		["jws/4_1.rsa_v15_signature.json", "valid"],
		["jws/4_2.rsa-pss_signature.json", "valid"],
		["jws/4_3.ecdsa_signature.json", "valid"],
		["jws/4_4.hmac-sha2_integrity_protection.json", "ERR_SESSION_ALG_NOT_ALLOWED"],
		["curve25519/jws.json", "valid"],
	] as const;

	it.each(files)(
		"%s: explicit alg gives the exact payload; default policy gives %s",
		async (file, byDefault) => {
			const v = read(`rfc7520/${file}`);
			const alg = v.input.alg as string;
			const jwk = HMAC.has(alg) ? v.input.key : publicPart(v.input.key);
			const key = (await importJWK(jwk, alg)) as CryptoKey | Uint8Array;
			const { payload } = await verifyCompactSignature(v.output.compact, key, {
				algorithms: [alg],
			});
			expect(new TextDecoder().decode(payload)).toBe(v.input.payload);
			const got = await verifyCompactSignature(v.output.compact, key).then(
				() => "valid",
				(e: SessionTokenError) => e.code,
			);
			expect(got).toBe(byDefault);
		},
	);
});
