import { createHash, randomUUID } from "node:crypto";
import { v5 } from "uuid";
import { bench, describe } from "vitest";
import { sessionId, Trace } from "../src/index";

// Reference points, in the same run: the raw `uuid` package (string name, re-encoded every
// call) and a uuid5 written straight on node:crypto's SHA-1. Ratios are ops/s relative to
// `Trace#get`; they go into the README's Benchmarks section.
const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";
const trace = new Trace(UA, "per-login-salt", "203.0.113.7");
const text = String(trace);
const jtis = Array.from({ length: 1024 }, () => randomUUID());
let i = 0;

function nodeUuid5(name: string, ns: string): string {
	const h = createHash("sha1")
		.update(Buffer.from(ns.replaceAll("-", ""), "hex"))
		.update(name, "utf8")
		.digest();
	h[6] = (h[6]! & 0x0f) | 0x50;
	h[8] = (h[8]! & 0x3f) | 0x80;
	const x = h.subarray(0, 16).toString("hex");
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

describe("trace value per token (uuid5 of the trace under the jti)", () => {
	bench("@xshl/trace Trace#get", () => {
		trace.get(jtis[i++ & 1023]!);
	});
	bench("uuid v5 (raw)", () => {
		v5(text, jtis[i++ & 1023]!);
	});
	bench("node:crypto sha1 uuid5 (hand-rolled)", () => {
		nodeUuid5(text, jtis[i++ & 1023]!);
	});
});

describe("validate a token's trace claim", () => {
	const jti = jtis[0]!;
	const value = trace.get(jti);
	const claims = jtis.map((j) => ({ jti: j, trace: trace.get(j) }));
	bench("@xshl/trace Trace#validate, same token again (memo hit)", () => {
		trace.validate({ jti }, value);
	});
	bench("@xshl/trace Trace#validate, a new token every call", () => {
		const c = claims[i++ & 1023]!;
		trace.validate(c, c.trace);
	});
	bench("sessionId", () => {
		sessionId("session_name", trace);
	});
});
