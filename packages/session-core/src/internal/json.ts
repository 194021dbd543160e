import { SessionClaimNotJsonError } from "../errors";

/** A JSON value as it goes into a token. */
export type JsonValue =
	| null
	| string
	| number
	| boolean
	| JsonValue[]
	| { [key: string]: JsonValue };

/** Keys that are never copied or merged: they could reach a prototype (CLM-11). */
export function isDangerousKey(key: string): boolean {
	return key === "__proto__" || key === "constructor" || key === "prototype";
}

/** Deepest nesting a claim value may have. */
export const MAX_DEPTH = 64;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (value === null || typeof value !== "object") return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
	if (value === null) return "null";
	if (typeof value === "number") return String(value);
	if (typeof value === "object") return (value as object).constructor?.name ?? "object";
	return typeof value;
}

/**
 * A fresh JSON-safe copy of `value`: `Date` becomes its ISO string, `__proto__`,
 * `constructor` and `prototype` keys are dropped, and anything JSON cannot carry is refused.
 */
export function toJson(value: unknown, claim: string, path: string = claim, depth = 0): JsonValue {
	if (depth > MAX_DEPTH) {
		throw new SessionClaimNotJsonError(
			`claim "${claim}" is nested deeper than ${MAX_DEPTH} levels (or has a cycle) at ${path}`,
			{ claim },
		);
	}
	switch (typeof value) {
		case "string":
		case "boolean":
			return value;
		case "number":
			if (Number.isFinite(value)) return value;
			break;
		case "object": {
			if (value === null) return null;
			if (value instanceof Date) {
				if (!Number.isNaN(value.getTime())) return value.toISOString();
				break;
			}
			if (Array.isArray(value)) {
				const out: JsonValue[] = new Array(value.length);
				for (let i = 0; i < value.length; i++) {
					out[i] = toJson(value[i], claim, `${path}[${i}]`, depth + 1);
				}
				return out;
			}
			if (isPlainObject(value)) {
				const out: { [key: string]: JsonValue } = {};
				for (const key of Object.keys(value)) {
					if (isDangerousKey(key)) continue;
					const v = value[key];
					if (v === undefined) continue;
					out[key] = toJson(v, claim, `${path}.${key}`, depth + 1);
				}
				return out;
			}
			break;
		}
	}
	throw new SessionClaimNotJsonError(
		`claim "${claim}" cannot be encoded as JSON: ${describe(value)} at ${path} (use strings, finite numbers, booleans, null, arrays, plain objects or Date)`,
		{ claim },
	);
}

/** Empty values delete an optional claim: `undefined`, `null`, `""`, `[]` and `{}`. */
export function isEmpty(value: unknown): boolean {
	if (value === undefined || value === null || value === "") return true;
	if (Array.isArray(value)) return value.length === 0;
	if (isPlainObject(value)) return Object.keys(value).length === 0;
	return false;
}

/**
 * Canonical JSON text of a JSON value: object keys sorted, no spaces. Two values are
 * structurally equal exactly when their canonical texts are equal (`0` and `-0` both print
 * `0`; `"1"` and `1` differ), so the text serves as a set key.
 */
export function canonicalJson(value: JsonValue): string {
	if (value === null || typeof value !== "object") return JSON.stringify(value);
	if (Array.isArray(value)) {
		let out = "[";
		for (let i = 0; i < value.length; i++) {
			if (i > 0) out += ",";
			out += canonicalJson(value[i] as JsonValue);
		}
		return `${out}]`;
	}
	let out = "{";
	for (const key of Object.keys(value).sort()) {
		if (out.length > 1) out += ",";
		out += `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`;
	}
	return `${out}}`;
}
