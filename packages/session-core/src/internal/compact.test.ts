import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { checkCompact, checkJwt, decodeSegmentText, duplicateMember } from "./compact";

describe("duplicateMember", () => {
	it.each([
		['{"a":1,"b":2}', undefined],
		['{"a":1,"a":2}', "a"],
		['{"a":{"b":1},"b":2}', undefined],
		['{"a":{"b":1,"b":2}}', "b"],
		['{"a":[{"x":1},{"x":2}],"y":3}', undefined],
		['{"a":[{"x":1,"x":2}]}', "x"],
		['{"a":"\\"b\\":1,\\"a\\"","b":"{","c":"}","a2":[]}', undefined],
		['{"a":1,"\\u0061":2}', "a"],
		['{"\\\\":1,"\\\\":2}', "\\"],
		['{"a":"x\\\\","a":2}', "a"],
		['["a","a"]', undefined],
		['{"a":1,"a', undefined],
		["not json", undefined],
	])("%s -> %s", (json, expected) => {
		expect(duplicateMember(json)).toBe(expected);
	});
});

describe("checkCompact and checkJwt", () => {
	const b64 = (s: string) => base64url.encode(s);
	it("decodes header and claims as strict UTF-8", () => {
		const token = `${b64('{"alg":"ES256"}')}.${b64('{"sub":"é"}')}.AA`;
		expect(checkJwt(token, 8192)).toEqual({ header: '{"alg":"ES256"}', payload: '{"sub":"é"}' });
		const bad = `${b64('{"alg":"ES256"}')}.${base64url.encode(new Uint8Array([0xff, 0xfe]))}.AA`;
		expect(checkJwt(bad, 8192).payload).toBeUndefined();
		expect(decodeSegmentText("eyJ9", 0, 4)).toBe('{"}');
	});
	it("refuses non-canonical segments: unused bits, 1 character modulo 4", () => {
		expect(() => checkCompact("eyJ9.eyJ9.AA", 100)).not.toThrow();
		expect(() => checkCompact("eyJ9.eyJ9.AB", 100)).toThrow(/not canonical/);
		expect(() => checkCompact("eyJ9.eyJ9.AAB", 100)).toThrow(/not canonical/);
		expect(() => checkCompact("eyJ9.eyJ9.AAE", 100)).not.toThrow();
		expect(() => checkCompact("eyJ9.eyJ9.AAAAA", 100)).toThrow(/not canonical/);
		expect(() => checkCompact("eyJ9A.eyJ9.", 100)).toThrow(/not canonical/);
	});
});
