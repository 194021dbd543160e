// `--key FILE`: a ring snapshot, a private JWK or a PKCS#8 PEM, as @xshl/jwe decryption keys.
import { readFile } from "node:fs/promises";
import type { DecryptionKeyInput } from "@xshl/jwe";
import { CliInputInvalidError } from "../errors";
import { restoreRing } from "./ring-file";

/**
 * Reads the decryption key(s) in `path`.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when the file cannot be read or parsed.
 */
export async function decryptionKeys(path: string): Promise<DecryptionKeyInput> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch (e) {
		throw new CliInputInvalidError(`cannot read key file ${path}`, { cause: e });
	}
	if (text.trimStart().startsWith("-----BEGIN")) return text.trim();
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		throw new CliInputInvalidError(`key file ${path} is neither JSON nor a PEM`, { cause: e });
	}
	if (
		value !== null &&
		typeof value === "object" &&
		Array.isArray((value as { keys?: unknown }).keys)
	) {
		const ring = await restoreRing(value).catch((e: unknown) => {
			throw new CliInputInvalidError(`key file ${path} is not a usable ring snapshot`, {
				cause: e,
			});
		});
		return ring.decryptionKeys();
	}
	return value as DecryptionKeyInput;
}
