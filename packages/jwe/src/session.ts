/**
 * The session adapter: the Python original's `session.serialize(payload, header)` and
 * `session.deserialize(token)`, as a thin layer over {@link serialize} and {@link deserialize}
 * that reads the recipient key set and the private key from a `@xshl/session-core` session.
 * Structural: `@xshl/jwe` does not depend on `@xshl/session-core` at runtime. Import from
 * `@xshl/jwe`.
 *
 * @module
 */

import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from "./algorithms";
import {
	type DecryptionKeyInput,
	type DeserializeOptions,
	type DeserializeResult,
	deserialize,
} from "./deserialize";
import { JweConfigError } from "./errors";
import { DEFAULT_JWS_ALGORITHMS } from "./internal/jws-algorithms";
import { verifyDecrypted } from "./internal/nested";
import { encryptJwt, type NestedVerifier } from "./nested";
import {
	type JwePayload,
	type JweProtectedHeaderInput,
	type RecipientKeySet,
	type SerializeOptions,
	serialize,
} from "./serialize";

/**
 * What the adapter needs from a session: `config.keys` (recipient lookup), `config.key` (the
 * private key the original also decrypted with), and optionally `jwt()` to issue the session's
 * signed token. Any `@xshl/session-core` `Session` satisfies it.
 */
export interface JweSessionLike {
	/** The session's configuration. */
	readonly config: {
		/** The key set recipients are looked up in (`getKey({kid, use: "enc", alg})`). */
		readonly keys: RecipientKeySet;
		/** The configured private key (PEM, JWK, CryptoKey or bytes). */
		readonly key?: unknown;
	};
	/** Issues the session's signed JWT (used by {@link SessionJwe.seal}). */
	jwt?: () => Promise<string>;
}

/** Options of {@link sessionJwe}. */
export interface SessionJweOptions {
	/**
	 * Decryption keys (e.g. `ring.decryptionKeys()`). Recommended. When absent, the session's
	 * `config.key` is used, as the original did; that reuses the signing key for decryption.
	 * @default session.config.key
	 */
	decryptionKeys?: DecryptionKeyInput;
	/** @default ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A256KW"] */
	keyManagementAlgorithms?: readonly KeyManagementAlgorithm[];
	/** @default ["A256GCM"] */
	contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[];
	/** Maximum token size in bytes, both ways. @default 8192 */
	maxTokenBytes?: number;
}

/** The Python original's JWE helpers, bound to one session. */
export interface SessionJwe {
	/** `session.serialize(payload, header)`: encrypt to the key set's recipient named by `header.kid`. */
	serialize(payload: JwePayload, header: JweProtectedHeaderInput): Promise<string>;
	/** `session.deserialize(token)`: decrypt with the session's private key(s). */
	deserialize(token: string): Promise<DeserializeResult>;
	/** Signs the session (`session.jwt()`), then encrypts it with `cty: "JWT"`. */
	seal(header: JweProtectedHeaderInput): Promise<string>;
	/** Decrypts a sealed session, then verifies it with `verify` (e.g. session-core's `verifySession`). */
	open<T>(token: string, verify: NestedVerifier<T>): Promise<T>;
}

const pemDecoder = new TextDecoder();

/** The original decrypted with `ConfigSession.key` (PEM bytes or a key): PEM bytes become text. */
function fromConfigKey(key: unknown): DecryptionKeyInput | undefined {
	if (key instanceof Uint8Array) {
		const text = pemDecoder.decode(key.subarray(0, 11));
		if (text === "-----BEGIN ") return pemDecoder.decode(key);
	}
	return key as DecryptionKeyInput | undefined;
}

/**
 * Binds `serialize`/`deserialize` to a session, like the original's `session.serialize()` and
 * `session.deserialize()`: the recipient public key comes from `session.config.keys` by the
 * header's `kid` (`use: "enc"`), decryption uses `decryptionKeys` or else `session.config.key`.
 * Every default of {@link deserialize} applies.
 *
 * @param session - a `@xshl/session-core` `Session` (or anything shaped like {@link JweSessionLike}).
 * @param options - decryption keys, allowlists, size limit.
 * @returns the bound helpers.
 * @throws {JweConfigError} `ERR_JWE_CONFIG_INVALID` when the session has no `config.keys` or the options are invalid.
 * @example
 * ```ts
 * import { sessionJwe } from '@xshl/jwe'
 * const jwe = sessionJwe(session, { decryptionKeys: ring.decryptionKeys() })
 * const token = await jwe.serialize('payload', { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid })
 * console.log((await jwe.deserialize(token)).text()) // 'payload'
 * ```
 */
export function sessionJwe(session: JweSessionLike, options: SessionJweOptions = {}): SessionJwe {
	const keys = session?.config?.keys;
	if (typeof keys?.getKey !== "function") {
		throw new JweConfigError("the session has no config.keys with getKey()", [
			{ path: "session.config.keys", message: "expected a key set with getKey()" },
		]);
	}
	const policy = {
		...(options.keyManagementAlgorithms && {
			keyManagementAlgorithms: options.keyManagementAlgorithms,
		}),
		...(options.contentEncryptionAlgorithms && {
			contentEncryptionAlgorithms: options.contentEncryptionAlgorithms,
		}),
		...(options.maxTokenBytes !== undefined && { maxTokenBytes: options.maxTokenBytes }),
	};
	const jwsAlgorithms: ReadonlySet<string> = new Set(DEFAULT_JWS_ALGORITHMS);
	const serializeOptions: SerializeOptions = { keys, ...policy };
	let deserializeOptions: DeserializeOptions | undefined;
	const decryptionOptions = (): DeserializeOptions => {
		if (deserializeOptions === undefined) {
			const decryptionKeys = options.decryptionKeys ?? fromConfigKey(session.config.key);
			if (decryptionKeys === undefined) {
				throw new JweConfigError("no decryption key: pass decryptionKeys or set config.key", [
					{ path: "decryptionKeys", message: "required when the session has no config.key" },
				]);
			}
			deserializeOptions = { keys: decryptionKeys, ...policy };
		}
		return deserializeOptions;
	};
	return Object.freeze({
		serialize: (payload: JwePayload, header: JweProtectedHeaderInput) =>
			serialize(payload, header, serializeOptions),
		deserialize: (token: string) => deserialize(token, decryptionOptions()),
		seal: async (header: JweProtectedHeaderInput) => {
			if (typeof session.jwt !== "function") {
				throw new JweConfigError("the session has no jwt() method to sign with", [
					{ path: "session.jwt", message: "expected a function" },
				]);
			}
			return encryptJwt(await session.jwt(), header, serializeOptions);
		},
		open: async <T>(token: string, verify: NestedVerifier<T>) => {
			if (typeof verify !== "function") {
				throw new JweConfigError("open() needs a verify function", [
					{ path: "verify", message: "expected a function" },
				]);
			}
			return verifyDecrypted(await deserialize(token, decryptionOptions()), verify, jwsAlgorithms);
		},
	});
}
