import { SessionClaimNotJsonError } from "../errors";
import {
	canonicalJson,
	isDangerousKey,
	isPlainObject,
	type JsonValue,
	MAX_DEPTH,
	toJson,
} from "./json";

/**
 * The Python original's `dict_merge`: when both sides are plain objects they merge key by
 * key, recursively; any other incoming value (a string, a number, `null`, a list) replaces the
 * current one, so lists inside objects are never combined. Neither input is mutated;
 * `__proto__`, `constructor` and `prototype` keys are dropped (CLM-11). The result is a fresh
 * JSON value.
 */
export function mergeJson(
	current: JsonValue | undefined,
	incoming: unknown,
	claim: string,
	depth = 0,
): JsonValue {
	if (depth > MAX_DEPTH) {
		throw new SessionClaimNotJsonError(
			`claim "${claim}" is nested deeper than ${MAX_DEPTH} levels`,
			{
				claim,
			},
		);
	}
	if (!isPlainObject(current) || !isPlainObject(incoming)) {
		return toJson(incoming, claim, claim, depth);
	}
	const out: { [key: string]: JsonValue } = {};
	for (const key of Object.keys(current)) {
		if (!isDangerousKey(key)) out[key] = current[key] as JsonValue;
	}
	for (const key of Object.keys(incoming)) {
		if (isDangerousKey(key)) continue;
		const value = incoming[key];
		if (value === undefined) continue;
		out[key] = Object.hasOwn(out, key)
			? mergeJson(out[key], value, claim, depth + 1)
			: toJson(value, claim, `${claim}.${key}`, depth + 1);
	}
	return out;
}

/**
 * Merges one top-level claim of a verified token into the session's value, as the Python
 * original's `session + token` does: two lists concatenate without duplicates (structural
 * equality; first-seen order kept, where the original's `set` loses it), two plain objects
 * go through {@link mergeJson}, and anything else (including a list meeting a string, or no
 * current value) takes the incoming value as it is. Linear in the size of both lists: each
 * item is keyed once by its canonical JSON text.
 */
export function mergeClaim(
	current: JsonValue | undefined,
	incoming: unknown,
	claim: string,
): JsonValue {
	if (!Array.isArray(current) || !Array.isArray(incoming))
		return mergeJson(current, incoming, claim);
	const out: JsonValue[] = [];
	const seen = new Set<string>();
	for (const item of current) {
		const key = canonicalJson(item);
		if (!seen.has(key)) {
			seen.add(key);
			out.push(item);
		}
	}
	for (let i = 0; i < incoming.length; i++) {
		const item = toJson(incoming[i], claim, `${claim}[${i}]`, 1);
		const key = canonicalJson(item);
		if (!seen.has(key)) {
			seen.add(key);
			out.push(item);
		}
	}
	return out;
}
