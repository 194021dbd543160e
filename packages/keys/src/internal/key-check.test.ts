import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { checkKey, hasRocaFingerprint } from "./key-check";

const x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const ed = { kty: "OKP", crv: "Ed25519", x };

function rsa(bits: number, e: number[]): Record<string, unknown> {
	const n = new Uint8Array(bits / 8).fill(0xab);
	n[0] = 0xc1;
	return {
		kty: "RSA",
		n: base64url.encode(n),
		e: base64url.encode(new Uint8Array(e)),
	};
}

describe("checkKey", () => {
	it("a member that is undefined is absent; one with a value is a private member", () => {
		expect(checkKey({ ...ed, d: undefined, p: undefined }, undefined)).toEqual({
			jwk: { kty: "OKP", crv: "Ed25519", x },
			algs: ["EdDSA", "Ed25519"],
		});
		expect(checkKey({ ...ed, d: "AAAA", p: undefined }, undefined)).toEqual({
			reason: "private members present (d)",
		});
	});

	it("an Ed25519 key declared with either alg name fits both names", () => {
		for (const alg of ["EdDSA", "Ed25519"])
			expect(checkKey({ ...ed, alg }, undefined)).toMatchObject({ algs: ["EdDSA", "Ed25519"] });
		expect(checkKey({ ...ed, alg: "ES256" }, undefined)).toEqual({
			reason: 'alg "ES256" does not fit kty OKP crv Ed25519',
		});
	});

	it("RSA: 2048 to 8192 bits, an odd exponent from 3 to 2^32 - 1", () => {
		expect(checkKey(rsa(8192, [1, 0, 1]), "sig")).toHaveProperty("algs");
		expect(checkKey(rsa(2048, [0xff, 0xff, 0xff, 0xff]), "sig")).toHaveProperty("algs");
		expect(checkKey(rsa(8200, [1, 0, 1]), "sig")).toEqual({
			reason: "RSA key is 8200 bits, at most 8192 accepted",
		});
		expect(checkKey(rsa(2040, [1, 0, 1]), "sig")).toEqual({
			reason: "RSA key is 2040 bits, at least 2048 required",
		});
		expect(checkKey(rsa(2048, [1, 0, 0, 0, 1]), "sig")).toEqual({
			reason: "RSA public exponent is 33 bits, at most 2^32 - 1 accepted",
		});
		expect(checkKey(rsa(2048, [1, 0, 0]), "sig")).toEqual({
			reason: "RSA public exponent must be odd and at least 3",
		});
		expect(checkKey(rsa(2048, [1]), "sig")).toEqual({
			reason: "RSA public exponent must be odd and at least 3",
		});
	});

	it("oct keys and unknown curves never pass", () => {
		expect(checkKey({ kty: "oct", k: "c2VjcmV0" }, undefined)).toEqual({
			reason: "symmetric (oct) keys are never accepted",
		});
		expect(checkKey({ kty: "OKP", crv: "Ed448", x }, undefined)).toEqual({
			reason: 'unsupported OKP curve "Ed448"',
		});
	});
});

describe("hasRocaFingerprint", () => {
	it("is false for a modulus with a residue outside the 65537 subgroup mod 3", () => {
		// 65537 = 2 (mod 3) generates {1, 2}; a modulus divisible by 3 is outside it
		expect(hasRocaFingerprint(new Uint8Array([3]))).toBe(false);
	});
});
