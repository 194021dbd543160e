import { type JWTVerifyOptions, jwtVerify } from "jose";
import { checkJwt } from "./compact";
import { joseError, keySetError } from "./errors-map";
import { algorithmAllowlist, type CompiledVerifyOptions } from "./verify-options";

/** What an engine returns: a token whose signature and registered claims passed. */
export interface VerifiedJws {
	/** The claims set, checked like jose's `jwtVerify` (required claims, times, aud, iss, typ). */
	readonly payload: Record<string, unknown>;
	/** The protected header as decoded. */
	readonly protectedHeader: Readonly<Record<string, unknown>> & { readonly alg: string };
}

/**
 * A verify engine: the format gate, the signature with the allowlist and the key set's key,
 * and the registered claims; rejections are `SessionError`s with the codes of the jose path.
 */
export interface VerifyEngine {
	/** `"jose"` or `"node"`. */
	readonly name: string;
	verify(token: string): Promise<VerifiedJws>;
	/**
	 * `verify(token).then(next)` with one promise hop fewer where the engine can (the node
	 * engine calls `next` in the same job that checked the signature); `next`'s throw rejects.
	 */
	verifyThen?<R>(token: string, next: (result: VerifiedJws) => R): Promise<R>;
	/** The current algorithm allowlist (checked again on cache hits). */
	algorithms(): readonly string[];
}

/** The jose engine, which can also finish a verification with an already resolved key. */
export interface JoseEngine extends VerifyEngine {
	/** `jwtVerify` with `key` instead of the key set's resolver (same options and mapping). */
	verifyWithKey(token: string, key: unknown): Promise<VerifiedJws>;
}

/**
 * The jose engine: `jwtVerify` (WebCrypto) behind the format gate, options built once per
 * algorithm list. Runs on every runtime.
 */
export function joseEngine(o: CompiledVerifyOptions): JoseEngine {
	const base: JWTVerifyOptions = {
		clockTolerance: o.leeway,
		maxTokenAge: o.maxTokenAge,
		requiredClaims: [...o.requiredClaims],
	};
	if (o.typ !== undefined) base.typ = o.typ;
	if (o.audience !== undefined) base.audience = [...o.audience];
	if (o.issuer !== undefined) base.issuer = typeof o.issuer === "string" ? o.issuer : [...o.issuer];
	const clock = o.clock;
	// with the default clock jose reads the time itself; a custom clock is read through a
	// getter when jose checks the claims, so one options object serves every call
	const options = algorithmAllowlist(o, (algorithms): JWTVerifyOptions => {
		const result: JWTVerifyOptions = { ...base, algorithms };
		if (clock !== undefined) {
			Object.defineProperty(result, "currentDate", {
				enumerable: true,
				get: (): Date => new Date(clock()),
			});
		}
		return result;
	});

	const keys = o.keys;
	const hmacSecret = o.hmacSecret;
	function rethrow(error: unknown): never {
		throw keySetError(error);
	}
	// one promise per lookup (no async wrapper): the resolver's own promise, with errors mapped;
	// the HMAC secret is returned as it is (jose awaits a plain value without a promise)
	function resolve(
		header: { kid?: string; alg?: string },
		token?: unknown,
	): Promise<CryptoKey | Uint8Array> | CryptoKey | Uint8Array {
		if (hmacSecret !== undefined && header.alg?.startsWith("HS")) return hmacSecret;
		try {
			return keys.resolver(header, token).then(undefined, rethrow);
		} catch (error) {
			return Promise.reject(keySetError(error));
		}
	}
	function onRejected(error: unknown): never {
		throw joseError(error);
	}
	const maxTokenBytes = o.maxTokenBytes;
	return {
		name: "jose",
		verify(token: string): Promise<VerifiedJws> {
			try {
				checkJwt(token, maxTokenBytes);
			} catch (error) {
				return Promise.reject(error);
			}
			return jwtVerify(token, resolve, options()).then(
				(result) => result as unknown as VerifiedJws,
				onRejected,
			);
		},
		verifyWithKey(token: string, key: unknown): Promise<VerifiedJws> {
			return jwtVerify(token, key as CryptoKey, options()).then(
				(result) => result as unknown as VerifiedJws,
				onRejected,
			);
		},
		algorithms: () => options().algorithms ?? [],
	};
}
