import { SessionClaimNotJsonError } from "../errors";
import {
	isDangerousKey,
	isPlainObject,
	type JsonValue,
	jsonEqual,
	MAX_DEPTH,
	toJson,
} from "./json";

/** How arrays meet arrays: `union` keeps first-seen order without duplicates, `replace` takes the new one. */
export type ListPolicy = "union" | "replace";

/**
 * Merges `incoming` into `current` without mutating either: plain objects deep-merge, arrays
 * follow `lists`, anything else is replaced. `__proto__`, `constructor` and `prototype` keys
 * are dropped (CLM-11). The result is a fresh JSON value.
 */
export function mergeJson(
	current: JsonValue | undefined,
	incoming: unknown,
	lists: ListPolicy,
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
	if (isPlainObject(current) && isPlainObject(incoming)) {
		const out: { [key: string]: JsonValue } = {};
		for (const key of Object.keys(current)) {
			if (!isDangerousKey(key)) out[key] = current[key] as JsonValue;
		}
		for (const key of Object.keys(incoming)) {
			if (isDangerousKey(key)) continue;
			const value = incoming[key];
			if (value === undefined) continue;
			out[key] = Object.hasOwn(out, key)
				? mergeJson(out[key], value, lists, claim, depth + 1)
				: toJson(value, claim, key, depth + 1);
		}
		return out;
	}
	if (lists === "union" && Array.isArray(current) && Array.isArray(incoming)) {
		const out: JsonValue[] = [];
		for (const item of current) {
			if (!out.some((seen) => jsonEqual(seen, item))) out.push(item);
		}
		for (const item of incoming) {
			if (!out.some((seen) => jsonEqual(seen, item)))
				out.push(toJson(item, claim, claim, depth + 1));
		}
		return out;
	}
	return toJson(incoming, claim, claim, depth);
}
