/**
 * `xshl keys generate`: a new key ring, saved as a private snapshot (mode 0600).
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */
import { KeyRing, type SigningAlg } from "@xshl/keys/ring";
import { snapshotRing, writeSecretFile } from "./internal/ring-file";
import { describeRing, type RingDescription } from "./internal/ring-report";

/**
 * Signing algorithms `xshl keys generate --alg` accepts.
 *
 * @example
 * ```ts
 * import { GENERATE_ALGORITHMS } from '@xshl/cli'
 * GENERATE_ALGORITHMS.includes('ES256') // true
 * ```
 */
export const GENERATE_ALGORITHMS: readonly SigningAlg[] = [
	"ES256",
	"EdDSA",
	"Ed25519",
	"RS256",
	"PS256",
];

/** Options of {@link generateKeys}. */
export interface GenerateKeysOptions {
	/** The signing algorithm. */
	alg: SigningAlg;
	/** Also generate encryption keys: `RSA-OAEP-256` for RS256/PS256, `ECDH-ES+A256KW` (P-256) otherwise. @default false */
	enc?: boolean;
	/** The snapshot file to write (mode 0600). */
	out: string;
	/** Overwrite `out` when it exists. @default false */
	force?: boolean;
}

/** What {@link generateKeys} wrote. */
export interface GenerateKeysReport extends RingDescription {
	/** The snapshot file. */
	file: string;
	/** Its permission bits, always `"0600"`. */
	mode: "0600";
}

/**
 * Generates a key ring (an active and a published next key per use) and writes its private
 * snapshot to `out` with mode 0600, refusing an existing file unless `force`.
 *
 * @param options - see {@link GenerateKeysOptions}.
 * @returns the file and the ring's public description (keys and JWKS).
 * @throws CliFileExistsError `ERR_CLI_FILE_EXISTS` when `out` exists and `force` is not set.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when `out` cannot be written.
 * @example
 * ```ts
 * import { generateKeys } from '@xshl/cli'
 * const { jwks } = await generateKeys({ alg: 'EdDSA', out: 'ring.json' })
 * ```
 */
export async function generateKeys(options: GenerateKeysOptions): Promise<GenerateKeysReport> {
	const rsa = options.alg === "RS256" || options.alg === "PS256";
	const ring = await KeyRing.generate({
		signing: options.alg,
		encryption: options.enc === true ? (rsa ? "RSA-OAEP-256" : "ECDH-ES+A256KW") : false,
	});
	const snapshot = await snapshotRing(ring);
	await writeSecretFile(
		options.out,
		`${JSON.stringify(snapshot, null, 2)}\n`,
		options.force === true,
	);
	return { file: options.out, mode: "0600", ...describeRing(ring) };
}
