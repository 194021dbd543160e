import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter, type RateLimitRequest } from "../src/index";
import { decode, fixture, login, PEER, pageHeaders, req, UA } from "./helpers/server";

const codeOf = async (res: Response) =>
	((await res.json()) as { error: { code: string } }).error.code;

describe("CSRF on cookie routes", () => {
	it.each([
		["no custom header", { "x-xshl-request": "" }, "Missing X-XSHL-Request: 1 header"],
		["text/plain", { "content-type": "text/plain" }, "Cookie routes accept application/json only"],
		["cross-site", { "sec-fetch-site": "cross-site" }, "Cross-site request refused"],
		["same-site", { "sec-fetch-site": "same-site" }, "Cross-site request refused"],
	])("%s: 403 ERR_HTTP_CSRF and no rotation", async (_n, headers, message) => {
		const { server, store } = await fixture();
		const s = await login(server);
		let rotated = 0;
		store.on("refresh", () => rotated++);
		const res = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: s.cookie, ...headers }),
			}),
		);
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({ error: { code: "ERR_HTTP_CSRF", message } });
		expect(rotated).toBe(0);
	});

	it("an Origin outside the allowlist without Sec-Fetch-Site is refused; an allowed one passes", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const h = pageHeaders({ cookie: s.cookie, origin: "https://evil.example" });
		delete h["sec-fetch-site"];
		const bad = await server.refresh(req("/auth/refresh", { method: "POST", headers: h }));
		expect(bad.status).toBe(403);
		expect(await codeOf(bad)).toBe("ERR_HTTP_CSRF");
		const good = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: { ...h, origin: "https://app.example" } }),
		);
		expect(good.status).toBe(200);
		const both = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: s.cookie, origin: "https://evil.example" }),
			}),
		);
		expect(both.status).toBe(403);
		expect(await both.json()).toEqual({
			error: { code: "ERR_HTTP_CSRF", message: "Origin not allowed" },
		});
	});
});

describe("bodies are bounded before parsing", () => {
	it("a 2,000-level nested JSON body is 400 ERR_HTTP_BODY_TOO_DEEP", async () => {
		const { server } = await fixture();
		const deep = `${"[".repeat(2000)}${"]".repeat(2000)}`;
		const res = await server.login(
			req("/auth/login", { method: "POST", headers: pageHeaders(), body: deep }),
		);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				code: "ERR_HTTP_BODY_TOO_DEEP",
				message: "The JSON body nests deeper than 32 levels",
			},
		});
	});

	it("brackets inside strings do not count as depth", async () => {
		const { server } = await fixture();
		const res = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: JSON.stringify({ username: "[".repeat(100), password: '{"x'.repeat(50) }),
			}),
		);
		expect(res.status).toBe(401);
	});

	it("a body over maxBodyBytes is 413, by Content-Length and by streaming", async () => {
		const { server } = await fixture();
		const big = JSON.stringify({ username: "a", password: "x".repeat(20_000) });
		const res = await server.login(
			req("/auth/login", { method: "POST", headers: pageHeaders(), body: big }),
		);
		expect(res.status).toBe(413);
		expect(await codeOf(res)).toBe("ERR_HTTP_BODY_TOO_LARGE");
		const stream = new ReadableStream<Uint8Array>({
			start(c) {
				for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("x".repeat(1000)));
				c.close();
			},
		});
		const streamed = await server.login(
			new Request("https://issuer.example/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: stream,
				duplex: "half",
			} as RequestInit),
		);
		expect(streamed.status).toBe(413);
	});

	it("invalid JSON and prototype poisoning are 400 ERR_HTTP_BAD_REQUEST", async () => {
		const { server } = await fixture();
		const bad = await server.login(
			req("/auth/login", { method: "POST", headers: pageHeaders(), body: "{" }),
		);
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({
			error: { code: "ERR_HTTP_BAD_REQUEST", message: "The body is not valid JSON" },
		});
		const proto = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: '{"username":"alice","password":"correct horse","__proto__":{"admin":true}}',
			}),
		);
		expect(proto.status).toBe(400);
		expect(await proto.json()).toEqual({
			error: {
				code: "ERR_HTTP_BAD_REQUEST",
				message: "The body has a __proto__ or constructor.prototype key",
			},
		});
		const ctor = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: '{"constructor":{"prototype":{"admin":true}},"username":"a","password":"b"}',
			}),
		);
		expect(ctor.status).toBe(400);
		expect(({} as Record<string, unknown>).admin).toBeUndefined();
	});

	it("introspection with a JSON body is 415", async () => {
		const { server } = await fixture();
		const res = await server.introspect(
			req("/auth/introspect", {
				method: "POST",
				headers: {
					authorization: `Basic ${btoa("resource-1:s3cret-s3cret-s3cret")}`,
					"content-type": "application/json",
				},
				body: "{}",
			}),
		);
		expect(res.status).toBe(415);
		expect(await codeOf(res)).toBe("ERR_HTTP_UNSUPPORTED_MEDIA_TYPE");
	});
});

describe("rate limits key on what the handler parsed", () => {
	it("IPv6 clients share one login bucket per /64", async () => {
		const seen: RateLimitRequest[] = [];
		const limiter = createMemoryRateLimiter({ limits: { login: 2 } });
		const { server } = await fixture({
			rateLimit: (r) => {
				seen.push(r);
				return limiter(r);
			},
		});
		const tries = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2::3"];
		const statuses: number[] = [];
		for (const ip of tries) {
			const res = await server.login(
				req("/auth/login", {
					method: "POST",
					headers: pageHeaders(),
					body: JSON.stringify({ username: "alice", password: "wrong" }),
				}),
				{ remoteAddress: ip },
			);
			statuses.push(res.status);
			if (res.status === 429) expect(res.headers.get("retry-after")).toBe("60");
		}
		expect(statuses).toEqual([401, 401, 429]);
		expect(seen.map((s) => s.key)).toEqual([
			"ip:2001:db8:1:2:0:0:0:0/64",
			"ip:2001:db8:1:2:0:0:0:0/64",
			"ip:2001:db8:1:2:0:0:0:0/64",
		]);
		const other = await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders(),
				body: JSON.stringify({ username: "alice", password: "wrong" }),
			}),
			{ remoteAddress: "2001:db8:1:3::1" },
		);
		expect(other.status).toBe(401);
	});

	it("refresh is keyed by the family the cookie parses to; a decoy cookie does not get a fresh bucket", async () => {
		const seen: string[] = [];
		const limiter = createMemoryRateLimiter({ limits: { refresh: 1 } });
		const { server } = await fixture({
			rateLimit: (r) => {
				if (r.action === "refresh") seen.push(r.key);
				return limiter(r);
			},
		});
		const s = await login(server);
		const family = s.refreshToken.split(".")[1];
		const first = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
			{ remoteAddress: PEER },
		);
		expect(first.status).toBe(200);
		// a decoy xshl-rt cookie first, then the real one: the real (Secure) name is the one read
		const second = await server.refresh(
			req("/auth/refresh", {
				method: "POST",
				headers: pageHeaders({ cookie: `xshl-rt=xrt1.decoy; ${s.cookie}` }),
			}),
			{ remoteAddress: PEER },
		);
		expect(second.status).toBe(429);
		expect(await codeOf(second)).toBe("ERR_HTTP_RATE_LIMITED");
		expect(seen).toEqual([`family:${family}`, `family:${family}`]);
	});
});

describe("trusted proxies", () => {
	it("without trusted proxies, X-Forwarded-For is ignored for the login bucket", async () => {
		const keys: string[] = [];
		const { server } = await fixture({
			rateLimit: (r) => {
				keys.push(r.key);
				return { allowed: true };
			},
		});
		await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders({ "x-forwarded-for": "198.51.100.1" }),
				body: JSON.stringify({ username: "alice", password: "x" }),
			}),
			{ remoteAddress: PEER },
		);
		expect(keys).toEqual([`ip:${PEER}/32`]);
	});

	it("with one hop, the address the proxy appended is used, not the client's own", async () => {
		const keys: string[] = [];
		const { server } = await fixture({
			trustedProxies: { hops: 1 },
			rateLimit: (r) => {
				keys.push(r.key);
				return { allowed: true };
			},
		});
		await server.login(
			req("/auth/login", {
				method: "POST",
				headers: pageHeaders({ "x-forwarded-for": "1.1.1.1, 198.51.100.1" }),
				body: JSON.stringify({ username: "alice", password: "x" }),
			}),
			{ remoteAddress: "10.0.0.2" },
		);
		expect(keys).toEqual(["ip:198.51.100.1/32"]);
	});
});

describe("introspection and revocation need client authentication", () => {
	const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;
	const form = (token: string, auth?: string, hint?: string) =>
		req("/auth/introspect", {
			method: "POST",
			headers: {
				"content-type": "application/x-www-form-urlencoded",
				...(auth ? { authorization: auth } : {}),
			},
			body: new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) }).toString(),
		});

	it("answers RFC 7662 for a valid client and {active:false} for a bad token", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.introspect(
			form(s.accessToken, basic("resource-1", "s3cret-s3cret-s3cret")),
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("cache-control")).toBe("no-store");
		const body = (await res.json()) as Record<string, unknown>;
		const claims = decode(s.accessToken);
		expect(body).toEqual({
			active: true,
			sub: "alice",
			sid: s.sid,
			jti: claims.jti,
			exp: claims.exp,
			iat: claims.iat,
			nbf: claims.nbf,
			aud: ["api"],
			iss: claims.iss,
			scope: "demo admin",
			token_type: "Bearer",
			auth_time: claims.auth_time,
		});
		const bad = await server.introspect(
			form(`${s.accessToken}x`, basic("resource-1", "s3cret-s3cret-s3cret")),
		);
		expect(await bad.json()).toEqual({ active: false });
	});

	it("wrong secrets are 401 with a Basic challenge, emitted, then throttled with 429", async () => {
		const { server } = await fixture({ clientAuthThrottle: { maxFailures: 3, windowMs: 60_000 } });
		const failed: unknown[] = [];
		const throttled: unknown[] = [];
		server.on("client_auth.failed", (e) => failed.push(e));
		server.on("client_auth.throttled", (e) => throttled.push(e));
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) {
			const res = await server.introspect(form("t", basic("resource-1", `guess-${i}`)), {
				remoteAddress: PEER,
			});
			statuses.push(res.status);
			if (res.status === 401)
				expect(res.headers.get("www-authenticate")).toBe('Basic realm="xshl"');
		}
		expect(statuses).toEqual([401, 401, 401, 429]);
		expect(failed).toEqual(
			[1, 2, 3].map((n) => ({ clientId: "resource-1", ipKey: `ip:${PEER}/32`, failures: n })),
		);
		expect(throttled).toEqual([{ clientId: "resource-1", ipKey: `ip:${PEER}/32` }]);
		// even the right secret waits out the window
		const right = await server.introspect(form("t", basic("resource-1", "s3cret-s3cret-s3cret")), {
			remoteAddress: PEER,
		});
		expect(right.status).toBe(429);
	});

	it("a repeated parameter is 400", async () => {
		const { server } = await fixture();
		const res = await server.introspect(
			req("/auth/introspect", {
				method: "POST",
				headers: {
					"content-type": "application/x-www-form-urlencoded",
					authorization: basic("resource-1", "s3cret-s3cret-s3cret"),
				},
				body: "token=a&token=b",
			}),
		);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: { code: "ERR_HTTP_BAD_REQUEST", message: "Parameter token is repeated" },
		});
	});

	it("revocation (RFC 7009) denies the access token and ends a refresh family; unknown tokens are 200", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const auth = basic("resource-1", "s3cret-s3cret-s3cret");
		const revokeReq = (token: string, hint?: string, authz: string | null = auth) =>
			req("/auth/revoke", {
				method: "POST",
				headers: {
					"content-type": "application/x-www-form-urlencoded",
					...(authz ? { authorization: authz } : {}),
				},
				body: new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) }).toString(),
			});
		const noAuth = await server.revoke(revokeReq(s.accessToken, undefined, null));
		expect(noAuth.status).toBe(401);
		const r1 = await server.revoke(revokeReq(s.accessToken));
		expect(r1.status).toBe(200);
		expect(await r1.json()).toEqual({});
		const intro = await server.introspect(form(s.accessToken, auth));
		expect(await intro.json()).toEqual({ active: false });
		const r2 = await server.revoke(revokeReq(s.refreshToken, "refresh_token"));
		expect(r2.status).toBe(200);
		const refresh = await server.refresh(
			req("/auth/refresh", { method: "POST", headers: pageHeaders({ cookie: s.cookie }) }),
		);
		expect(refresh.status).toBe(401);
		const unknown = await server.revoke(revokeReq("not-a-token"));
		expect(unknown.status).toBe(200);
	});
});

describe("bearer hostile inputs", () => {
	it.each([
		["lowercase scheme", (t: string) => `bearer ${t}`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		["two tokens", (t: string) => `Bearer ${t} ${t}`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		["no token", () => "Bearer ", 401, "ERR_HTTP_TOKEN_MALFORMED"],
		["1 MiB header", () => `Bearer ${"a".repeat(1 << 20)}`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		[
			"two segments",
			(t: string) => `Bearer ${t.slice(0, t.lastIndexOf("."))}`,
			401,
			"ERR_HTTP_TOKEN_MALFORMED",
		],
		["four segments", (t: string) => `Bearer ${t}.x`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		[
			"empty header segment",
			(t: string) => `Bearer ${t.slice(t.indexOf("."))}`,
			401,
			"ERR_HTTP_TOKEN_MALFORMED",
		],
		[
			"empty claims segment",
			(t: string) => `Bearer ${t.slice(0, t.indexOf(".") + 1)}${t.slice(t.lastIndexOf("."))}`,
			401,
			"ERR_HTTP_TOKEN_MALFORMED",
		],
		["padding", (t: string) => `Bearer ${t}=`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		["a dot first", (t: string) => `Bearer .${t}`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
		["two spaces", (t: string) => `Bearer  ${t}`, 401, "ERR_HTTP_TOKEN_MALFORMED"],
	])("%s → %i %s", async (_n, make, status, code) => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.listSessions(
			req("/auth/sessions", { headers: { authorization: make(s.accessToken), "user-agent": UA } }),
		);
		expect(res.status).toBe(status);
		expect(await codeOf(res)).toBe(code);
		expect(res.headers.get("www-authenticate")).toBe(
			'Bearer realm="xshl", error="invalid_request", error_description="Authorization header is malformed"',
		);
	});

	it("a token in the query string is 400", async () => {
		const { server } = await fixture();
		const s = await login(server);
		const res = await server.listSessions(
			req(`/auth/sessions?access_token=${s.accessToken}`, { headers: { "user-agent": UA } }),
		);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				code: "ERR_HTTP_BAD_REQUEST",
				message: "Tokens in the query string are not accepted",
			},
		});
	});
});
