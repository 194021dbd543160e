import type { SessionClaims } from "../claims";
import { defaultClaimsSchema } from "./claims-schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claims the default schema declares, in its order (zod's output order). */
const KNOWN: ReadonlySet<string> = new Set(Object.keys(defaultClaimsSchema.shape));

const isDate = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);

/** A copy of a list of strings (zod's array output), or `undefined` when it is not one. */
function strings(v: unknown): string[] | undefined {
	if (!Array.isArray(v)) return undefined;
	for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return undefined;
	return v.slice();
}

/**
 * The parse of the default claims schema (`sessionClaimsSchema`) for the common case, without zod: returns exactly
 * what the schema's parse returns (a fresh object, the declared claims in the
 * schema's order, fresh arrays, then the other members as they are) when every declared claim
 * fits; `undefined` otherwise, and the caller runs zod, which stays the source of truth (its
 * verdict, its issues). A property test holds this to zod's output.
 */
export function fastSessionClaims(c: Record<string, unknown>): SessionClaims | undefined {
	if (Object.getPrototypeOf(c) !== Object.prototype) return undefined;
	const iss = c.iss;
	if (typeof iss !== "string" || iss.length === 0) return undefined;
	const out: Record<string, unknown> = { iss };
	if ("sub" in c) {
		const sub = c.sub;
		if (sub !== undefined && typeof sub !== "string") return undefined;
		out.sub = sub;
	}
	let aud: unknown = c.aud;
	if (typeof aud !== "string") {
		aud = strings(aud);
		if (aud === undefined) return undefined;
	}
	out.aud = aud;
	const { exp, nbf, iat, version } = c;
	if (!isDate(exp) || !isDate(nbf) || !isDate(iat)) return undefined;
	out.exp = exp;
	out.nbf = nbf;
	out.iat = iat;
	if (!isUuid(c.jti) || !isUuid(c.sid)) return undefined;
	out.jti = c.jti;
	out.sid = c.sid;
	if (!Number.isSafeInteger(version)) return undefined;
	out.version = version;
	if (!isUuid(c.trace)) return undefined;
	out.trace = c.trace;
	if ("auth_time" in c) {
		const v = c.auth_time;
		if (v !== undefined && !isDate(v)) return undefined;
		out.auth_time = v;
	}
	if ("scope" in c) {
		let v = c.scope;
		if (v !== undefined) {
			v = strings(v);
			if (v === undefined) return undefined;
		}
		out.scope = v;
	}
	if ("location" in c) {
		const v = c.location;
		if (v !== undefined && typeof v !== "string") return undefined;
		out.location = v;
	}
	if ("type" in c) {
		const v = c.type;
		if (v !== undefined && typeof v !== "string") return undefined;
		out.type = v;
	}
	if ("_scope" in c) {
		let v = c._scope;
		if (v !== undefined && typeof v !== "string") {
			v = strings(v);
			if (v === undefined) return undefined;
		}
		out._scope = v;
	}
	if ("_payloads" in c) {
		const v = c._payloads;
		if (v !== undefined) {
			if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) {
				return undefined;
			}
			if (Object.hasOwn(v, "__proto__")) return undefined;
			const copy: Record<string, unknown> = {};
			for (const key of Object.keys(v)) copy[key] = (v as Record<string, unknown>)[key];
			out._payloads = copy;
		} else {
			out._payloads = v;
		}
	}
	// the loose schema's catchall, as zod runs it: the other members in `for...in` order, as
	// they are, except `__proto__` (never copied onto the result)
	for (const key in c) {
		if (KNOWN.has(key) || key === "__proto__") continue;
		out[key] = c[key];
	}
	return out as SessionClaims;
}
