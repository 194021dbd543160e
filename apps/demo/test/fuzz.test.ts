/**
 * A bounded, seeded fuzz pass over every route: random and malformed bodies, headers,
 * cookies and tokens. No answer may be a 5xx (the memory store never reports 503), every
 * error body has the `{ error: { code, message } }` shape, and the server stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, makeApp, type TestApp } from "./helpers.js";

/** mulberry32: deterministic. */
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

const ROUTES: [string, string][] = [
	["GET", "/"],
	["GET", "/.well-known/jwks.json"],
	["POST", "/auth/login"],
	["POST", "/auth/refresh"],
	["POST", "/auth/logout"],
	["POST", "/auth/logout-all"],
	["GET", "/auth/sessions"],
	["DELETE", "/auth/sessions/:sid"],
	["GET", "/api/me"],
	["POST", "/api/transfer"],
	["POST", "/api/seal"],
	["POST", "/api/open"],
	["POST", "/auth/introspect"],
	["POST", "/auth/revoke"],
	["POST", "/admin/keys/rotate"],
];

let t: TestApp;
let valid: Client;
beforeAll(async () => {
	t = await makeApp({ LOGIN_RATE_LIMIT: "10000" });
	valid = new Client(t.app);
	await valid.login("admin");
});
afterAll(async () => {
	await t.app.close();
});

describe("fuzz", () => {
	it("never answers 5xx and keeps serving", async () => {
		const r = rng(0x5eed);
		const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
		const str = (n: number, alphabet = "abcXYZ019-_.~ \"'\\{}[]:,<>%$\u0000\u00e9\ud83d\ude00") =>
			Array.from({ length: Math.floor(r() * n) }, () => pick([...alphabet])).join("");
		const b64 = (n: number) =>
			Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256))).toString("base64url");
		const [h, p, s] = valid.token.split(".") as [string, string, string];
		const tokens = () =>
			pick([
				valid.token,
				`${h}.${p}.${b64(64)}`,
				`${h}.${b64(200)}.${s}`,
				`${b64(30)}.${p}.${s}`,
				`${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`,
				`${Buffer.from('{"alg":"HS256","kid":"x"}').toString("base64url")}.${p}.${b64(32)}`,
				str(40),
				`${b64(9000)}.${b64(10)}.${b64(10)}`,
				"a.b.c",
				"...",
				"xrt1.AAAA.1.BBBB",
				`xrt1.${b64(16)}.${Math.floor(r() * 1e9)}.${b64(32)}`,
			]);
		const bodies = () =>
			pick<string | undefined>([
				undefined,
				"",
				"{",
				"null",
				"[]",
				"1e999",
				'"str"',
				JSON.stringify({ username: str(80), password: str(300) }),
				JSON.stringify({ username: "alice", password: "alice-demo-pass" }),
				JSON.stringify({ to: str(70), amount: pick([1, -1, 1.5, 1e308, "1", null]) }),
				JSON.stringify({ payload: { deep: Array.from({ length: 50 }, () => ({ a: str(20) })) } }),
				JSON.stringify({ jwe: tokens() }),
				JSON.stringify({ exceptCurrent: pick([true, false, "x", 0]) }),
				JSON.stringify({
					token: tokens(),
					token_type_hint: pick(["access_token", "refresh_token", "x"]),
				}),
				'{"__proto__":{"x":1}}',
				'{"constructor":{"prototype":{"x":1}}}',
				`token=${encodeURIComponent(tokens())}&token_type_hint=refresh_token`,
				"token=a&token=b",
				"x".repeat(20_000),
				str(200),
			]);
		const contentTypes = [
			undefined,
			"application/json",
			"application/json; charset=utf-8",
			"application/x-www-form-urlencoded",
			"text/plain",
			"multipart/form-data; boundary=x",
			"application/xml",
			str(20),
		];
		let requests = 0;
		for (let round = 0; round < 60; round++) {
			for (const [method, path] of ROUTES) {
				const url = path
					.replace(
						":sid",
						pick([valid.sid, encodeURIComponent(str(30)), "x".repeat(150), "..%2F..", "%00"]),
					)
					.concat(pick(["", "", `?access_token=${valid.token}`, `?${str(20)}`]));
				const headers: Record<string, string> = {};
				const ct = pick(contentTypes);
				if (ct !== undefined) headers["content-type"] = ct;
				if (r() < 0.6) {
					headers.authorization = pick([
						`Bearer ${tokens()}`,
						`bearer ${valid.token}`,
						`Basic ${Buffer.from(`${str(10)}:${str(20)}`).toString("base64")}`,
						`Basic ${str(30)}`,
						`Bearer ${valid.token} ${valid.token}`,
						"Bearer",
						str(50),
					]);
				}
				if (r() < 0.6) {
					headers.cookie = pick([
						valid.cookieHeader(),
						`__Secure-xshl-rt=${tokens()}; __Host-xshl-fp=${b64(24)}`,
						`__Secure-xshl-rt=${str(300)}`,
						`${str(30)}=${str(30)}; ;;=; a`,
						'__Secure-xshl-rt="quoted"',
					]);
				}
				if (r() < 0.5) headers["x-xshl-request"] = pick(["1", "0", str(5)]);
				if (r() < 0.3)
					headers["sec-fetch-site"] = pick(["same-origin", "cross-site", "none", str(8)]);
				if (r() < 0.3)
					headers.origin = pick(["http://127.0.0.1:3000", "https://evil.example", "null", str(10)]);
				if (r() < 0.3) headers["user-agent"] = str(600);
				const payload =
					method === "GET" || method === "DELETE" ? (r() < 0.2 ? bodies() : undefined) : bodies();
				const res = await t.app.inject({
					method: method as "GET" | "POST" | "DELETE",
					url,
					headers,
					...(payload === undefined ? {} : { payload }),
				});
				requests++;
				expect(
					res.statusCode,
					`${method} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`,
				).toBeLessThan(500);
				if (res.statusCode >= 400) {
					const body = res.json() as { error?: { code?: unknown; message?: unknown } };
					expect(typeof body.error?.code).toBe("string");
					expect(typeof body.error?.message).toBe("string");
					expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
				}
			}
		}
		expect(requests).toBe(60 * ROUTES.length);
		expect((await t.app.inject("/healthz")).statusCode).toBe(200);
	}, 60_000);
});
