// Reading a JWKS document: its shape, then every key checked, imported, and duplicates reported.
import * as z from "zod/v4/mini";
import { KeysJwksInvalidError } from "../errors";
import type { KeyUse, RejectedKey } from "../types";
import { checkKey } from "./key-check";
import { buildEntry, type KeyEntry, KeyIndex, truncKid } from "./key-index";
import { PARSE } from "./zod-parse";

const JwksShape = z.object({ keys: z.array(z.unknown()) });

/** Validate the JWKS document's shape; throws KeysJwksInvalidError. */
export function jwksShape(doc: unknown, maxKeys: number): unknown[] {
	const r = JwksShape.safeParse(doc, PARSE);
	if (!r.success)
		throw new KeysJwksInvalidError("JWKS must be a JSON object with a keys array", {
			cause: r.error,
		});
	if (r.data.keys.length > maxKeys)
		throw new KeysJwksInvalidError(
			`JWKS has ${r.data.keys.length} keys, more than maxKeys ${maxKeys}`,
		);
	return r.data.keys;
}

/** The result of reading a JWKS: usable entries and the rejected keys with reasons. */
export interface ParsedKeys {
	entries: KeyEntry[];
	rejected: RejectedKey[];
}

function overlaps(a: KeyEntry, b: KeyEntry): boolean {
	for (const x of a.algs) if (b.algs.has(x)) return true;
	return false;
}

/** Check, filter and import every key of a JWKS document. Never throws on a single bad key. */
export async function parseKeys(
	keys: unknown[],
	restrictUse: KeyUse | undefined,
): Promise<ParsedKeys> {
	const rejected: RejectedKey[] = [];
	const entries: KeyEntry[] = [];
	await Promise.all(
		keys.map(async (raw, index) => {
			const kid = truncKid((raw as { kid?: unknown } | null)?.kid);
			const seed = checkKey(raw, restrictUse);
			if ("reason" in seed) {
				rejected.push({ index, kid, reason: seed.reason });
				return;
			}
			const built = await buildEntry(index, seed);
			if ("reason" in built) rejected.push({ index, kid, reason: built.reason });
			else entries.push(built);
		}),
	);
	entries.sort((a, b) => a.index - b.index);
	// duplicate kids whose purposes overlap are reported; lookups that hit them fail closed
	for (const list of new KeyIndex(entries).byKid.values()) {
		if (list.length < 2) continue;
		for (const e of list) {
			if (list.some((o) => o !== e && overlaps(o, e)))
				rejected.push({ index: e.index, kid: truncKid(e.kid), reason: "duplicate kid" });
		}
	}
	rejected.sort((a, b) => a.index - b.index);
	return { entries, rejected };
}
