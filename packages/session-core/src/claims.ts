/**
 * The claims of a session token as a zod schema: what `verifySession` returns, and the base
 * that custom claim schemas extend.
 *
 * Import from `@xshl/session-core`.
 *
 * @module
 */
import * as z from "zod/v4";

const numericDate = (): z.ZodInt => z.int().min(0);
const uuid = (): z.ZodString =>
	z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
		message: "expected a UUID",
	});

/** The shape of {@link sessionClaimsSchema}. */
export type SessionClaimsShape = {
	iss: z.ZodString;
	sub: z.ZodOptional<z.ZodString>;
	aud: z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodString>]>;
	exp: z.ZodInt;
	nbf: z.ZodInt;
	iat: z.ZodInt;
	jti: z.ZodString;
	sid: z.ZodString;
	version: z.ZodInt;
	trace: z.ZodString;
	auth_time: z.ZodOptional<z.ZodInt>;
	scope: z.ZodOptional<z.ZodArray<z.ZodString>>;
	location: z.ZodOptional<z.ZodString>;
	type: z.ZodOptional<z.ZodString>;
	_scope: z.ZodOptional<z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodString>]>>;
	_payloads: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
};

const shape = (): SessionClaimsShape => ({
	iss: z.string().min(1),
	sub: z.string().optional(),
	aud: z.union([z.string(), z.array(z.string())]),
	exp: numericDate(),
	nbf: numericDate(),
	iat: numericDate(),
	jti: uuid(),
	sid: uuid(),
	version: z.int(),
	trace: uuid(),
	auth_time: numericDate().optional(),
	scope: z.array(z.string()).optional(),
	location: z.string().optional(),
	type: z.string().optional(),
	_scope: z.union([z.string(), z.array(z.string())]).optional(),
	_payloads: z.record(z.string(), z.unknown()).optional(),
});

/** Type of {@link sessionClaimsSchema}: a loose zod object (unknown claims pass through). */
export type SessionClaimsSchema = z.ZodObject<SessionClaimsShape, z.core.$loose>;

/**
 * Zod schema of a session token's claims. NumericDates (`exp`, `nbf`, `iat`, `auth_time`)
 * must be non-negative safe integers (so `1e999`, `1.5e9` and strings are refused, catalog
 * CLM-05); `jti`, `sid` and `trace` must be UUIDs. `_scope` is a string or a list of strings, as the Python original issues
 * it. Unknown claims pass through. Extend it
 * for your own claims; the verify result type follows. Classic zod (`zod/v4`): a verifier without
 * a `schema` runs an identical `zod/mini` copy, so the verify path never loads classic zod.
 *
 * @example
 * ```ts
 * import * as z from 'zod' // zod 4; with zod 3.25: 'zod/v4'
 * import { sessionClaimsSchema, verifySession } from '@xshl/session-core'
 * const schema = sessionClaimsSchema.extend({ role: z.enum(['admin', 'user']) })
 * const claims = await verifySession(token, { keys, schema })
 * claims.role // 'admin' | 'user'
 * ```
 */
export const sessionClaimsSchema: SessionClaimsSchema = /* @__PURE__ */ (() =>
	z.looseObject(shape()))();

/** The claims `verifySession` returns with the base schema. */
export type SessionClaims = z.output<SessionClaimsSchema>;
