/**
 * Nested JWT (RFC 7519 §5.2, §11.2): sign, then encrypt with `cty: "JWT"`; decrypt, then
 * verify. A successful decryption alone never yields claims: only the verifier's result is
 * returned. Import from `@xshl/jwe`.
 *
 * @module
 */

import { type JWK, type JWTPayload, type JWTVerifyOptions, jwtVerify, SignJWT } from "jose";
import * as z from "zod";
import { type DeserializeOptions, deserialize, type JweHeader } from "./deserialize";
import {
	JweConfigError,
	JweEncryptionFailedError,
	JweHeaderInvalidError,
	JweNestedInvalidError,
	JwePayloadInvalidError,
} from "./errors";
import { DEFAULT_JWS_ALGORITHMS } from "./internal/jws-algorithms";
import { innerHeader, verifyDecrypted } from "./internal/nested";
import { configError } from "./internal/policy";
import { type JweProtectedHeaderInput, type SerializeOptions, serialize } from "./serialize";

export { DEFAULT_JWS_ALGORITHMS };

const jwsAlgSchema = z.enum(DEFAULT_JWS_ALGORITHMS as [string, ...string[]], {
	error: () =>
		`a nested token must be signed with an asymmetric algorithm (${DEFAULT_JWS_ALGORITHMS.join(", ")}); none and HS* are refused`,
});

/** Options of {@link encryptJwt}: the same as {@link serialize}'s. */
export type EncryptJwtOptions = SerializeOptions;

/**
 * Encrypts an already-signed JWT (e.g. `await session.jwt()`) with `cty: "JWT"`. The JWT must
 * be a compact JWS with an asymmetric `alg` and a JWT `typ`.
 *
 * @param jwt - the signed compact JWS.
 * @param header - the JWE protected header (`alg`, `enc`, `kid`); `cty` is set to `"JWT"`.
 * @param options - as {@link serialize}.
 * @returns the compact nested JWE.
 * @throws {JweNestedInvalidError} `ERR_JWE_NESTED_INVALID` when `jwt` is not a signed JWS.
 * @throws {JweHeaderInvalidError} `ERR_JWE_HEADER_INVALID` when `header.cty` is present and not `JWT`.
 * @throws Every error of {@link serialize}.
 * @example
 * ```ts
 * import { encryptJwt } from '@xshl/jwe'
 * const nested = await encryptJwt(await session.jwt(), { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid }, { keys })
 * ```
 */
export async function encryptJwt(
	jwt: string,
	header: JweProtectedHeaderInput,
	options: EncryptJwtOptions,
): Promise<string> {
	if (typeof jwt !== "string") throw new JweNestedInvalidError("the JWT must be a string");
	innerHeader(jwt, new Set(DEFAULT_JWS_ALGORITHMS));
	if (header?.cty !== undefined && String(header.cty).toUpperCase() !== "JWT") {
		throw new JweHeaderInvalidError('a nested JWT must have cty "JWT"');
	}
	return serialize(jwt, { ...header, cty: "JWT" }, options);
}

/** Options of {@link signThenEncrypt}. */
export interface SignThenEncryptOptions extends SerializeOptions {
	/** The private signing key (e.g. `ring.signingKey().privateKey` or a session's key). */
	signingKey: CryptoKey | JWK;
	/** The JWS header: an asymmetric `alg` and usually `kid`; `typ` defaults to `"JWT"`. */
	signingHeader: { alg: string; kid?: string; typ?: string; [parameter: string]: unknown };
}

/**
 * Signs claims as a JWT (`typ: "JWT"` unless given), then encrypts it with `cty: "JWT"`.
 *
 * @param claims - the JWT claims set.
 * @param header - the JWE protected header (`alg`, `enc`, `kid`).
 * @param options - the signing key and header, plus every {@link serialize} option.
 * @returns the compact nested JWE.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` when the signing alg is `none` or `HS*`.
 * @throws {JweEncryptionFailedError} `ERR_JWE_ENCRYPTION_FAILED` when signing fails (cause: jose).
 * @throws Every error of {@link serialize}.
 * @example
 * ```ts
 * import { signThenEncrypt } from '@xshl/jwe'
 * const { privateKey, header: signingHeader } = ring.signingKey()
 * const token = await signThenEncrypt({ sub: 'u1' }, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid }, { keys, signingKey: privateKey, signingHeader })
 * ```
 */
export async function signThenEncrypt(
	claims: JWTPayload,
	header: JweProtectedHeaderInput,
	options: SignThenEncryptOptions,
): Promise<string> {
	const alg = jwsAlgSchema.safeParse(options?.signingHeader?.alg);
	if (!alg.success) throw configError("signThenEncrypt", alg.error);
	if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
		throw new JwePayloadInvalidError("the claims must be a JSON object");
	}
	let jwt: string;
	try {
		jwt = await new SignJWT(claims)
			.setProtectedHeader({ typ: "JWT", ...options.signingHeader })
			.sign(options.signingKey);
	} catch (cause) {
		throw new JweEncryptionFailedError("jose could not sign the inner JWT", { cause });
	}
	return encryptJwt(jwt, header, options);
}

/** What the inner token's verifier is told besides the JWS. */
export interface NestedContext {
	/** The outer JWE's protected header. */
	readonly protectedHeader: JweHeader;
	/** The inner JWS's protected header (not yet verified). */
	readonly jwsHeader: Readonly<Record<string, unknown>>;
}

/**
 * Verifies the inner compact JWS and returns the trusted result, e.g.
 * `(jws) => verifySession(jws, { keys })` from `@xshl/session-core`, or {@link jwtVerifier}.
 */
export type NestedVerifier<T> = (jws: string, context: NestedContext) => Promise<T> | T;

/** Options of {@link decryptThenVerify}: {@link deserialize}'s plus the verifier. */
export interface DecryptThenVerifyOptions<T> extends DeserializeOptions {
	/** Verifies the inner JWS; its result is what {@link decryptThenVerify} returns. */
	verify: NestedVerifier<T>;
	/**
	 * JWS `alg`s the inner token may use, checked before the verifier runs.
	 * @default DEFAULT_JWS_ALGORITHMS (asymmetric only; none and HS* can never be listed)
	 */
	jwsAlgorithms?: readonly string[];
}

const jwsAlgListSchema = z.array(jwsAlgSchema).min(1).readonly().optional();
const jwsAlgCache = new WeakMap<object, ReadonlySet<string>>();
const defaultJwsAlgSet: ReadonlySet<string> = new Set(DEFAULT_JWS_ALGORITHMS);

/**
 * Decrypts a nested JWT, then verifies the inner JWS. The JWE must carry `cty: "JWT"`, its
 * plaintext must be a signed compact JWS (never another JWE, never raw claims) with an allowed
 * asymmetric `alg` and a JWT `typ`; only then is `verify` called, and only its result is
 * returned.
 *
 * @param token - the compact nested JWE.
 * @param options - {@link deserialize}'s options plus `verify` and `jwsAlgorithms`.
 * @returns what `verify` returns.
 * @throws Every error of {@link deserialize}.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` when `verify` is missing or `jwsAlgorithms` lists none/HS*.
 * @throws {JweNestedInvalidError} `ERR_JWE_NESTED_INVALID` for a missing `cty: "JWT"`, raw claims, a nested JWE, a bad inner alg or typ.
 * @throws {JweNestedVerificationFailedError} `ERR_JWE_NESTED_VERIFICATION_FAILED` when `verify` throws (its error is the cause).
 * @example
 * ```ts
 * import { decryptThenVerify } from '@xshl/jwe'
 * import { verifySession } from '@xshl/session-core'
 * const claims = await decryptThenVerify(token, { keys: ring.decryptionKeys(), verify: (jws) => verifySession(jws, { keys: keySet }) })
 * ```
 */
export async function decryptThenVerify<T>(
	token: string,
	options: DecryptThenVerifyOptions<T>,
): Promise<T> {
	if (typeof options?.verify !== "function") {
		throw new JweConfigError("decryptThenVerify needs a verify function", [
			{ path: "verify", message: "expected a function" },
		]);
	}
	let allowed = defaultJwsAlgSet;
	if (options.jwsAlgorithms !== undefined) {
		const hit = jwsAlgCache.get(options);
		if (hit === undefined) {
			const parsed = jwsAlgListSchema.safeParse(options.jwsAlgorithms);
			if (!parsed.success) throw configError("decryptThenVerify", parsed.error);
			allowed = new Set(parsed.data);
			jwsAlgCache.set(options, allowed);
		} else {
			allowed = hit;
		}
	}
	const result = await deserialize(token, options);
	return verifyDecrypted(result, options.verify, allowed);
}

/** Options of {@link jwtVerifier}: jose's `JWTVerifyOptions` with a required `algorithms`. */
export interface JwtVerifierOptions extends Omit<JWTVerifyOptions, "algorithms"> {
	/** The verification key, or a resolver such as an `@xshl/keys` `KeySet#resolver`. */
	key:
		| CryptoKey
		| JWK
		| ((protectedHeader: { kid?: string; alg?: string }, token?: unknown) => Promise<CryptoKey>);
	/** Allowed asymmetric JWS algorithms; none and HS* are refused. */
	algorithms: readonly string[];
}

/**
 * A {@link NestedVerifier} built on jose's `jwtVerify`, for callers that do not use
 * `@xshl/session-core`. It returns the verified payload.
 *
 * @param options - key (or resolver), asymmetric `algorithms`, and any jose claim options.
 * @returns a verifier for {@link decryptThenVerify}.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` when `algorithms` is empty or lists none/HS*.
 * @example
 * ```ts
 * import { decryptThenVerify, jwtVerifier } from '@xshl/jwe'
 * const verify = jwtVerifier({ key: keySet.resolver, algorithms: ['ES256'], issuer: 'urn:issuer' })
 * const claims = await decryptThenVerify(token, { keys, verify })
 * ```
 */
export function jwtVerifier(options: JwtVerifierOptions): NestedVerifier<JWTPayload> {
	const parsed = z.array(jwsAlgSchema).min(1).safeParse(options?.algorithms);
	if (!parsed.success) throw configError("jwtVerifier", parsed.error);
	const { key, algorithms: _, ...rest } = options;
	const verifyOptions: JWTVerifyOptions = { ...rest, algorithms: parsed.data };
	return async (jws) => {
		const { payload } =
			typeof key === "function"
				? await jwtVerify(jws, key as never, verifyOptions)
				: await jwtVerify(jws, key, verifyOptions);
		return payload;
	};
}
