// `--jwks URL|FILE`: a RemoteKeySet for a URL, a LocalKeySet for a file, loaded.
import { LocalKeySet, type PublicJwks, RemoteKeySet } from "@xshl/keys";
import { CliInputInvalidError } from "../errors";
import { readJsonFile } from "./ring-file";

/** A loaded key set and what it came from. */
export interface OpenedKeySet {
	keys: RemoteKeySet | LocalKeySet;
	jwks(): PublicJwks;
	close(): void;
}

/** Whether the `--jwks` argument is a URL rather than a file path. */
export function isUrl(source: string): boolean {
	return /^https?:\/\//i.test(source);
}

/**
 * Opens and loads `source`. Errors of `@xshl/keys` (`ERR_KEYS_UNAVAILABLE`,
 * `ERR_KEYS_CONFIG_INVALID`) pass through; an unreadable file is a CliInputInvalidError.
 */
export async function openKeySet(source: string, name: string): Promise<OpenedKeySet> {
	if (isUrl(source)) {
		const keys = new RemoteKeySet({ name, url: source });
		try {
			await keys.load();
		} catch (e) {
			keys.close();
			throw e;
		}
		return { keys, jwks: () => keys.jwks(), close: () => keys.close() };
	}
	const jwks = await readJsonFile(source, "JWKS file");
	if (
		jwks === null ||
		typeof jwks !== "object" ||
		!Array.isArray((jwks as { keys?: unknown }).keys)
	)
		throw new CliInputInvalidError(`JWKS file ${source} is not a {"keys": [...]} document`);
	const keys = new LocalKeySet({ name, jwks: jwks as { keys: unknown[] } });
	await keys.load();
	return { keys, jwks: () => keys.jwks(), close: () => {} };
}
