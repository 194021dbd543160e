import { describe, expect, it } from "vitest";
import {
	createAuthenticator,
	defineTraceRecipe,
	HttpConfigError,
	HttpTokenRevokedError,
	nodeRequestHead,
	type RequestHead,
} from "../src/index";
import { AUDIENCE, fixture, ISSUER, login, PEER, UA } from "./helpers/server";

type NodeHeaders = Record<string, string | string[] | undefined>;

/** The WHATWG Request the Fastify adapter builds from the same parsed headers. */
function webRequest(url: string, headers: NodeHeaders): Request {
	const h = new Headers();
	for (const [k, v] of Object.entries(headers)) {
		if (v === undefined) continue;
		try {
			if (Array.isArray(v)) for (const x of v) h.append(k, x);
			else h.set(k, v);
		} catch {
			h.delete(k);
		}
	}
	return new Request(`http://xshl.invalid${url}`, { headers: h });
}

async function outcome(p: Promise<{ claims: { sub?: string } }>): Promise<string> {
	try {
		return `ok:${(await p).claims.sub}`;
	} catch (e) {
		const err = e as { code?: string; part?: string; name?: string };
		return `${err.name}:${err.code}:${err.part ?? ""}`;
	}
}

describe("nodeRequestHead", () => {
	it("answers get as Headers does", () => {
		const headers: NodeHeaders = {
			a: "  x\t",
			b: ["1", " 2 "],
			c: "",
			d: "a\u0000b",
			e: "caf\u00e9",
			f: "\u0100",
			g: ["ok", "bad\r\nx"],
			h: [],
			i: "a\u0001b",
		};
		const head = nodeRequestHead("/p?q=1", headers);
		const web = webRequest("/p?q=1", headers);
		for (const name of ["a", "b", "c", "d", "e", "f", "g", "h", "i", "missing", "A", "B"]) {
			expect(head.headers.get(name), name).toBe(web.headers.get(name));
		}
		expect(head.headers.get("a")).toBe("x");
		expect(head.headers.get("b")).toBe("1, 2");
		expect(head.headers.get("c")).toBe("");
		expect(head.headers.get("d")).toBeNull();
		expect(head.headers.get("f")).toBeNull();
		expect(head.headers.get("g")).toBeNull();
		expect(head.headers.get("h")).toBeNull();
		expect(head.url).toBe("/p?q=1");
	});

	it("does not read inherited names", () => {
		const head = nodeRequestHead("/", {});
		expect(head.headers.get("constructor")).toBeNull();
		expect(head.headers.get("__proto__")).toBeNull();
	});
});

describe("authenticateHead", () => {
	async function setup(extra: Partial<Parameters<typeof createAuthenticator>[0]> = {}) {
		const recipe = defineTraceRecipe({
			name: "ip-bound",
			version: 1,
			ip: { v4PrefixBits: 24, v6PrefixBits: 64 },
		});
		const f = await fixture({ trace: recipe, trustedProxies: { hops: 1 } });
		const s = await login(f.server);
		const a = createAuthenticator({
			keys: f.server.keys,
			issuer: ISSUER,
			audience: AUDIENCE,
			trace: recipe,
			trustedProxies: { hops: 1 },
			now: () => f.clock.now,
			...extra,
		});
		return { f, s, a };
	}

	it("gives the same verdict and code as authenticate on the Request, for hostile heads", async () => {
		const { s, a } = await setup();
		const good: NodeHeaders = {
			authorization: `Bearer ${s.accessToken}`,
			cookie: s.cookie,
			"user-agent": UA,
			"x-forwarded-for": PEER,
		};
		const cases: [string, NodeHeaders][] = [
			["/api", good],
			["/api?x=1", { ...good, "x-forwarded-for": PEER }],
			["/api?access_token=abc", good],
			["/api?a=1&access%5Ftoken=abc", good],
			["/api?a=1#&access_token=abc", good],
			["/api?caf\u00e9=1", good],
			["/api", { ...good, authorization: `  Bearer ${s.accessToken}  ` }],
			["/api", { ...good, authorization: `Bearer ${s.accessToken}\u0000` }],
			["/api", { ...good, authorization: `bearer ${s.accessToken}` }],
			["/api", { ...good, authorization: [`Bearer ${s.accessToken}`, "Bearer x.y.z"] }],
			["/api", { ...good, authorization: undefined }],
			["/api", { ...good, authorization: "" }],
			["/api", { ...good, "user-agent": `${UA}\u0100` }],
			["/api", { ...good, "user-agent": ` ${UA} ` }],
			["/api", { ...good, "user-agent": [UA, UA] }],
			["/api", { ...good, cookie: [s.cookie, "a=b"] }],
			["/api", { ...good, cookie: `${s.cookie}\r\n` }],
			["/api", { ...good, cookie: undefined }],
			["/api", { ...good, "x-forwarded-for": "198.51.100.1" }],
			["/api", { ...good, "x-forwarded-for": ["198.51.100.1", PEER] }],
			["/api", { ...good, "x-forwarded-for": `${PEER}\u0000` }],
		];
		const verdicts: string[] = [];
		for (const [url, headers] of cases) {
			const viaHead = await outcome(
				a.authenticateHead(nodeRequestHead(url, headers), { remoteAddress: "10.0.0.1" }),
			);
			const viaRequest = await outcome(
				a.authenticate(webRequest(url, headers), { remoteAddress: "10.0.0.1" }),
			);
			expect(viaHead, `${url} ${JSON.stringify(headers)}`).toBe(viaRequest);
			verdicts.push(viaHead);
		}
		// the cases reach both sides of the check (not all refused, not all accepted)
		expect(verdicts[0]).toBe("ok:alice");
		expect(verdicts[2]).toBe("HttpBadRequestError:ERR_HTTP_BAD_REQUEST:");
		expect(verdicts[3]).toBe("HttpBadRequestError:ERR_HTTP_BAD_REQUEST:");
		expect(verdicts[10]).toBe("HttpTokenMissingError:ERR_HTTP_TOKEN_MISSING:");
		expect(verdicts[12]).toBe("HttpTraceMismatchError:ERR_HTTP_TRACE_MISMATCH:userAgent");
		expect(verdicts[18]).toBe("HttpTraceMismatchError:ERR_HTTP_TRACE_MISMATCH:ip");
	});

	it("builds the Request only for the isRevoked hook, which receives it", async () => {
		const seen: Request[] = [];
		const { s, a } = await setup({
			isRevoked: (_claims, request) => {
				seen.push(request);
				return request.headers.get("x-revoked") === "1";
			},
		});
		const headers: NodeHeaders = {
			authorization: `Bearer ${s.accessToken}`,
			cookie: s.cookie,
			"user-agent": UA,
			"x-forwarded-for": PEER,
		};
		let built = 0;
		const build = (h: NodeHeaders) => () => {
			built++;
			return webRequest("/api", h);
		};
		const info = { remoteAddress: "10.0.0.1" };
		const ok = await a.authenticateHead(nodeRequestHead("/api", headers), info, build(headers));
		expect(ok.claims.sub).toBe("alice");
		expect(built).toBe(1);
		expect(seen[0]?.headers.get("user-agent")).toBe(UA);
		const revoked = { ...headers, "x-revoked": "1" };
		await expect(
			a.authenticateHead(nodeRequestHead("/api", revoked), info, build(revoked)),
		).rejects.toBeInstanceOf(HttpTokenRevokedError);
		expect(built).toBe(2);
		// a Request as the head serves the hook itself
		const r = webRequest("/api", headers);
		await a.authenticateHead(r, info);
		expect(seen[2]).toBe(r);
		// neither: a clear configuration error, not a hook called with something else
		const e = await a.authenticateHead(nodeRequestHead("/api", headers), info).catch((x) => x);
		expect(e).toBeInstanceOf(HttpConfigError);
		expect((e as HttpConfigError).code).toBe("ERR_HTTP_CONFIG_INVALID");
		expect((e as HttpConfigError).issues).toEqual([
			{ path: "isRevoked", message: "authenticateHead needs its request argument" },
		]);
		expect(seen).toHaveLength(3);
	});

	it("does not build the Request when no hook needs it", async () => {
		const { s, a } = await setup();
		const head: RequestHead = nodeRequestHead("/api", {
			authorization: `Bearer ${s.accessToken}`,
			cookie: s.cookie,
			"user-agent": UA,
			"x-forwarded-for": PEER,
		});
		const r = await a.authenticateHead(head, { remoteAddress: "10.0.0.1" }, () => {
			throw new Error("built");
		});
		expect(r.token).toBe(s.accessToken);
		expect(r.claims.sub).toBe("alice");
	});

	it("the issuer's key set offers the ring's key synchronously (resolveSync), the resolver's key", async () => {
		const { f, s } = await setup();
		const [h] = s.accessToken.split(".");
		const header = JSON.parse(Buffer.from(h as string, "base64url").toString()) as {
			kid: string;
			alg: string;
		};
		const sync = f.server.keys.resolveSync?.({ kid: header.kid, alg: header.alg });
		expect(sync).toBe(await f.server.keys.resolver({ kid: header.kid, alg: header.alg }));
		expect(f.server.keys.resolveSync?.({ kid: "unknown", alg: header.alg })).toBeUndefined();
	});

	it("serves the issuer's own check (SessionServer.authenticateHead)", async () => {
		const { f, s } = await setup();
		const r = await f.server.authenticateHead(
			nodeRequestHead("/api", {
				authorization: `Bearer ${s.accessToken}`,
				cookie: s.cookie,
				"user-agent": UA,
				"x-forwarded-for": PEER,
			}),
			{ remoteAddress: "10.0.0.1" },
		);
		expect(r.claims.sid).toBe(s.sid);
	});
});
