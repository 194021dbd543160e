// Trace values and session ids from Python's vectors (packages/trace/test/vectors).
import { sessionId, Trace, uuidV5 } from "@xshl/trace";

/** Python ints arrive as `{ int: "…" }`: a safe number when it fits, else a bigint. */
function decode(part) {
	if (typeof part === "string") return part;
	const big = BigInt(part.int);
	return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
		? Number(big)
		: big;
}

/**
 * @param {{ vectors: { uuid5: { namespace: string, name: string }[], trace: { parts: unknown[], jti: string }[], sid: { name: string, parts: unknown[] }[] } }} input
 * @returns {{ uuid5: string[], traces: string[], sids: string[] }} the values this runtime computes, in vector order
 */
export function trace({ vectors }) {
	return {
		uuid5: vectors.uuid5.map((v) => uuidV5(v.namespace, v.name)),
		traces: vectors.trace.map((v) => new Trace(...v.parts.map(decode)).get(v.jti)),
		sids: vectors.sid.map((v) => sessionId(v.name, new Trace(...v.parts.map(decode)))),
	};
}
