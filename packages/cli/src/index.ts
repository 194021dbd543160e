/**
 * `@xshl/cli`: the `xshl` command (`npx @xshl/cli`), and its commands as functions for
 * programs and tests: {@link run} for a whole command line, or one command's function.
 *
 * @module
 */

export type { CliErrorCode, CliErrorOptions, CliErrors } from "./errors";
export {
	CLI_ERROR_CODES,
	CliError,
	CliFileExistsError,
	CliInputInvalidError,
	CliTokenMalformedError,
	CliUsageError,
} from "./errors";
export type { RingDescription } from "./internal/ring-report";
export type { CliIO } from "./io";
export { nodeIO } from "./io";
export type {
	CheckJwksOptions,
	JwksCheckReport,
	JwksResponseSeen,
	KeptKey,
} from "./jwks-check";
export { checkJwks } from "./jwks-check";
export type { GenerateKeysOptions, GenerateKeysReport } from "./keys-generate";
export { GENERATE_ALGORITHMS, generateKeys } from "./keys-generate";
export type { RingJwksOptions, RingJwksReport } from "./keys-jwks";
export { ringJwks } from "./keys-jwks";
export type { RotatedKey, RotateKeysOptions, RotateKeysReport } from "./keys-rotate";
export { rotateKeys } from "./keys-rotate";
export { run } from "./run";
export type {
	InspectTokenOptions,
	ReportedError,
	TimeClaim,
	TokenReport,
	VerifyingKey,
} from "./token-inspect";
export { inspectToken } from "./token-inspect";
