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
	/** The new next kid, published now and active at the following rotation. */
	next: string;
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
 * replaces the file atomically with mode 0600. The switches come from the ring's `rotate`
 * event.
 *
 * @param options - see {@link RotateKeysOptions}.
 * @returns the switch per use and the ring's public description.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when `in` cannot be read or is not a ring snapshot.
 * @throws KeyRingRotationTooSoonError `ERR_KEYS_ROTATION_TOO_SOON` when the ring's previous
 *   switch is less than `KeyRing`'s `minRotationIntervalMs` (1 h) ago; the file is unchanged.
 * @example
 * ```ts
 * import { rotateKeys } from '@xshl/cli'
 * const { rotated } = await rotateKeys({ in: 'ring.json' })
 * ```
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<RotateKeysReport> {
	const ring = await readRing(options.in);
	const rotated: RotatedKey[] = [];
	const off = ring.on("rotate", (event) => {
		for (const r of event.rotations)
			rotated.push({ use: r.use, retired: r.retiredKid, active: r.activeKid, next: r.nextKid });
	});
	try {
		await ring.rotate();
	} finally {
		off();
	}
	await writeSecretFile(options.in, `${JSON.stringify(await snapshotRing(ring), null, 2)}\n`, true);
	return { file: options.in, rotated, ...describeRing(ring) };
}
