// Wycheproof JWK and key-set vectors (../shared/vectors, C2SP/wycheproof dac1dd4, Apache-2.0):
// json_web_key_test.json, groups mapped to catalog KEY-07/KEY-08 and ALG-12. Policy: only
// asymmetric keys, so the HS* cases Wycheproof marks valid are refused too.
import { readFileSync } from "node:fs";
import { compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { RemoteKeySet } from "../src/index";

interface Test {
	tcId: number;
	comment: string;
	jws: string;
	result: "valid" | "invalid" | "acceptable";
}
interface Group {
	comment: string;
	private: { keys: unknown[] };
	public?: { keys: unknown[] };
	tests: Test[];
}
const file = new URL(
	"../../../../shared/vectors/wycheproof/json_web_key_test.json",
	import.meta.url,
);
const groups = (JSON.parse(readFileSync(file, "utf8")) as { testGroups: Group[] }).testGroups;

// what our key set reports for each group's keys, and the code the verification fails with
const EXPECTED: Record<number, { accepted: boolean; code?: string; reasons: string[] }> = {
	// the oct key is dropped, the EC key kept: the HS256 token's kid has no key
	1: {
		accepted: false,
		code: "ERR_KEYS_NO_MATCHING_KEY",
		reasons: ["symmetric (oct) keys are never accepted"],
	},
	2: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["symmetric (oct) keys are never accepted", "symmetric (oct) keys are never accepted"],
	},
	3: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["symmetric (oct) keys are never accepted", "symmetric (oct) keys are never accepted"],
	},
	4: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["symmetric (oct) keys are never accepted", "symmetric (oct) keys are never accepted"],
	},
	5: { accepted: true, reasons: [] },
	6: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ['alg "RSA1_5" does not fit kty RSA'],
	},
	7: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["RSA modulus has the ROCA fingerprint (CVE-2017-15361)"],
	},
	8: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["RSA key is 1024 bits, at least 2048 required"],
	},
	9: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["RSA public exponent must be odd and at least 3"],
	},
	19: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ['alg "ES521" does not fit kty EC crv P-256'],
	},
	20: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ['alg "ES224" does not fit kty EC crv P-256'],
	},
	21: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["use, key_ops and alg leave no usable purpose"],
	},
	22: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["key import failed (invalid key material, e.g. an EC point not on the curve)"],
	},
	23: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ['alg "ES256" does not fit kty EC crv P-384'],
	},
	24: {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["RSA key needs base64url n and e"],
	},
};
for (const tc of [10, 11, 12, 13, 14, 15, 16, 17, 18, 25, 26])
	EXPECTED[tc] = {
		accepted: false,
		code: "ERR_KEYS_UNAVAILABLE",
		reasons: ["symmetric (oct) keys are never accepted"],
	};

describe("Wycheproof json_web_key_test.json", () => {
	const cases = groups.flatMap((g) => g.tests.map((t) => [t.tcId, g, t] as const));
	it("has the 26 cases this table covers", () => {
		expect(cases.map(([id]) => id)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
	});

	it.each(cases)("tc%i", async (tcId, group, test) => {
		const jwks = group.public ?? group.private;
		const ks = new RemoteKeySet({
			name: "wycheproof",
			url: "https://vectors.example/jwks.json",
			retries: 0,
			fetch: async () =>
				new Response(JSON.stringify(jwks), { headers: { "content-type": "application/json" } }),
		});
		const reasons: string[] = [];
		ks.on("keyRejected", (r) => reasons.push(r.reason));
		let outcome: { accepted: boolean; code?: string };
		try {
			await compactVerify(test.jws, ks.resolver);
			outcome = { accepted: true };
		} catch (e) {
			outcome = { accepted: false, code: (e as { code?: string }).code };
		}
		ks.close();
		const want = EXPECTED[tcId]!;
		expect({ ...outcome, reasons }).toEqual(want);
		// the only accepted case is one Wycheproof marks valid
		if (outcome.accepted) expect(test.result).toBe("valid");
	});
});
