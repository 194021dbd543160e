import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sessionId, Trace, type TracePart, uuidV5 } from "../src/index";

type Part = string | { int: string };
interface Vectors {
	uuid5: { namespace: string; name: string; expected: string }[];
	trace: { parts: Part[]; text: string; jti: string; expected: string }[];
	sid: { name: string; parts: Part[]; expected: string }[];
	jtiForms: { jti: string; normalized: string; parts: string[]; expected: string }[];
}

const vectors: Vectors = JSON.parse(
	readFileSync(new URL("./vectors/python-uuid5.json", import.meta.url), "utf8"),
);

/** Python ints become safe numbers when they fit, else bigints, so both JS types are covered. */
function decode(part: Part): TracePart {
	if (typeof part === "string") return part;
	const big = BigInt(part.int);
	return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
		? Number(big)
		: big;
}

describe("Python uuid parity (vectors from scripts/gen-vectors.py)", () => {
	it("has at least 60 vectors in the fixture", () => {
		const total =
			vectors.uuid5.length + vectors.trace.length + vectors.sid.length + vectors.jtiForms.length;
		expect(total).toBeGreaterThanOrEqual(60);
	});

	it.each(vectors.uuid5)("uuid5($namespace, $name)", ({ namespace, name, expected }) => {
		expect(uuidV5(namespace, name)).toBe(expected);
	});

	it.each(vectors.trace.map((v, i) => ({ ...v, i })))(
		"trace #$i get($jti)",
		({ parts, text, jti, expected }) => {
			const trace = new Trace(...parts.map(decode));
			expect(String(trace)).toBe(text);
			expect(trace.get(jti)).toBe(expected);
			expect(trace.validate({ jti }, expected)).toBe(true);
		},
	);

	it("bigint and number parts print the same text", () => {
		for (const v of vectors.trace) {
			const asBig = v.parts.map((p) => (typeof p === "string" ? p : BigInt(p.int)));
			expect(new Trace(...asBig).get(v.jti)).toBe(v.expected);
		}
	});

	it.each(vectors.sid.map((v, i) => ({ ...v, i })))("sid #$i", ({ name, parts, expected }) => {
		const trace = new Trace(...parts.map(decode));
		expect(sessionId(name, trace)).toBe(expected);
		expect(sessionId(name, String(trace))).toBe(expected);
	});

	it.each(vectors.jtiForms)("jti form $jti normalizes like uuid.UUID()", (v) => {
		expect(uuidV5(v.jti, "x")).toBe(uuidV5(v.normalized, "x"));
		expect(new Trace(...v.parts).get(v.jti)).toBe(v.expected);
	});
});
