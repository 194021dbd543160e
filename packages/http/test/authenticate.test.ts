import { describe, expect, it } from "vitest";
import {
	createAuthenticator,
	createSessionServer,
	defineTraceRecipe,
	errorResponse,
	HttpClaimCheckError,
	HttpConfigError,
	HttpInsufficientScopeError,
	HttpTokenRevokedError,
	HttpTraceMismatchError,
	HttpTraceRecipeMismatchError,
	WEB_TRACE_RECIPE,
} from "../src/index";
import { AUDIENCE, fixture, ISSUER, login, PEER, req, UA } from "./helpers/server";

const NOW = Date.UTC(2026, 11, 2, 6, 0, 0);

async function setup(
	extra: Parameters<typeof createAuthenticator>[0] extends infer O ? Partial<O> : never = {},
) {
	const f = await fixture();
	const s = await login(f.server);
	const a = createAuthenticator({
		keys: f.server.keys,
		issuer: ISSUER,
		audience: AUDIENCE,
		now: () => f.clock.now,
		...extra,
	});
	const request = (headers: Record<string, string> = {}) =>
		req("/api", {
			headers: {
				authorization: `Bearer ${s.accessToken}`,
				cookie: s.cookie,
				"user-agent": UA,
				...headers,
			},
		});
	return { ...f, s, a, request };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
	try {
		await p;
	} catch (e) {
		return e;
	}
	throw new Error("expected a rejection");
}

describe("authenticate", () => {
	it("returns the token, header and claims", async () => {
		const { a, request, s } = await setup();
		const r = await a.authenticate(request());
		expect(r.token).toBe(s.accessToken);
		expect(r.claims.sub).toBe("alice");
		expect(r.claims.sid).toBe(s.sid);
		expect(r.header.typ).toBe("xshl-session+jwt");
	});

	it("names the user agent when only it differs, never its value", async () => {
		const { a, request } = await setup();
		const e = await rejection(a.authenticate(request({ "user-agent": "EvilBrowser/1.0" })));
		expect(e).toBeInstanceOf(HttpTraceMismatchError);
		expect((e as HttpTraceMismatchError).part).toBe("userAgent");
		expect((e as Error).message).toBe(
			"The token is bound to another client: the userAgent part of the trace differs",
		);
		expect((e as Error).message).not.toContain("EvilBrowser");
		const res = errorResponse(e);
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_token", error_description="The token is bound to another client: the userAgent part of the trace differs"',
		);
	});

	it("names the fingerprint when the cookie is missing or another", async () => {
		const { a, request } = await setup();
		const e = await rejection(a.authenticate(request({ cookie: "" })));
		expect((e as HttpTraceMismatchError).code).toBe("ERR_HTTP_TRACE_MISMATCH");
		expect((e as HttpTraceMismatchError).part).toBe("fingerprint");
	});

	it("one authenticator, clients taking turns: each request is judged by its own fingerprint and user agent", async () => {
		const { a, request } = await setup();
		const verdict = (p: Promise<unknown>) =>
			p.then(
				() => "ok",
				(e) => `${(e as { code: string }).code}:${(e as { part?: string }).part ?? ""}`,
			);
		const turns: Record<string, string>[] = [
			{},
			{ "user-agent": "Other/1.0" },
			{},
			{ cookie: "" },
			{},
			{ "user-agent": "Other/1.0" },
			{ "user-agent": "Other/1.0" },
			{ cookie: "" },
			{},
		];
		const got: string[] = [];
		for (const h of turns) got.push(await verdict(a.authenticate(request(h))));
		expect(got).toEqual([
			"ok",
			"ERR_HTTP_TRACE_MISMATCH:userAgent",
			"ok",
			"ERR_HTTP_TRACE_MISMATCH:fingerprint",
			"ok",
			"ERR_HTTP_TRACE_MISMATCH:userAgent",
			"ERR_HTTP_TRACE_MISMATCH:userAgent",
			"ERR_HTTP_TRACE_MISMATCH:fingerprint",
			"ok",
		]);
	});

	it("verifier: one verify event per check that reached session-core, none after off()", async () => {
		const { a, request, server } = await setup();
		expect(a.verifier.engine).toBe("node");
		const seen: [string, string | undefined, boolean][] = [];
		const off = a.verifier.on("verify", (e) => seen.push([e.outcome, e.code, e.cacheHit]));
		await a.authenticate(request());
		await rejection(a.authenticate(request({ "user-agent": "Other/1.0" })));
		// refused before the verifier (no bearer): no event
		await rejection(a.authenticate(request({ authorization: "" })));
		// session-core's own code: another client's trace derives another sid (the HTTP layer
		// answers it as ERR_HTTP_TRACE_MISMATCH naming the part)
		expect(seen).toEqual([
			["ok", undefined, false],
			["error", "ERR_SESSION_SID_MISMATCH", false],
		]);
		off();
		await a.authenticate(request());
		expect(seen).toHaveLength(2);
		// the issuer's own bearer check exposes its verifier too
		const own: string[] = [];
		server.verifier.on("verify", (e) => own.push(e.outcome));
		await server.authenticate(request());
		expect(own).toEqual(["ok"]);
	});

	it("names the recipe when the verifier uses another one", async () => {
		const { a: _a, server, request } = await setup();
		const other = createAuthenticator({
			keys: server.keys,
			issuer: ISSUER,
			audience: AUDIENCE,
			trace: defineTraceRecipe({
				name: "xshl-web",
				version: 2,
				ip: { v4PrefixBits: 24, v6PrefixBits: 48 },
			}),
			now: () => NOW,
		});
		const e = await rejection(other.authenticate(request(), { remoteAddress: PEER }));
		expect(e).toBeInstanceOf(HttpTraceRecipeMismatchError);
		expect((e as HttpTraceRecipeMismatchError).actual).toBe("xshl-web@1");
		expect((e as HttpTraceRecipeMismatchError).expected).toBe("xshl-web@2");
	});

	it("names the IP part under an IP-bound recipe", async () => {
		const recipe = defineTraceRecipe({
			name: "ip-bound",
			version: 1,
			ip: { v4PrefixBits: 24, v6PrefixBits: 64 },
		});
		const f = await fixture({ trace: recipe });
		const s = await login(f.server);
		const a = createAuthenticator({
			keys: f.server.keys,
			issuer: ISSUER,
			audience: AUDIENCE,
			trace: recipe,
			now: () => NOW,
		});
		const r = (ip: string) =>
			a.authenticate(
				req("/api", {
					headers: { authorization: `Bearer ${s.accessToken}`, cookie: s.cookie, "user-agent": UA },
				}),
				{ remoteAddress: ip },
			);
		// same /24 as the login's 203.0.113.7
		expect((await r("203.0.113.200")).claims.sub).toBe("alice");
		const e = await rejection(r("198.51.100.7"));
		expect((e as HttpTraceMismatchError).part).toBe("ip");
		// the addresses taking turns on one authenticator: each judged by its own
		const turns: string[] = [];
		for (const ip of ["203.0.113.7", "198.51.100.7", "198.51.100.7", "203.0.113.9"])
			turns.push(
				await r(ip).then(
					() => "ok",
					(x) => (x as HttpTraceMismatchError).part,
				),
			);
		expect(turns).toEqual(["ok", "ip", "ip", "ok"]);
	});

	it("revocations: a structural source refuses the token it names, with the session-core code", async () => {
		const asked: string[] = [];
		const revokedSids = new Set<string>();
		const source = {
			isRevoked: (c: { sid: string; jti: string; iat: number }) => {
				asked.push(c.sid);
				return revokedSids.has(c.sid);
			},
		};
		const { a, request, s } = await setup({ revocations: source });
		expect((await a.authenticate(request())).claims.sid).toBe(s.sid);
		revokedSids.add(s.sid);
		const e = (await rejection(a.authenticate(request()))) as { code: string; status: number };
		expect(e.code).toBe("ERR_SESSION_REVOKED");
		expect(e.status).toBe(401);
		expect(asked).toEqual([s.sid, s.sid]);
	});

	it("a key set under another name than the issuer's: ERR_SESSION_SID_MISMATCH, not a trace mismatch", async () => {
		const f = await fixture();
		const s = await login(f.server);
		const a = createAuthenticator({
			keys: f.ring.keySet("not-the-issuers-name"),
			issuer: ISSUER,
			audience: AUDIENCE,
			now: () => f.clock.now,
		});
		const e = (await rejection(
			a.authenticate(
				req("/api", {
					headers: { authorization: `Bearer ${s.accessToken}`, cookie: s.cookie, "user-agent": UA },
				}),
			),
		)) as { code: string; status: number };
		expect(e).not.toBeInstanceOf(HttpTraceMismatchError);
		expect(e.code).toBe("ERR_SESSION_SID_MISMATCH");
		expect(e.status).toBe(401);
	});

	it("one compiled verifier serves every client: another client's trace is refused per call", async () => {
		const { a, request } = await setup();
		expect((await a.authenticate(request())).claims.sub).toBe("alice");
		const e = await rejection(a.authenticate(request({ "user-agent": "curl/8.0" })));
		expect(e).toBeInstanceOf(HttpTraceMismatchError);
		expect((e as HttpTraceMismatchError).part).toBe("userAgent");
		expect((await a.authenticate(request())).claims.sub).toBe("alice");
	});

	it("isRevoked, requireScopes and claimCheck refuse with typed errors", async () => {
		const revoked = await setup({ isRevoked: async (c) => c.sub === "alice" });
		expect(await rejection(revoked.a.authenticate(revoked.request()))).toBeInstanceOf(
			HttpTokenRevokedError,
		);

		const scoped = await setup({ requireScopes: ["demo", "orders:write"] });
		const e = await rejection(scoped.a.authenticate(scoped.request()));
		expect(e).toBeInstanceOf(HttpInsufficientScopeError);
		const res = errorResponse(e);
		expect(res.status).toBe(403);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="insufficient_scope", error_description="The token lacks a required scope (demo orders:write)", scope="demo orders:write"',
		);

		const checked = await setup({
			claimCheck: (c) => (c as { roles?: string[] }).roles?.includes("auditor") ?? false,
		});
		expect(await rejection(checked.a.authenticate(checked.request()))).toBeInstanceOf(
			HttpClaimCheckError,
		);
	});

	it("an expired token passes session-core's code through with its status", async () => {
		const { a, request, clock } = await setup();
		clock.now += 10 * 60_000;
		const e = await rejection(a.authenticate(request()));
		expect((e as { code: string }).code).toBe("ERR_SESSION_EXPIRED");
		const res = errorResponse(e);
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
			"ERR_SESSION_EXPIRED",
		);
	});

	it("an unexpected error is a generic 500", async () => {
		const res = errorResponse(new TypeError("secret detail"));
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_INTERNAL", message: "Internal error" },
		});
	});

	it("refuses bad options and trust-everything proxies", () => {
		const bad = () =>
			createAuthenticator({
				// @ts-expect-error not a key set
				keys: {},
				issuer: "",
				audience: [],
				trustedProxies: { addresses: ["0.0.0.0/0"] },
			});
		expect(bad).toThrowError(HttpConfigError);
		try {
			bad();
		} catch (e) {
			expect((e as HttpConfigError).issues.map((i) => i.path)).toEqual([
				"keys",
				"issuer",
				"audience",
			]);
		}
		expect(() =>
			createSessionServer({
				ring: {} as never,
				store: { rotate() {} } as never,
				issuer: ISSUER,
				audience: AUDIENCE,
				authenticate: async () => null,
				trustedProxies: { addresses: ["::/0"] },
			}),
		).toThrowError(
			"trustedProxies.addresses.0: must not cover every address (no trust-everything)",
		);
	});

	it("WEB_TRACE_RECIPE is frozen and versioned", () => {
		expect(WEB_TRACE_RECIPE.id).toBe("xshl-web@1");
		expect(Object.isFrozen(WEB_TRACE_RECIPE)).toBe(true);
		expect(() => defineTraceRecipe({ name: "a b", version: 0 })).toThrowError(
			"name: must be 1 to 64 of A-Z a-z 0-9 . _ -; version: must be a positive integer",
		);
	});
});
