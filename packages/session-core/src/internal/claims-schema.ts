import type * as core from "zod/v4/core";
import * as z from "zod/v4/mini";
import type { SessionClaims } from "../claims";

const numericDate = () => z.int().check(z.minimum(0));
const uuid = () =>
	z.string().check(
		z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
			message: "expected a UUID",
		}),
	);

/**
 * The claims schema the verify path runs when no `schema` is given: `zod/mini`, the same checks
 * as the exported `sessionClaimsSchema` (classic zod, which users extend) and held to it by a
 * seeded property test; the verify path never loads classic zod.
 */
export const defaultClaimsSchema = z.looseObject({
	iss: z.string().check(z.minLength(1)),
	sub: z.optional(z.string()),
	aud: z.union([z.string(), z.array(z.string())]),
	exp: numericDate(),
	nbf: numericDate(),
	iat: numericDate(),
	jti: uuid(),
	sid: uuid(),
	version: z.int(),
	trace: uuid(),
	auth_time: z.optional(numericDate()),
	scope: z.optional(z.array(z.string())),
	location: z.optional(z.string()),
	type: z.optional(z.string()),
	_scope: z.optional(z.union([z.string(), z.array(z.string())])),
	_payloads: z.optional(z.record(z.string(), z.unknown())),
}) as unknown as core.$ZodType<SessionClaims, unknown> & { shape: Record<string, unknown> };
