// The middleware both entries share: options built once per env, authenticate, requireScopes,
// refusals as HTTPExceptions carrying @xshl/http's answer.
import {
	type Authenticated,
	type Authenticator,
	requireScopes as checkScopes,
	errorAnswer,
	errorResponse,
	type RequestInfo,
} from "@xshl/http";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { XshlClaims, XshlEnv, XshlHonoOptions } from "../types";
import { lazyRevocations } from "./lazy-revocations";

/** What an entry builds from one set of options. */
export interface Built<O> {
	readonly options: O;
	readonly authenticator: Pick<Authenticator, "authenticate">;
	readonly refresh: ((c: Context) => Promise<void>) | undefined;
}

const NODE_SERVER_SOCKET = (c: Context): string | undefined =>
	(c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
		?.remoteAddress;

/**
 * The error as Hono sees it: an `HTTPException` whose response is `@xshl/http`'s answer
 * (`{ error: { code, message } }`, status, RFC 6750 `WWW-Authenticate`, `no-store`), with the
 * xshl error as `cause`; anything unexpected is rethrown as is (Hono's `onError`).
 */
function forHono(err: unknown, realm: string | undefined): unknown {
	const ro = realm === undefined ? undefined : { realm };
	const { status } = errorAnswer(err, ro);
	if (status === 500) return err;
	// Hono rebuilds the response with the exception's status, so both carry the same
	return new HTTPException(status as ContentfulStatusCode, {
		res: errorResponse(err, ro),
		cause: err,
	});
}

/** The peer address of a request, from the `remoteAddress` option or the Node server's socket. */
export function requestInfo(options: XshlHonoOptions, c: Context): RequestInfo {
	const remoteAddress = (options.remoteAddress ?? NODE_SERVER_SOCKET)(c);
	return remoteAddress === undefined ? {} : { remoteAddress };
}

/** The lazy revocation refresh of a set of options (`undefined` without `revocationsRefreshMs`). */
export function refreshOf(
	options: XshlHonoOptions & { revocations?: unknown },
): Built<unknown>["refresh"] {
	return lazyRevocations(options.revocations, options.revocationsRefreshMs);
}

/** What {@link createGlue} returns. */
export interface Glue<X> {
	/** The built options for a request's `env`. */
	get(env: unknown): X;
	/** The authenticating middleware. */
	middleware: MiddlewareHandler<XshlEnv>;
	/** Authenticate when not done yet, then require every scope. */
	requireScopes(...scopes: string[]): MiddlewareHandler<XshlEnv>;
}

/**
 * The shared middleware: options (or a function of `env`, called once per env object) built by
 * `build`, the authenticating middleware and `requireScopes`.
 */
export function createGlue<O extends XshlHonoOptions, X extends Built<O>>(
	input: O | ((env: never) => O),
	build: (options: O) => X,
): Glue<X> {
	let eager: X | undefined = typeof input === "function" ? undefined : build(input);
	const perEnv = new WeakMap<object, X>();
	const get = (env: unknown): X => {
		if (eager) return eager;
		const fn = input as (env: unknown) => O;
		if (env === null || typeof env !== "object") {
			eager = build(fn(env));
			return eager;
		}
		let b = perEnv.get(env);
		if (!b) {
			b = build(fn(env));
			perEnv.set(env, b);
		}
		return b;
	};

	const authenticate = async (c: Context<XshlEnv>): Promise<void> => {
		const b = get(c.env);
		try {
			if (b.refresh) await b.refresh(c);
			const a = await b.authenticator.authenticate(c.req.raw, requestInfo(b.options, c));
			c.set("xshl", a as Authenticated<XshlClaims>);
			c.set("session", a.claims as XshlClaims);
		} catch (err) {
			throw forHono(err, b.options.realm);
		}
	};

	const middleware: MiddlewareHandler<XshlEnv> = async (c, next) => {
		await authenticate(c);
		await next();
	};

	const requireScopes =
		(...scopes: string[]): MiddlewareHandler<XshlEnv> =>
		async (c, next) => {
			if (c.get("session") === undefined) await authenticate(c);
			try {
				checkScopes(c.get("session"), scopes);
			} catch (err) {
				throw forHono(err, get(c.env).options.realm);
			}
			await next();
		};

	return { get, middleware, requireScopes };
}
