import { CompactEncrypt, compactDecrypt, generateKeyPair } from "jose";
import { bench, describe } from "vitest";
import {
	type DeserializeOptions,
	deserialize,
	type SerializeOptions,
	serialize,
} from "../src/index";

// @xshl/jwe against raw jose in the same run, A256GCM and the same 200-byte Uint8Array payload. Ratios
// (ops/s relative to raw jose) go into the README's Benchmarks section.
const payload = "x".repeat(200);
const bytes = new TextEncoder().encode(payload);
const options = { time: 1500, warmupTime: 300 };

for (const alg of ["RSA-OAEP-256", "ECDH-ES+A256KW"] as const) {
	const { publicKey, privateKey } = await generateKeyPair(alg);
	const kid = `${alg}-1`;
	const header = { alg, enc: "A256GCM", kid };
	// a recipient key set as @xshl/keys provides it (async getKey by kid/use/alg)
	const serializeOptions: SerializeOptions = {
		keys: {
			async getKey(q) {
				if (q.kid !== kid) throw new Error("no key");
				return publicKey;
			},
		},
	};
	const deserializeOptions: DeserializeOptions = { keys: [{ kid, privateKey }] };
	const token = await serialize(payload, header, serializeOptions);

	describe(`serialize ${alg} + A256GCM, 200 B`, () => {
		bench(
			"@xshl/jwe serialize",
			async () => {
				await serialize(bytes, header, serializeOptions);
			},
			options,
		);
		bench(
			"jose CompactEncrypt (raw)",
			async () => {
				await new CompactEncrypt(bytes).setProtectedHeader(header).encrypt(publicKey);
			},
			options,
		);
	});

	describe(`deserialize ${alg} + A256GCM, 200 B`, () => {
		bench(
			"@xshl/jwe deserialize",
			async () => {
				await deserialize(token, deserializeOptions);
			},
			options,
		);
		bench(
			"jose compactDecrypt (raw)",
			async () => {
				await compactDecrypt(token, privateKey);
			},
			options,
		);
	});
}
