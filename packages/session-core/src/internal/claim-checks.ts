import type { Trace } from "@xshl/trace";
import { errors } from "jose";
import type * as core from "zod/v4/core";
import * as z from "zod/v4/mini";
import {
	SessionClaimInvalidError,
	SessionClaimMissingError,
	SessionHeaderUnsupportedError,
	SessionSidMismatchError,
	SessionTraceMismatchError,
	SessionTypeInvalidError,
	SessionVersionMismatchError,
} from "../errors";
import type { SessionClaimsSchemaLike } from "../verify";
import { fastSessionClaims } from "./claims-fast";
import { defaultClaimsSchema } from "./claims-schema";
import { joseError } from "./errors-map";
import { normalizeTyp } from "./typ";
import { PARSE } from "./zod";

/** Header parameters a session token never carries (checked after the signature). */
export const FORBIDDEN_HEADER: ReadonlySet<string> = new Set([
	"crit",
	"b64",
	"jku",
	"jwk",
	"x5u",
	"x5c",
	"x5t",
	"x5t#S256",
	"cty",
	"zip",
	"enc",
]);

/**
 * `exp`, `nbf` and `iat` against the clock with jose's arithmetic and jose's errors (mapped
 * exactly as on the full path): `at` is the time in whole seconds, `leeway` and `maxTokenAge`
 * in seconds. The claims are known NumericDates (they passed the full check once).
 */
export function checkTimes(
	claims: Record<string, unknown>,
	times: { readonly exp: number; readonly nbf: number; readonly iat: number },
	at: number,
	leeway: number,
	maxTokenAge: number,
): void {
	if (times.nbf > at + leeway) {
		throw joseError(
			new errors.JWTClaimValidationFailed(
				'"nbf" claim timestamp check failed',
				claims,
				"nbf",
				"check_failed",
			),
		);
	}
	if (times.exp <= at - leeway) {
		throw joseError(
			new errors.JWTExpired('"exp" claim timestamp check failed', claims, "exp", "check_failed"),
		);
	}
	const age = at - times.iat;
	if (age - leeway > maxTokenAge) {
		throw joseError(
			new errors.JWTExpired(
				'"iat" claim timestamp check failed (too far in the past)',
				claims,
				"iat",
				"check_failed",
			),
		);
	}
	if (age < -leeway) {
		throw joseError(
			new errors.JWTClaimValidationFailed(
				'"iat" claim timestamp check failed (it should be in the past)',
				claims,
				"iat",
				"check_failed",
			),
		);
	}
}

/** `version`, then `sid` when one is expected: checked before the zod parse (fail fast). */
export function checkVersionAndSid(
	claims: Record<string, unknown>,
	version: number,
	sid: string | undefined,
): void {
	if (claims.version !== version) {
		throw new SessionVersionMismatchError(`the token's version is not ${version}`, {
			claim: "version",
		});
	}
	if (sid !== undefined && claims.sid !== sid) {
		throw new SessionSidMismatchError("the token's sid is not this session's id", {
			claim: "sid",
		});
	}
}

/** The `trace` claim against the client's trace, when one is given. */
export function checkTrace(
	claims: { jti?: unknown; trace?: unknown },
	trace: Trace | undefined,
): void {
	if (trace !== undefined && !trace.validate(claims, claims.trace)) {
		throw new SessionTraceMismatchError("the token's trace does not match this client's trace", {
			claim: "trace",
		});
	}
}

/**
 * The header policy after the signature: `typ` when several are accepted (one accepted `typ`
 * is checked with the claims, as jose does), then no forbidden parameter.
 */
export function checkHeader(
	header: Readonly<Record<string, unknown>>,
	acceptedTyps: ReadonlySet<string> | undefined,
	typeList: string,
): void {
	if (acceptedTyps !== undefined) {
		const typ = header.typ;
		if (typeof typ !== "string" || !acceptedTyps.has(normalizeTyp(typ))) {
			throw new SessionTypeInvalidError(`the token's typ header is not one of ${typeList}`, {
				claim: "typ",
			});
		}
	}
	for (const member in header) {
		if (FORBIDDEN_HEADER.has(member)) {
			throw new SessionHeaderUnsupportedError(
				`the header parameter "${member}" is not allowed in session tokens`,
			);
		}
	}
}

/** The claims through the schema; the first issue names the claim in the error. */
export function parseClaims<S extends SessionClaimsSchemaLike>(
	schema: S,
	payload: Record<string, unknown>,
): core.output<S> {
	if ((schema as unknown) === defaultClaimsSchema) {
		const fast = fastSessionClaims(payload);
		if (fast !== undefined) return fast as core.output<S>;
	}
	const claims = z.safeParse(schema, payload, PARSE);
	if (claims.success) return claims.data as core.output<S>;
	const issue = claims.error.issues[0];
	const claim = issue === undefined || issue.path.length === 0 ? "(claims)" : String(issue.path[0]);
	const options = { cause: claims.error, claim };
	if (payload[claim] === undefined && claim !== "(claims)") {
		throw new SessionClaimMissingError(`the token lacks the required "${claim}" claim`, options);
	}
	throw new SessionClaimInvalidError(
		`the token's "${claim}" claim is invalid: ${issue?.message ?? "schema mismatch"}`,
		options,
	);
}
