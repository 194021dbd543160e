/**
 * `xshl keys jwks`: the public JWKS of the key ring saved in a snapshot file.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */

import { fileMode, readRing } from "./internal/ring-file";
import { describeRing, type RingDescription } from "./internal/ring-report";

/** Options of {@link ringJwks}. */
export interface RingJwksOptions {
	/** The snapshot file. */
	in: string;
}

/** What {@link ringJwks} found. */
export interface RingJwksReport extends RingDescription {
	/** The snapshot file. */
	file: string;
	/** Its permission bits in octal, e.g. `"0600"`. */
	mode: string;
	/** `true` when the group or others may read the file (it holds private keys). */
	modeTooOpen: boolean;
}

/**
 * Reads the ring snapshot `in` and returns its public JWKS and key metadata; warns (through
 * `modeTooOpen`) when the file is readable by the group or others.
 *
 * @param options - see {@link RingJwksOptions}.
 * @returns the public description of the ring.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when `in` cannot be read or is not a ring snapshot.
 * @example
 * ```ts
 * import { ringJwks } from '@xshl/cli'
 * const { jwks } = await ringJwks({ in: 'ring.json' })
 * ```
 */
export async function ringJwks(options: RingJwksOptions): Promise<RingJwksReport> {
	const ring = await readRing(options.in);
	const mode = await fileMode(options.in);
	return {
		file: options.in,
		mode: `0${mode.toString(8).padStart(3, "0")}`,
		modeTooOpen: (mode & 0o077) !== 0,
		...describeRing(ring),
	};
}
