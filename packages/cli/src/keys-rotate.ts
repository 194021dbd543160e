/**
 * `xshl keys rotate`: rotate the key ring saved in a snapshot file, in place.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */

import { readRing, snapshotRing, writeSecretFile } from "./internal/ring-file";
import { describeRing, type RingDescription } from "./internal/ring-report";

/** Options of {@link rotateKeys}. */
export interface RotateKeysOptions {
	/** The snapshot file, read and replaced (mode 0600). */
	in: string;
}

/** One use's switch made by {@link rotateKeys}. */
export interface RotatedKey {
	/** `sig` or `enc`. */
	use: "sig" | "enc";
	/** The kid that was active and is now retired (published for the grace). */
	retired: string;
	/** The kid that is now active. */
	active: string;
}

/** What {@link rotateKeys} did. */
export interface RotateKeysReport extends RingDescription {
	/** The snapshot file. */
	file: string;
	/** The switch per use. */
	rotated: RotatedKey[];
}

/**
 * Restores the ring from `in`, rotates it (the published next key becomes active, the active
 * one is retired and stays published for the grace, a new next key is generated) and
 * replaces the file atomically with mode 0600.
 *
 * @param options - see {@link RotateKeysOptions}.
 * @returns the switch per use and the ring's public description.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when `in` cannot be read or is not a ring snapshot.
 * @example
 * ```ts
 * import { rotateKeys } from '@xshl/cli'
 * const { rotated } = await rotateKeys({ in: 'ring.json' })
 * ```
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<RotateKeysReport> {
	const ring = await readRing(options.in);
	const active = (use: "sig" | "enc"): string | undefined =>
		ring.list().find((k) => k.use === use && k.state === "active")?.kid;
	const before = { sig: active("sig"), enc: active("enc") };
	await ring.rotate();
	const rotated: RotatedKey[] = [];
	for (const use of ["sig", "enc"] as const) {
		const was = before[use];
		const now = active(use);
		if (was !== undefined && now !== undefined) rotated.push({ use, retired: was, active: now });
	}
	await writeSecretFile(options.in, `${JSON.stringify(await snapshotRing(ring), null, 2)}\n`, true);
	return { file: options.in, rotated, ...describeRing(ring) };
}
