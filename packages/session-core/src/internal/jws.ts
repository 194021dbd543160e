import { type CompactVerifyResult, compactVerify } from "jose";
import { SIGNING_ALGORITHMS } from "../constants";
import { checkCompact } from "./compact";
import { joseError } from "./errors-map";

/**
 * The signature step of `verifySession` alone (format gate, explicit algorithm list, jose
 * `compactVerify`, error mapping), for conformance vectors whose payloads are not session
 * claims. Not exported from the package.
 */
export async function verifyCompactSignature(
	token: string,
	key: CryptoKey | Uint8Array,
	options: { algorithms?: readonly string[]; maxTokenBytes?: number } = {},
): Promise<CompactVerifyResult> {
	checkCompact(token, options.maxTokenBytes ?? 1024 * 1024);
	try {
		return await compactVerify(token, key, {
			algorithms: [...(options.algorithms ?? SIGNING_ALGORITHMS)],
		});
	} catch (error) {
		throw joseError(error);
	}
}
