// Ring snapshots on disk: read, restore, write with mode 0600.
import { constants } from "node:fs";
import { chmod, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { KeyRing, type KeyRingSnapshot } from "@xshl/keys/ring";
import { CliFileExistsError, CliInputInvalidError } from "../errors";

/** `KeyRing.restore(snapshot)`: the snapshot is checked there (zod, thumbprints, key sizes). */
export function restoreRing(snapshot: unknown): Promise<KeyRing> {
	return KeyRing.restore(snapshot as KeyRingSnapshot);
}

/** `ring.snapshot()`: every published key with its private half (JWK). */
export function snapshotRing(ring: KeyRing): Promise<KeyRingSnapshot> {
	return ring.snapshot();
}

/** Reads a JSON file. @throws CliInputInvalidError */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch (e) {
		throw new CliInputInvalidError(
			`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
			{
				cause: e,
			},
		);
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new CliInputInvalidError(`${what} ${path} is not JSON`, { cause: e });
	}
}

/** Reads and restores a ring snapshot file. @throws CliInputInvalidError */
export async function readRing(path: string): Promise<KeyRing> {
	const snapshot = await readJsonFile(path, "ring snapshot");
	try {
		return await restoreRing(snapshot);
	} catch (e) {
		const code = (e as { code?: string }).code ?? "error";
		throw new CliInputInvalidError(
			`${path} is not a usable ring snapshot (${code}): ${(e as Error).message}`,
			{
				cause: e,
			},
		);
	}
}

/** The permission bits of a file, e.g. `0o600`. */
export async function fileMode(path: string): Promise<number> {
	return (await stat(path)).mode & 0o777;
}

/**
 * Writes a ring snapshot with mode 0600. A new file is created exclusively (refused when it
 * exists unless `replace`); a replacement goes through a 0600 temporary file and a rename,
 * so the secret is never readable by others, not even for a moment.
 * @throws CliFileExistsError when the file exists and `replace` is false.
 */
export async function writeSecretFile(path: string, text: string, replace: boolean): Promise<void> {
	const target = replace ? `${path}.${process.pid}.tmp` : path;
	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code === "EEXIST")
			throw new CliFileExistsError(`${path} exists; pass --force to overwrite it`, { cause: e });
		throw new CliInputInvalidError(
			`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
			{
				cause: e,
			},
		);
	}
	try {
		try {
			await handle.writeFile(text, "utf8");
			await handle.sync();
		} finally {
			await handle.close();
		}
		// the umask may have narrowed the mode further; never wider than 0600
		await chmod(target, 0o600);
		if (replace) await rename(target, path);
	} catch (e) {
		// never leave a partial secret behind
		await unlink(target).catch(() => {});
		throw new CliInputInvalidError(
			`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
			{
				cause: e,
			},
		);
	}
}
