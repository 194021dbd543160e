import { describe, expect, it } from "vitest";
import * as z from "zod/v4/mini";
import { sessionClaimsSchema } from "../claims";
import { fastSessionClaims } from "./claims-fast";
import { defaultClaimsSchema } from "./claims-schema";
import { PARSE } from "./zod";

/** mulberry32: a small seeded generator, so a failure replays. */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Deep equality with the same prototypes, the same own keys in the same order, and `Object.is`
 * for primitives (vitest's reads an own `constructor` claim as the class).
 */
function isDeepStrictEqual(a: unknown, b: unknown): boolean {
	if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
		return Object.is(a, b);
	}
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	const ka = Reflect.ownKeys(a);
	const kb = Reflect.ownKeys(b);
	if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
	return ka.every((k) =>
		isDeepStrictEqual(
			(a as Record<PropertyKey, unknown>)[k],
			(b as Record<PropertyKey, unknown>)[k],
		),
	);
}

const UUID = "0b5a3c1e-7a7e-4c1e-9b7a-1f0e8d9c6b5a";
const base = (): Record<string, unknown> => ({
	iss: "https://issuer.example",
	sub: "user-123",
	aud: ["service-api"],
	exp: 1_700_000_120,
	nbf: 1_700_000_000,
	iat: 1_700_000_000,
	jti: UUID,
	sid: UUID.toUpperCase(),
	version: 1,
	trace: UUID,
	auth_time: 1_699_999_000,
	scope: ["read", "write"],
	location: "here",
	type: "user",
	_scope: "read",
	_payloads: { plan: "pro", nested: { a: [1, 2] } },
});

/** Values every claim is tried with: each kind zod tells apart, and the edges of each check. */
const VALUES: readonly unknown[] = [
	undefined,
	null,
	true,
	0,
	-0,
	-1,
	1.5,
	2 ** 53,
	2 ** 53 - 1,
	-(2 ** 53),
	Number.NaN,
	Number.POSITIVE_INFINITY,
	Number.MAX_VALUE,
	1.5e9,
	"",
	"x",
	UUID,
	`${UUID}x`,
	UUID.replace("-", ""),
	"1700000000",
	[],
	[""],
	["a", "b"],
	["a", 1],
	[null],
	{},
	{ plan: "pro" },
	JSON.parse('{"__proto__":{"admin":true},"a":1}'),
	JSON.parse('{"constructor":"x","1":2,"b":3}'),
	Object.create(null),
	new Date(0),
];
const KEYS = [...Object.keys(base()), "extra", "__proto__", "constructor"];

describe("fastSessionClaims and the zod/mini default: exactly sessionClaimsSchema's output, or undefined", () => {
	it("accepts the base claims with zod's output (key order, fresh arrays and objects)", () => {
		const input = base();
		const fast = fastSessionClaims(input);
		const zod = sessionClaimsSchema.parse(input);
		expect(fast).toStrictEqual(zod);
		expect(Object.keys(fast as object)).toEqual(Object.keys(zod));
		expect(fast?.aud).not.toBe(input.aud);
		expect(fast?._payloads).not.toBe(input._payloads);
		expect(fast?._payloads?.nested).toBe((input._payloads as { nested: unknown }).nested);
	});

	it("passes unknown members through after the declared ones, as the loose schema does; never __proto__", () => {
		const input = JSON.parse(
			`{"role":"admin","__proto__":{"admin":true},${JSON.stringify(base()).slice(1)}`,
		) as Record<string, unknown>;
		const fast = fastSessionClaims(input) as Record<string, unknown>;
		const zod = sessionClaimsSchema.parse(input) as Record<string, unknown>;
		expect(Object.keys(fast)).toEqual([...Object.keys(base()), "role"]);
		expect(Object.keys(fast)).toEqual(Object.keys(zod));
		expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
		expect(fast.admin).toBeUndefined();
	});

	it("20000 seeded edits (seed 13): never accepts what zod refuses, never differs from zod's output; zod/mini and classic agree on verdict, data and issues", () => {
		const next = rng(13);
		const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
		let accepted = 0;
		let refused = 0;
		for (let i = 0; i < 20_000; i++) {
			const input = base();
			const edits = 1 + Math.floor(next() * 3);
			for (let e = 0; e < edits; e++) {
				const key = pick(KEYS);
				if (next() < 0.2) delete input[key];
				else
					Object.defineProperty(input, key, {
						value: pick(VALUES),
						enumerable: true,
						configurable: true,
						writable: true,
					});
			}
			// half of the inputs go through JSON, as the verify path sees them
			const claims =
				next() < 0.5 ? input : (JSON.parse(JSON.stringify(input)) as Record<string, unknown>);
			const fast = fastSessionClaims(claims);
			const zod = sessionClaimsSchema.safeParse(claims);
			// the verify path's zod/mini copy agrees with the exported classic schema
			const mini = z.safeParse(defaultClaimsSchema, claims, PARSE);
			expect(mini.success).toBe(zod.success);
			// node's deep equality (vitest's reads an own `constructor` claim as the class)
			if (mini.success) expect(isDeepStrictEqual(mini.data, zod.data)).toBe(true);
			else expect(isDeepStrictEqual(mini.error?.issues, zod.error?.issues)).toBe(true);
			if (fast === undefined) {
				refused++;
				continue;
			}
			accepted++;
			expect(zod.success, JSON.stringify(claims)).toBe(true);
			expect(isDeepStrictEqual(fast, zod.data)).toBe(true);
			expect(Object.keys(fast)).toEqual(Object.keys(zod.data as object));
		}
		// both branches are exercised, or the test proves nothing
		expect(accepted).toBeGreaterThan(1_000);
		expect(refused).toBeGreaterThan(2_000);
	});
});
