// Interleaved A/B timing of @xshl/jwe against raw jose, on the built package: rounds alternate
// between the two, so machine-load drift (shared CI runners) hits both sides equally.
// Run with `pnpm bench:paired` after `pnpm build`. Prints ops/s and the ratio per operation.

import { deserialize, serialize } from "@xshl/jwe";
import { CompactEncrypt, compactDecrypt, generateKeyPair } from "jose";

const payload = "x".repeat(200);
const encoder = new TextEncoder();
const ROUNDS = 20;
const PER_ROUND = 50;

/** @param {() => Promise<unknown>} fn */
async function time(fn) {
	const start = performance.now();
	for (let i = 0; i < PER_ROUND; i++) await fn();
	return performance.now() - start;
}

for (const alg of ["RSA-OAEP-256", "ECDH-ES+A256KW"]) {
	const { publicKey, privateKey } = await generateKeyPair(alg);
	const kid = `${alg}-1`;
	const header = { alg, enc: "A256GCM", kid };
	const serializeOptions = {
		keys: {
			/** @param {{ kid?: string }} q */
			async getKey(q) {
				if (q.kid !== kid) throw new Error("no key");
				return publicKey;
			},
		},
	};
	const deserializeOptions = { keys: [{ kid, privateKey }] };
	const token = await serialize(payload, header, serializeOptions);
	/** @type {Record<string, [() => Promise<unknown>, () => Promise<unknown>]>} */
	const ops = {
		serialize: [
			() => serialize(encoder.encode(payload), header, serializeOptions),
			() =>
				new CompactEncrypt(encoder.encode(payload)).setProtectedHeader(header).encrypt(publicKey),
		],
		deserialize: [
			() => deserialize(token, deserializeOptions),
			() => compactDecrypt(token, privateKey),
		],
	};
	for (const [name, [ours, raw]] of Object.entries(ops)) {
		let tOurs = 0;
		let tRaw = 0;
		/** @type {number[]} */
		const ratios = [];
		await time(ours);
		await time(raw); // warm-up
		for (let r = 0; r < ROUNDS; r++) {
			let a;
			let b;
			if (r % 2 === 0) {
				a = await time(ours);
				b = await time(raw);
			} else {
				b = await time(raw);
				a = await time(ours);
			}
			tOurs += a;
			tRaw += b;
			ratios.push(b / a);
		}
		ratios.sort((x, y) => x - y);
		const median = ((ratios[ROUNDS / 2 - 1] ?? 0) + (ratios[ROUNDS / 2] ?? 0)) / 2;
		const n = ROUNDS * PER_ROUND;
		const hz = (/** @type {number} */ t) => Math.round((n * 1000) / t);
		console.log(
			`${name} ${alg}+A256GCM 200B: @xshl/jwe ${hz(tOurs)} ops/s, jose ${hz(tRaw)} ops/s, ratio ${(tRaw / tOurs).toFixed(2)} (median of ${ROUNDS} paired rounds ${median.toFixed(2)})`,
		);
	}
}
