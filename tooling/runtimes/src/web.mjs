// The web packages' round trips (no Node API): every runtime runs these.
import { jwe } from "./cells/jwe.mjs";
import { keys } from "./cells/keys.mjs";
import { sessionCore } from "./cells/session-core.mjs";
import { trace } from "./cells/trace.mjs";

/** Package name → round trip `(input, shared) => result`. */
export const cells = { trace, keys, "session-core": sessionCore, jwe };

/** Runs one cell; never throws: `{ ok: true, value }` or `{ ok: false, error: { name, code, message } }`. */
export async function runCell(table, pkg, input, shared) {
	const cell = table[pkg];
	if (!cell)
		return { ok: false, error: { name: "Error", code: undefined, message: `no cell ${pkg}` } };
	try {
		return { ok: true, value: await cell(input, shared) };
	} catch (e) {
		return { ok: false, error: { name: e?.name, code: e?.code, message: String(e?.message ?? e) } };
	}
}
