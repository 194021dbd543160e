/**
 * Request helpers of the demo's own routes: zod parsing and the limits they share. The session
 * flows (bearer check, trace, cookies, CSRF) are `@xshl/http`'s, through `@xshl/fastify`.
 */
import type * as z from "zod";
import { badRequest } from "./errors.js";

/** Parse with a schema or throw a 400 naming the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
	const r = schema.safeParse(value);
	if (!r.success) throw badRequest(where, r.error.issues);
	return r.data;
}

/** Max bytes of a compact JWT/JWE we accept (catalog FMT-05). */
export const MAX_TOKEN_BYTES = 8192;

/** CSRF header name and value the page sends on every cookie route. */
export const CSRF_HEADER = "x-xshl-request";
