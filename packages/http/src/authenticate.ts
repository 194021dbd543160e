/**
 * `authenticate(request)` for resource servers: the bearer token, verified offline with
 * session-core against a key set, bound to the client by the trace recipe, then the
 * `isRevoked` hook, required scopes and the claim check.
 */

import {
	createSessionVerifier,
	type RevocationSource,
	type SessionClaims,
	type SessionClaimsSchemaLike,
	type SessionKeySet,
	type SessionVerifier,
	type VerifiedSession,
	type VerifyCacheOptions,
} from "@xshl/session-core";
import type { Trace } from "@xshl/trace";
import { createClientIpResolver, type RequestInfo, type TrustedProxies } from "./client-ip";
import {
	HttpBadRequestError,
	HttpClaimCheckError,
	HttpConfigError,
	type HttpConfigIssue,
	HttpInsufficientScopeError,
	HttpTokenMalformedError,
	HttpTokenMissingError,
	HttpTokenRevokedError,
	HttpTraceMismatchError,
	HttpTraceRecipeMismatchError,
} from "./errors";
import { cookieNames, readCookie } from "./internal/cookies";
import type { RequestHead } from "./request-head";
import {
	diagnoseTrace,
	type TraceParts,
	type TraceRecipe,
	traceOf,
	traceParts,
	WEB_TRACE_RECIPE,
} from "./trace-recipe";

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
	/** The key set tokens verify with (`RemoteKeySet`, or the ring's `keySet(name)`). */
	keys: SessionKeySet;
	/** Accepted issuer(s) (`iss`). */
	issuer: string | readonly string[];
	/** Accepted audience(s): the token's `aud` must contain one. */
	audience: string | readonly string[];
	/**
	 * The trace recipe tokens are bound to; the issuer must use the same one. `false` skips the
	 * binding (service tokens; loosening, see Security defaults). @default WEB_TRACE_RECIPE
	 */
	trace?: TraceRecipe | false;
	/** Whether the fingerprint cookie has the `__Host-` name (Secure cookies). @default true */
	secureCookies?: boolean;
	/** Proxies trusted for `X-Forwarded-For` (needed only when the recipe binds the IP). */
	trustedProxies?: TrustedProxies;
	/**
	 * Offline revocation, answered from memory on every request (cached tokens included): a
	 * `RevocationFeedClient` of `@xshl/keys/revocations` following the issuer's feed, or any
	 * object with a synchronous `isRevoked`. A refused token is `ERR_SESSION_REVOKED` (401).
	 * @default undefined (revocations reach this server only when the token expires)
	 */
	revocations?: RevocationSource;
	/** Online revocation check, called after the signature and claims verify. */
	isRevoked?: (claims: SessionClaims, request: Request) => boolean | Promise<boolean>;
	/** Scopes every token must carry. @default [] */
	requireScopes?: readonly string[];
	/** Extra check of the claims; `false` refuses with `ERR_HTTP_CLAIM_CHECK_FAILED`. */
	claimCheck?: (claims: SessionClaims) => boolean | Promise<boolean>;
	/** Claims schema (extend session-core's `sessionClaimsSchema`). */
	schema?: SessionClaimsSchemaLike;
	/** Require `auth_time` in tokens. @default true */
	requireAuthTime?: boolean;
	/** Token size limit in bytes. @default 8192 */
	maxTokenBytes?: number;
	/** Cookie and Authorization header size limit in bytes. @default 16384 */
	maxHeaderBytes?: number;
	/** Clock in milliseconds. @default Date.now */
	now?: () => number;
	/**
	 * session-core's opt-in verified-token cache, per client (trace and expiry still checked
	 * per request). @default undefined (off)
	 */
	verifyCache?: VerifyCacheOptions;
}

/** A verified request: the token, its protected header and claims. */
export interface Authenticated<C = SessionClaims> {
	/** The compact JWS. */
	readonly token: string;
	/** The protected header (`alg`, `kid`, `typ`). */
	readonly header: Readonly<Record<string, unknown>> & { readonly alg: string };
	/** The verified claims. */
	readonly claims: C;
}

/** What {@link createAuthenticator} returns. */
export interface Authenticator {
	/**
	 * Verify the request's bearer token.
	 *
	 * @param request - the request.
	 * @param info - the peer address (for an IP-bound recipe).
	 * @returns the token, header and claims.
	 * @throws {HttpTokenMissingError} `ERR_HTTP_TOKEN_MISSING` (401)
	 * @throws {HttpTokenMalformedError} `ERR_HTTP_TOKEN_MALFORMED` (401)
	 * @throws {HttpBadRequestError} `ERR_HTTP_BAD_REQUEST` (400) for `?access_token=`
	 * @throws {HttpTraceMismatchError} `ERR_HTTP_TRACE_MISMATCH` (401) naming the part
	 * @throws {HttpTraceRecipeMismatchError} `ERR_HTTP_TRACE_RECIPE_MISMATCH` (401)
	 * @throws {HttpTokenRevokedError} `ERR_HTTP_TOKEN_REVOKED` (401)
	 * @throws {HttpInsufficientScopeError} `ERR_HTTP_INSUFFICIENT_SCOPE` (403)
	 * @throws {HttpClaimCheckError} `ERR_HTTP_CLAIM_CHECK_FAILED` (401)
	 * @throws {SessionError} `ERR_SESSION_SID_MISMATCH` (401) when every trace part matches the token but its `sid` does not: `keys.name` differs from the issuer's key-set name
	 * @throws {SessionError} session-core's code for a refused token (`ERR_SESSION_EXPIRED`, …; 401, or 503 when keys are unavailable)
	 */
	authenticate(request: Request, info?: RequestInfo): Promise<Authenticated>;
	/**
	 * {@link Authenticator.authenticate} from the request's head (URL and headers) with no
	 * WHATWG `Request` built per call: what the Fastify and Express adapters use, with
	 * {@link nodeRequestHead} over the framework's parsed headers. Same checks, same errors.
	 *
	 * @param head - the URL and headers (a `Request` is one).
	 * @param info - the peer address (for an IP-bound recipe).
	 * @param request - builds the full `Request`, called only for the `isRevoked` hook (which
	 *   receives one); required when that hook is set and `head` is not a `Request`.
	 * @returns the token, header and claims.
	 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` when the `isRevoked` hook is set and
	 *   neither `request` nor a `Request` as `head` was given.
	 * @throws the errors of {@link Authenticator.authenticate}.
	 * @example
	 * ```ts
	 * const a = await authenticator.authenticateHead(nodeRequestHead(req.url, req.headers), { remoteAddress: req.socket.remoteAddress })
	 * ```
	 */
	authenticateHead(
		head: RequestHead,
		info?: RequestInfo,
		request?: () => Request,
	): Promise<Authenticated>;
	/** The trace parts of a request under this authenticator's recipe (`undefined` without one). */
	traceParts(request: RequestHead, info?: RequestInfo): TraceParts | undefined;
	/** The recipe, or `false`. */
	readonly recipe: TraceRecipe | false;
	/**
	 * The one compiled session-core verifier behind every bearer check: its engine and its
	 * `on("verify", listener)` (one event per check that reached the verifier: outcome, code,
	 * engine, cache hit, duration). Pass it to `@xshl/otel`'s `instrument({ verifier })` for
	 * `xshl.verify` spans; with no listener a check pays nothing for it.
	 *
	 * @example
	 * ```ts
	 * const off = authenticator.verifier.on('verify', (e) => e.outcome === 'error' && console.warn(e.code))
	 * ```
	 */
	readonly verifier: Pick<SessionVerifier<SessionClaims>, "on" | "engine">;
}

/** `Bearer ` and a compact JWS's characters; the dots are counted apart (no backtracking). */
const BEARER = /^Bearer [A-Za-z0-9_.-]+$/;

/** The token of a `Bearer` value: three base64url segments, the first two non-empty. */
function bearerToken(h: string): string | undefined {
	if (!BEARER.test(h)) return undefined;
	const first = h.indexOf(".", 7);
	if (first <= 7) return undefined;
	const second = h.indexOf(".", first + 1);
	if (second <= first + 1 || h.indexOf(".", second + 1) !== -1) return undefined;
	return h.slice(7);
}

/**
 * The scopes of a claims object: an array, or a space-separated string.
 *
 * @param claims - verified claims.
 * @returns the scopes.
 */
export function scopesOf(claims: { scope?: unknown }): string[] {
	const s = claims.scope;
	if (Array.isArray(s)) return s.filter((x): x is string => typeof x === "string");
	if (typeof s === "string") return s.split(" ").filter(Boolean);
	return [];
}

/**
 * Refuse claims that lack one of the scopes.
 *
 * @param claims - verified claims.
 * @param scopes - the required scopes.
 * @throws {HttpInsufficientScopeError} `ERR_HTTP_INSUFFICIENT_SCOPE` (403, `WWW-Authenticate: Bearer error="insufficient_scope"`).
 * @example
 * ```ts
 * const { claims } = await authenticate(request)
 * requireScopes(claims, ['orders:write'])
 * ```
 */
export function requireScopes(claims: { scope?: unknown }, scopes: readonly string[]): void {
	if (scopes.length === 0) return;
	const have = new Set(scopesOf(claims));
	if (!scopes.every((s) => have.has(s))) throw new HttpInsufficientScopeError(scopes);
}

function payloadOf(token: string): Record<string, unknown> | undefined {
	try {
		const part = token.split(".")[1] ?? "";
		const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
		const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
		const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
		const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
		return v !== null && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Build the resource-server check.
 *
 * @param options - keys, issuer, audience, recipe and checks.
 * @returns the authenticator.
 * @throws {HttpConfigError} `ERR_HTTP_CONFIG_INVALID` for missing keys, issuer or audience, or bad limits.
 * @example
 * ```ts
 * import { createAuthenticator, errorResponse, WEB_TRACE_RECIPE } from '@xshl/http'
 * const { authenticate } = createAuthenticator({ keys, issuer: ISSUER, audience: 'api', trace: WEB_TRACE_RECIPE })
 * export default { fetch: async (request) => {
 *   try { const { claims } = await authenticate(request); return Response.json({ sub: claims.sub }) }
 *   catch (e) { return errorResponse(e) }
 * } }
 * ```
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
	const issues: HttpConfigIssue[] = [];
	if (!options?.keys || typeof options.keys.resolver !== "function")
		issues.push({ path: "keys", message: "must be a key set" });
	const issuer = typeof options?.issuer === "string" ? [options.issuer] : options?.issuer;
	if (
		!Array.isArray(issuer) ||
		issuer.length === 0 ||
		issuer.some((i) => typeof i !== "string" || !i)
	)
		issues.push({ path: "issuer", message: "must be a non-empty string or list" });
	const audience = typeof options?.audience === "string" ? [options.audience] : options?.audience;
	if (
		!Array.isArray(audience) ||
		audience.length === 0 ||
		audience.some((a) => typeof a !== "string" || !a)
	)
		issues.push({ path: "audience", message: "must be a non-empty string or list" });
	const maxTokenBytes = options?.maxTokenBytes ?? 8192;
	if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 256 || maxTokenBytes > 65536)
		issues.push({ path: "maxTokenBytes", message: "must be an integer from 256 to 65536" });
	const maxHeaderBytes = options?.maxHeaderBytes ?? 16384;
	if (!Number.isInteger(maxHeaderBytes) || maxHeaderBytes < 1024 || maxHeaderBytes > 65536)
		issues.push({ path: "maxHeaderBytes", message: "must be an integer from 1024 to 65536" });
	if (issues.length > 0)
		throw new HttpConfigError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);

	const recipe = options.trace === undefined ? WEB_TRACE_RECIPE : options.trace;
	const fpName = cookieNames(options.secureCookies ?? true).fingerprint;
	const ipOf = createClientIpResolver(options.trustedProxies);
	const scopes = options.requireScopes ?? [];
	const verifier = createSessionVerifier({
		keys: options.keys,
		audience: audience as readonly string[],
		issuer: issuer as readonly string[],
		requireAuthTime: options.requireAuthTime ?? true,
		maxTokenBytes,
		...(options.now ? { now: options.now } : {}),
		...(options.schema ? { schema: options.schema } : {}),
		...(options.verifyCache ? { cache: options.verifyCache } : {}),
		...(options.revocations ? { revocations: options.revocations } : {}),
	}) as SessionVerifier<SessionClaims>;

	// the last client's inputs, parts and Trace: a client's requests come in runs (one
	// connection, one browser), so the common case rebuilds neither the parts nor the Trace
	let last:
		| { fp: string | undefined; ip: string; ua: string | null; parts: TraceParts; trace: Trace }
		| undefined;
	const clientOf = (
		request: RequestHead,
		info: RequestInfo | undefined,
	): { parts: TraceParts; trace: Trace } | undefined => {
		if (recipe === false) return undefined;
		const fp = readCookie(request.headers.get("cookie"), fpName, maxHeaderBytes);
		const ip = recipe.ip === false ? "" : ipOf(request, info);
		const ua = request.headers.get("user-agent");
		if (last !== undefined && last.fp === fp && last.ip === ip && last.ua === ua) return last;
		const parts = traceParts(recipe, { fingerprint: fp, ip, userAgent: ua });
		last = { fp, ip, ua, parts, trace: traceOf(parts) };
		return last;
	};
	const partsOf = (request: RequestHead, info?: RequestInfo): TraceParts | undefined =>
		clientOf(request, info)?.parts;

	const bearer = (request: RequestHead): string => {
		const url = request.url;
		const q = url.indexOf("?");
		if (q !== -1 && new URLSearchParams(url.slice(q + 1)).has("access_token"))
			throw new HttpBadRequestError("Tokens in the query string are not accepted");
		const h = request.headers.get("authorization");
		if (h === null || h === "")
			throw new HttpTokenMissingError("Authorization: Bearer token required");
		if (h.length > maxTokenBytes + 7)
			throw new HttpTokenMalformedError("Authorization header is malformed");
		const token = bearerToken(h);
		if (token === undefined) throw new HttpTokenMalformedError("Authorization header is malformed");
		return token;
	};

	const isRevoked = options.isRevoked;
	const authenticateHead = async (
		request: RequestHead,
		info?: RequestInfo,
		full?: () => Request,
	): Promise<Authenticated> => {
		const token = bearer(request);
		const client = clientOf(request, info);
		const parts = client?.parts;
		let verified: VerifiedSession<SessionClaims>;
		try {
			// one compiled verifier; this client's trace per call (its sid memoized per trace)
			verified = await (client === undefined
				? verifier.verifyWithHeader(token)
				: verifier.verifyWithHeader(token, { trace: client.trace }));
		} catch (err) {
			const code = (err as { code?: unknown })?.code;
			if (
				recipe !== false &&
				parts !== undefined &&
				(code === "ERR_SESSION_TRACE_MISMATCH" || code === "ERR_SESSION_SID_MISMATCH")
			) {
				// the signature verified before these checks, so the payload is the issuer's
				const trp = payloadOf(token)?.trp;
				const d = await diagnoseTrace(recipe, trp, parts);
				if (typeof d === "object") throw new HttpTraceRecipeMismatchError(d.recipe, recipe.id);
				// every part of this client matches the token's digests, yet the sid differs: the
				// sid was derived under another key-set name (`keys.name` must be the issuer's), so
				// session-core's ERR_SESSION_SID_MISMATCH says more than a trace mismatch would
				if (
					d === "unknown" &&
					code === "ERR_SESSION_SID_MISMATCH" &&
					typeof (trp as { r?: unknown } | undefined)?.r === "string"
				)
					throw err;
				throw new HttpTraceMismatchError(d, { cause: err });
			}
			throw err;
		}
		const claims = verified.claims;
		if (isRevoked !== undefined && (await isRevoked(claims, fullRequest(request, full))))
			throw new HttpTokenRevokedError("This token or its session was revoked");
		requireScopes(claims, scopes);
		if (options.claimCheck && !(await options.claimCheck(claims)))
			throw new HttpClaimCheckError("The token's claims were refused");
		return { token, header: verified.protectedHeader, claims };
	};

	const authenticate = (request: Request, info?: RequestInfo): Promise<Authenticated> =>
		authenticateHead(request, info);
	return {
		authenticate,
		authenticateHead,
		traceParts: partsOf,
		recipe,
		verifier,
	};
}

/** The `Request` the `isRevoked` hook receives: built by `full`, or the head when it is one. */
function fullRequest(head: RequestHead, full: (() => Request) | undefined): Request {
	if (full !== undefined) return full();
	if (typeof Request === "function" && head instanceof Request) return head;
	throw new HttpConfigError(
		"authenticateHead: the isRevoked hook needs the Request; pass a function that builds it",
		[{ path: "isRevoked", message: "authenticateHead needs its request argument" }],
	);
}
