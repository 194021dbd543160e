/**
 * Wycheproof `json_web_encryption_test.json` (C2SP/wycheproof@dac1dd4), read from
 * `../shared/vectors` (never copied). Two passes over all 139 tests:
 * 1. default policy: tests whose alg/enc are in our default allowlists give Wycheproof's
 *    result; every other test is refused as not allowed (or malformed / zip) whatever
 *    Wycheproof says;
 * 2. each test's own alg/enc explicitly allowed: Wycheproof's result exactly (invalid-curve,
 *    modified ciphertext, truncated tags, wrong-cipher keys...), except RSA1_5, which can never
 *    be allowed, and zip, which is always refused.
 * @see issue 6, catalog JWE-01, JWE-03, JWE-04, JWE-05, JWE-10
 */
import { describe, expect, it } from "vitest";
import {
	CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_KEY_MANAGEMENT_ALGORITHMS,
	type DeserializeOptions,
	deserialize,
	JweError,
	KEY_MANAGEMENT_ALGORITHMS,
} from "../src/index";
import { readVector } from "./helpers";

interface WpTest {
	tcId: number;
	comment: string;
	pt?: string;
	jwe: string;
	result: "valid" | "invalid";
	flags: string[];
}
interface WpGroup {
	type: string;
	comment: string;
	private: Record<string, unknown>;
	tests: WpTest[];
}
const suite = readVector<{ numberOfTests: number; testGroups: WpGroup[] }>(
	"wycheproof/json_web_encryption_test.json",
);

/** The rejection code of every invalid test when its own alg/enc are allowed. */
const EXPLICIT_REJECTION: Record<number, string> = {
	2: "ERR_JWE_DECRYPTION_FAILED",
	3: "ERR_JWE_DECRYPTION_FAILED",
	4: "ERR_JWE_DECRYPTION_FAILED",
	5: "ERR_JWE_DECRYPTION_FAILED",
	6: "ERR_JWE_DECRYPTION_FAILED",
	7: "ERR_JWE_DECRYPTION_FAILED",
	8: "ERR_JWE_INVALID",
	9: "ERR_JWE_INVALID",
	10: "ERR_JWE_DECRYPTION_FAILED",
	11: "ERR_JWE_DECRYPTION_FAILED",
	12: "ERR_JWE_INVALID",
	13: "ERR_JWE_DECRYPTION_FAILED",
	14: "ERR_JWE_INVALID",
	15: "ERR_JWE_INVALID",
	16: "ERR_JWE_DECRYPTION_FAILED",
	17: "ERR_JWE_DECRYPTION_FAILED",
	18: "ERR_JWE_INVALID",
	19: "ERR_JWE_NO_MATCHING_KEY",
	20: "ERR_JWE_INVALID",
	21: "ERR_JWE_INVALID",
	22: "ERR_JWE_INVALID",
	24: "ERR_JWE_INVALID",
	25: "ERR_JWE_INVALID",
	26: "ERR_JWE_INVALID",
	27: "ERR_JWE_INVALID",
	36: "ERR_JWE_DECRYPTION_FAILED",
	37: "ERR_JWE_INVALID",
	38: "ERR_JWE_INVALID",
	39: "ERR_JWE_DECRYPTION_FAILED",
	40: "ERR_JWE_DECRYPTION_FAILED",
	41: "ERR_JWE_INVALID",
	42: "ERR_JWE_DECRYPTION_FAILED",
	43: "ERR_JWE_INVALID",
	44: "ERR_JWE_INVALID",
	45: "ERR_JWE_DECRYPTION_FAILED",
	46: "ERR_JWE_DECRYPTION_FAILED",
	47: "ERR_JWE_INVALID",
	48: "ERR_JWE_INVALID",
	49: "ERR_JWE_INVALID",
	50: "ERR_JWE_INVALID",
	51: "ERR_JWE_DECRYPTION_FAILED",
	63: "ERR_JWE_INVALID",
	64: "ERR_JWE_INVALID",
	65: "ERR_JWE_INVALID",
	106: "ERR_JWE_DECRYPTION_FAILED",
	107: "ERR_JWE_DECRYPTION_FAILED",
	108: "ERR_JWE_DECRYPTION_FAILED",
	109: "ERR_JWE_DECRYPTION_FAILED",
	136: "ERR_JWE_DECRYPTION_FAILED",
	137: "ERR_JWE_DECRYPTION_FAILED",
	138: "ERR_JWE_DECRYPTION_FAILED",
	139: "ERR_JWE_DECRYPTION_FAILED",
};

function protectedHeader(jwe: string): Record<string, unknown> | undefined {
	const parts = jwe.split(".");
	if (parts.length !== 5) return undefined;
	try {
		const h = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
		return typeof h === "object" && h !== null ? h : undefined;
	} catch {
		return undefined;
	}
}

async function outcome(jwe: string, options: DeserializeOptions): Promise<string> {
	try {
		const result = await deserialize(jwe, options);
		return `pt:${Buffer.from(result.plaintext).toString("hex")}`;
	} catch (e) {
		expect(e).toBeInstanceOf(JweError);
		return (e as JweError).code;
	}
}

const cases = suite.testGroups.flatMap((group) =>
	group.tests.map((test) => ({ group, test, header: protectedHeader(test.jwe) })),
);

describe("Wycheproof JWE vectors", () => {
	it("reads every test of the file", () => {
		expect(cases).toHaveLength(suite.numberOfTests);
		expect(suite.numberOfTests).toBe(139);
	});

	describe("under the default policy", () => {
		it.each(cases.map((c) => [`tc${c.test.tcId} ${c.group.type} ${c.test.comment}`, c] as const))(
			"%s",
			async (_, { group, test, header }) => {
				const got = await outcome(test.jwe, { keys: group.private, maxTokenBytes: 65536 });
				const alg = header?.alg;
				const enc = header?.enc;
				if (header === undefined || typeof alg !== "string") {
					expect(got).toBe("ERR_JWE_INVALID"); // missing/JSON/garbled header, wrong part count
				} else if (header.zip !== undefined) {
					expect(got).toBe("ERR_JWE_ZIP_REFUSED");
				} else if (
					!(DEFAULT_KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg) ||
					!(DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS as readonly string[]).includes(enc as string)
				) {
					expect(got).toBe("ERR_JWE_ALG_NOT_ALLOWED");
				} else if (test.result === "valid") {
					expect(got).toBe(`pt:${test.pt}`);
				} else {
					expect(got).toBe(EXPLICIT_REJECTION[test.tcId]);
				}
			},
		);

		it("accepts exactly the three valid tests for our default alg/enc pairs", async () => {
			const accepted: number[] = [];
			for (const { group, test } of cases) {
				const got = await outcome(test.jwe, { keys: group.private, maxTokenBytes: 65536 });
				if (got.startsWith("pt:")) accepted.push(test.tcId);
			}
			// 66: ECDH-ES+A256KW/A256GCM, 78: ECDH-ES/A256GCM, 90: RSA-OAEP-256/A256GCM
			expect(accepted).toEqual([66, 78, 90]);
		});
	});

	describe("with each test's own alg/enc explicitly allowed", () => {
		it.each(cases.map((c) => [`tc${c.test.tcId} ${c.group.type} ${c.test.comment}`, c] as const))(
			"%s",
			async (_, { group, test, header }) => {
				const alg = header?.alg as string | undefined;
				const enc = header?.enc as string | undefined;
				const allowable = (KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg ?? "");
				const options: DeserializeOptions = {
					keys: group.private,
					maxTokenBytes: 65536,
					// RSA1_5 cannot be listed: allow everything that can be, it is still refused
					keyManagementAlgorithms: allowable ? [alg as never] : KEY_MANAGEMENT_ALGORITHMS,
					contentEncryptionAlgorithms: (
						CONTENT_ENCRYPTION_ALGORITHMS as readonly string[]
					).includes(enc ?? "")
						? [enc as never]
						: CONTENT_ENCRYPTION_ALGORITHMS,
				};
				const got = await outcome(test.jwe, options);
				if (alg === "RSA1_5") {
					expect(got).toBe("ERR_JWE_ALG_NOT_ALLOWED");
				} else if (header?.zip !== undefined) {
					expect(got).toBe("ERR_JWE_ZIP_REFUSED");
				} else if (test.result === "valid") {
					expect(got).toBe(`pt:${test.pt}`);
				} else {
					expect(got).toBe(EXPLICIT_REJECTION[test.tcId]);
				}
			},
		);
	});
});
