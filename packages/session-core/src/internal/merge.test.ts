import { describe, expect, it } from "vitest";
import { SessionClaimNotJsonError } from "../errors";
import { canonicalJson } from "./json";
import { mergeClaim, mergeJson } from "./merge";

describe("mergeJson (the original's dict_merge)", () => {
	it("merges objects key by key and replaces every non-object, lists included", () => {
		const current = { a: 1, list: [1, 2], nested: { list: ["x"], keep: true, deep: { n: 1 } } };
		const incoming = { b: 2, list: [2, 3], nested: { list: ["y"], deep: { m: 2 } } };
		expect(mergeJson(current, incoming, "_payloads")).toEqual({
			a: 1,
			list: [2, 3],
			nested: { list: ["y"], keep: true, deep: { n: 1, m: 2 } },
			b: 2,
		});
		expect(current.nested.list).toEqual(["x"]);
	});

	it("an object meeting a non-object (or a non-object meeting an object) takes the incoming value", () => {
		expect(mergeJson({ a: { x: 1 } }, { a: [1] }, "c")).toEqual({ a: [1] });
		expect(mergeJson({ a: "s" }, { a: { x: 1 } }, "c")).toEqual({ a: { x: 1 } });
		expect(mergeJson({ a: 1 }, { a: null }, "c")).toEqual({ a: null });
		expect(mergeJson(["a"], ["b"], "c")).toEqual(["b"]);
	});

	it("drops prototype keys and refuses nesting deeper than 64 levels", () => {
		const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "ok": 1}') as object;
		expect(mergeJson({ a: 1 }, hostile, "c")).toEqual({ a: 1, ok: 1 });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		let deep: Record<string, unknown> = {};
		const base = deep;
		for (let i = 0; i < 70; i++) deep = deep.d = {};
		expect(() => mergeJson(base as never, base, "c")).toThrow(SessionClaimNotJsonError);
	});
});

describe("mergeClaim (a top-level claim of session + token)", () => {
	it("two lists: concatenated without duplicates, first-seen order", () => {
		expect(mergeClaim(["read", "write"], ["admin", "read", "admin"], "scope")).toEqual([
			"read",
			"write",
			"admin",
		]);
		expect(mergeClaim(["a", "a"], [], "scope")).toEqual(["a"]);
	});

	it("no list on the session side: the incoming list is taken as it is, duplicates included", () => {
		expect(mergeClaim(undefined, ["x", "x"], "scope")).toEqual(["x", "x"]);
		expect(mergeClaim("req", ["x", "x"], "_scope")).toEqual(["x", "x"]);
		expect(mergeClaim(["a"], "b", "_scope")).toBe("b");
	});

	it("two objects go through dict_merge", () => {
		expect(mergeClaim({ t: ["a"], k: 1 }, { t: ["b"] }, "_payloads")).toEqual({ t: ["b"], k: 1 });
	});

	it("structural equality: key order ignored, 1 and '1' differ, 0 and -0 are one value", () => {
		expect(
			mergeClaim([{ a: 1, b: [1, { c: 2 }] }, 1, 0], [{ b: [1, { c: 2 }], a: 1 }, "1", -0], "x"),
		).toEqual([{ a: 1, b: [1, { c: 2 }] }, 1, 0, "1"]);
		expect(canonicalJson({ b: [1, null, "s"], a: { d: true, c: 0 } })).toBe(
			'{"a":{"c":0,"d":true},"b":[1,null,"s"]}',
		);
	});

	it("a 20 000-item list meeting a 20 000-item list (half shared) gives the exact union, in one pass", () => {
		const current = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
		const incoming = Array.from({ length: 20_000 }, (_, i) => `s${i + 10_000}`);
		const merged = mergeClaim(current, incoming, "scope") as string[];
		expect(merged.length).toBe(30_000);
		expect(merged).toEqual(Array.from({ length: 30_000 }, (_, i) => `s${i}`));

		const objects = Array.from({ length: 20_000 }, (_, i) => ({ id: i % 10_000, tags: [i % 3] }));
		const reversed = objects.map(({ id, tags }) => ({ tags, id }));
		const union = mergeClaim(objects, reversed, "roles") as { id: number; tags: number[] }[];
		expect(union.length).toBe(20_000);
		expect(union).toEqual(objects);
	});
});
