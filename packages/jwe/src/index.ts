/**
 * `@xshl/jwe`: compact JWE with strict defaults (alg/enc allowlists, no `zip`, size limits,
 * one error for every decryption failure), nested JWT helpers and the session adapter.
 *
 * @module
 */

export type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from "./algorithms";
export {
	CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_KEY_MANAGEMENT_ALGORITHMS,
	DEFAULT_MAX_TOKEN_BYTES,
	KEY_MANAGEMENT_ALGORITHMS,
	MAX_PBES2_COUNT,
} from "./algorithms";
export type {
	DecryptionKey,
	DecryptionKeyInput,
	DecryptionKeyMaterial,
	DeserializeOptions,
	DeserializeResult,
	JweHeader,
} from "./deserialize";
export { deserialize } from "./deserialize";
export type {
	ConfigIssue,
	JweErrorCode,
	JweErrorOptions,
	JweErrors,
} from "./errors";
export {
	DECRYPTION_FAILED_MESSAGE,
	JWE_ERROR_CODES,
	JweAlgNotAllowedError,
	JweConfigError,
	JweDecryptionFailedError,
	JweEncryptionFailedError,
	JweError,
	JweHeaderInvalidError,
	JweInvalidError,
	JweNestedInvalidError,
	JweNestedVerificationFailedError,
	JweNoMatchingKeyError,
	JweNotSupportedError,
	JwePayloadInvalidError,
	JweTokenTooLargeError,
	JweZipRefusedError,
} from "./errors";
export type {
	DecryptThenVerifyOptions,
	EncryptJwtOptions,
	JwtVerifierOptions,
	NestedContext,
	NestedVerifier,
	SignThenEncryptOptions,
} from "./nested";
export {
	DEFAULT_JWS_ALGORITHMS,
	decryptThenVerify,
	encryptJwt,
	jwtVerifier,
	signThenEncrypt,
} from "./nested";
export type {
	JsonValue,
	JwePayload,
	JweProtectedHeaderInput,
	RecipientKeyQuery,
	RecipientKeySet,
	SerializeOptions,
} from "./serialize";
export { encodePayload, serialize } from "./serialize";
export type { JweSessionLike, SessionJwe, SessionJweOptions } from "./session";
export { sessionJwe } from "./session";
