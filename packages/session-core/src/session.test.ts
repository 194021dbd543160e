import { sessionId, Trace } from "@xshl/trace";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { APP, caught, fixture, NOW, SALT, tamper, UA } from "../test/helpers";
import {
	DEFAULT_SESSION_EXPIRES_MS,
	DEFAULT_SESSION_VERSION,
	DEFAULT_STR,
	DEFAULT_UID,
	Session,
	SessionAudienceNotAllowedError,
	SessionClaimNotJsonError,
	SessionConfig,
	SessionSignatureInvalidError,
	SessionTraceMismatchError,
	SessionValueError,
} from "./index";

describe("constants", () => {
	it("are the four values of the Python original", () => {
		expect(DEFAULT_SESSION_VERSION).toBe(1);
		expect(DEFAULT_SESSION_EXPIRES_MS).toBe(120_000);
		expect(DEFAULT_UID).toBe("00000000-0000-0000-0000-000000000000");
		expect(DEFAULT_STR).toBe("undef");
	});
});

describe("a new Session", () => {
	it("starts with iss = app, sub = DEFAULT_UID, aud = DEFAULT_STR, its sid and version", async () => {
		const { config } = await fixture();
		const session = new Session(config, UA, SALT);
		expect(session.iss).toBe(APP);
		expect(session.sub).toBe(DEFAULT_UID);
		expect(session.aud).toBe(DEFAULT_STR);
		expect(session.sid).toBe(sessionId("session_name", new Trace(UA, SALT)));
		expect(session.version).toBe(1);
		expect(session.toJSON()).toEqual({
			iss: APP,
			sub: DEFAULT_UID,
			aud: DEFAULT_STR,
			sid: session.sid,
			version: 1,
		});
		expect(String(session.trace)).toBe(`${UA}:${SALT}`);
	});

	it("takes a Trace instance or parts, and a config input instead of a SessionConfig", async () => {
		const { config, keys, key } = await fixture();
		const trace = new Trace(UA, SALT);
		const a = new Session(config, trace);
		const b = new Session(
			{ keys, header: { alg: "ES256", kid: key.kid }, key: key.privateKey },
			UA,
			SALT,
		);
		expect(a.trace).toBe(trace);
		expect(b.sid).toBe(a.sid);
		expect(b.iss).toBe(DEFAULT_UID);
		expect(b.config).toBeInstanceOf(SessionConfig);
	});

	it("uses app as iss and the config version", async () => {
		const { config } = await fixture("ES256", { version: 3, app: APP.toUpperCase() });
		const session = new Session(config);
		expect(session.iss).toBe(APP);
		expect(session.version).toBe(3);
		expect(session.sid).toBe(sessionId("session_name", new Trace()));
	});
});

describe("accessors", () => {
	it("set and read every claim; the claims keep their own names; no alias accessors", async () => {
		const { config } = await fixture();
		const s = new Session(config, UA);
		s.sub = "user-123";
		s.aud = "service-api";
		s.scope = ["read", "write"];
		s.path = "/orders";
		s.responseType = "code";
		s.requestScope = ["read"];
		s.payloads = { cart: { items: 2 } };
		expect([s.sub, s.aud, s.scope, s.path, s.responseType, s.requestScope, s.payloads]).toEqual([
			"user-123",
			"service-api",
			["read", "write"],
			"/orders",
			"code",
			["read"],
			{ cart: { items: 2 } },
		]);
		expect(s.toJSON()).toMatchObject({
			location: "/orders",
			type: "code",
			_scope: ["read"],
			_payloads: { cart: { items: 2 } },
		});
		for (const alias of ["location", "type", "_scope", "_payloads"]) {
			expect(alias in s).toBe(false);
		}
	});

	it("deletes optional claims on empty values; aud falls back to DEFAULT_STR", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.sub = "u";
		s.scope = ["a"];
		s.path = "/p";
		s.responseType = "code";
		s.requestScope = ["a"];
		s.payloads = { a: 1 };
		s.aud = "service-api";
		s.sub = "";
		s.scope = [];
		s.path = null;
		s.responseType = undefined;
		s.requestScope = [];
		s.payloads = {};
		s.aud = "";
		expect(s.toJSON()).toEqual({ iss: APP, aud: DEFAULT_STR, sid: s.sid, version: 1 });
		expect(s.has("sub")).toBe(false);
		expect(s.sub).toBeUndefined();
	});

	it("refuses an aud outside the allowlist with a typed error (the original ignored it)", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		const e = await caught(() => {
			s.aud = "evil-api";
		});
		expect(e).toBeInstanceOf(SessionAudienceNotAllowedError);
		expect(e.code).toBe("ERR_SESSION_AUDIENCE_NOT_ALLOWED");
		expect(s.aud).toBe(DEFAULT_STR);
		s.aud = ["service-api", "admin-api"];
		expect(s.aud).toEqual(["service-api", "admin-api"]);
	});

	it("accepts any aud without an allowlist", async () => {
		const { config } = await fixture("ES256", { audience: undefined });
		const s = new Session(config);
		s.aud = "anything";
		expect(s.aud).toBe("anything");
	});

	it("refuses wrong types and read-only claims with ERR_SESSION_VALUE_INVALID", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		for (const act of [
			() => {
				s.sub = 5 as never;
			},
			() => {
				s.scope = "read" as never;
			},
			() => {
				s.scope = ["a", 1] as never;
			},
			() => {
				s.payloads = ["a"] as never;
			},
			() => s.set("iss", "x"),
			() => s.set("sid", "x"),
			() => s.set("exp", 1),
			() => s.set("__proto__", { a: 1 }),
			() => s.set("auth_time", 1.5),
			() => s.update([] as never),
		]) {
			const e = await caught(act);
			expect(e).toBeInstanceOf(SessionValueError);
			expect(e.code).toBe("ERR_SESSION_VALUE_INVALID");
		}
		expect(s.toJSON()).toEqual({
			iss: APP,
			sub: DEFAULT_UID,
			aud: DEFAULT_STR,
			sid: s.sid,
			version: 1,
		});
	});

	it("returns copies, so callers cannot bypass validation", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.scope = ["a"];
		s.scope?.push("b");
		(s.get("scope") as string[]).push("c");
		expect(s.scope).toEqual(["a"]);
	});
});

describe("set, get, has, delete, update, iteration, toJSON", () => {
	it("sets arbitrary claims such as auth_time (Date becomes seconds)", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.set("auth_time", new Date(NOW * 1000)).set("role", "admin");
		expect(s.get("auth_time")).toBe(NOW);
		expect(s.get("role")).toBe("admin");
		expect(s.has("role")).toBe(true);
		s.delete("role");
		expect(s.has("role")).toBe(false);
		expect(s.get("role")).toBeUndefined();
	});

	it("encodes Date as ISO strings and refuses everything JSON cannot carry", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.payloads = { at: new Date("2026-01-02T03:04:05.000Z"), list: [new Date(0)] };
		expect(s.payloads).toEqual({
			at: "2026-01-02T03:04:05.000Z",
			list: ["1970-01-01T00:00:00.000Z"],
		});
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		for (const bad of [
			{ f: () => 1 },
			{ n: Number.NaN },
			{ i: Number.POSITIVE_INFINITY },
			{ b: 1n },
			{ s: Symbol("x") },
			{ m: new Map() },
			{ d: new Date(Number.NaN) },
			{ u: [undefined] },
			cyclic,
		]) {
			const e = await caught(() => s.set("data", bad));
			expect(e).toBeInstanceOf(SessionClaimNotJsonError);
			expect(e.code).toBe("ERR_SESSION_CLAIM_NOT_JSON");
			expect(e.claim).toBe("data");
		}
		expect(s.has("data")).toBe(false);
	});

	it("update() deep-merges objects, replaces other values, deletes on empty, all or nothing", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.payloads = { a: { x: 1, list: [1, 2] }, keep: true };
		s.update({ sub: "u-1", _payloads: { a: { y: 2, list: [3] } }, scope: ["r"], location: "/x" });
		expect(s.payloads).toEqual({ a: { x: 1, y: 2, list: [3] }, keep: true });
		expect([s.sub, s.scope, s.path]).toEqual(["u-1", ["r"], "/x"]);
		s.update({ location: "", extra: { k: 1 } });
		expect(s.has("location")).toBe(false);
		expect(s.get("extra")).toEqual({ k: 1 });
		const before = s.toJSON();
		const e = await caught(() => s.update({ sub: "changed", aud: "evil-api" }));
		expect(e.code).toBe("ERR_SESSION_AUDIENCE_NOT_ALLOWED");
		expect(s.toJSON()).toEqual(before);
	});

	it("iterates and serializes only the set claims, in insertion order", async () => {
		const { config } = await fixture();
		const s = new Session(config);
		s.sub = "";
		s.scope = ["a"];
		expect([...s]).toEqual([
			["iss", APP],
			["aud", DEFAULT_STR],
			["sid", s.sid],
			["version", 1],
			["scope", ["a"]],
		]);
		expect(s.keys()).toEqual(["iss", "aud", "sid", "version", "scope"]);
		expect(JSON.parse(JSON.stringify(s))).toEqual(Object.fromEntries(s));
	});
});

describe("jwt()", () => {
	it("sets a fresh jti, iat = nbf = now, exp = now + expires, trace = trace.get(jti)", async () => {
		const { config, key } = await fixture();
		const s = new Session(config, UA, SALT);
		s.sub = "user-123";
		const token = await s.jwt();
		const claims = decodeJwt(token);
		expect(decodeProtectedHeader(token)).toEqual({
			alg: "ES256",
			kid: key.kid,
			typ: "xshl-session+jwt",
		});
		expect(claims).toEqual({
			iss: APP,
			sub: "user-123",
			aud: DEFAULT_STR,
			sid: s.sid,
			version: 1,
			jti: expect.stringMatching(
				/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
			),
			iat: NOW,
			nbf: NOW,
			exp: NOW + 120,
			trace: s.trace.get(claims.jti as string),
		});
		expect(s.get("jti")).toBe(claims.jti);
		const again = decodeJwt(await s.jwt());
		expect(again.jti).not.toBe(claims.jti);
	});

	it("honours expires", async () => {
		const { config } = await fixture("ES256", { expiresMs: 900_000 });
		const claims = decodeJwt(await new Session(config).jwt());
		expect((claims.exp as number) - (claims.iat as number)).toBe(900);
	});
});

describe("merge(token)", () => {
	async function pair() {
		const f = await fixture();
		const issuer = new Session(f.config, UA, SALT);
		issuer.aud = "service-api";
		const target = new Session(f.config, UA, SALT);
		return { ...f, issuer, target };
	}

	it("merges aud, sub, _payloads, scope and _scope: top-level lists deduped in order, objects deep, lists inside objects replaced", async () => {
		const { issuer, target } = await pair();
		issuer.sub = "user-9";
		issuer.aud = "service-api";
		issuer.scope = ["write", "read", "admin"];
		issuer.requestScope = ["b"];
		issuer.payloads = { a: { y: 2, tags: ["t2", "t1"] }, n: 2 };
		issuer.path = "/not-merged";
		issuer.set("extra", "not-merged");
		target.scope = ["read", "write"];
		target.requestScope = ["a", "b"];
		target.payloads = { a: { x: 1, tags: ["t1"] }, n: 1, keep: "yes" };
		await target.merge(await issuer.jwt());
		expect(target.sub).toBe("user-9");
		expect(target.aud).toBe("service-api");
		expect(target.scope).toEqual(["read", "write", "admin"]);
		expect(target.requestScope).toEqual(["a", "b"]);
		// the Python original's dict_merge: a list inside an object is replaced, never unioned
		expect(target.payloads).toEqual({ a: { x: 1, y: 2, tags: ["t2", "t1"] }, n: 2, keep: "yes" });
		expect(target.has("location")).toBe(false);
		expect(target.has("extra")).toBe(false);
	});

	it("dedupes top-level lists of objects by value, whatever their key order", async () => {
		const f = await fixture("ES256", { mergeClaims: ["roles"] });
		const issuer = new Session(f.config, UA, SALT);
		issuer.aud = "service-api";
		issuer.set("roles", [{ b: 2, a: 1 }, { c: [1, { d: 0 }] }, "1", 1]);
		const target = new Session(f.config, UA, SALT);
		target.set("roles", [{ a: 1, b: 2 }, 1]);
		await target.merge(await issuer.jwt());
		expect(target.get("roles")).toEqual([{ a: 1, b: 2 }, 1, { c: [1, { d: 0 }] }, "1"]);
	});

	it("the merged set is configurable per config and per subclass", async () => {
		const f = await fixture("ES256", { mergeClaims: ["scope"] });
		const issuer = new Session(f.config, UA);
		issuer.aud = "service-api";
		issuer.sub = "someone";
		issuer.scope = ["x"];
		const token = await issuer.jwt();
		const target = new Session(f.config, UA);
		await target.merge(token);
		expect([target.sub, target.scope]).toEqual([DEFAULT_UID, ["x"]]);

		class OnlySub extends Session {
			static override mergeClaims = ["sub"];
		}
		const g = await fixture();
		const i2 = new OnlySub(g.config, UA);
		i2.aud = "service-api";
		i2.sub = "s2";
		i2.scope = ["y"];
		const t2 = new OnlySub(g.config, UA);
		await t2.merge(await i2.jwt());
		expect([t2.sub, t2.scope]).toEqual(["s2", undefined]);
	});

	it("a token that fails changes nothing; merge throws, tryMerge returns the reason", async () => {
		const { target, config, key, keys } = await pair();
		target.scope = ["a"];
		const before = target.toJSON();
		const other = new Session(config, "curl/8.0", SALT);
		other.aud = "service-api";
		other.scope = ["b"];
		const foreign = await other.jwt();
		const e = await caught(() => target.merge(foreign));
		expect(e.code).toBe("ERR_SESSION_SID_MISMATCH");
		expect(target.toJSON()).toEqual(before);
		const r = await target.tryMerge(tamper(foreign));
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.error).toBeInstanceOf(SessionSignatureInvalidError);
			expect(r.error.code).toBe("ERR_SESSION_SIGNATURE_INVALID");
		}
		expect(target.toJSON()).toEqual(before);
		// same sid (same name + same trace text), but a trace value for another client
		const issuer = new Session(config, UA, SALT);
		issuer.aud = "admin-api";
		const good = await issuer.jwt();
		const ok = await target.tryMerge(good);
		expect(ok.ok).toBe(true);
		expect(target.aud).toBe("admin-api");
		expect(keys.name).toBe("session_name");
		expect(key.kid).toBe("es256-1");
	});

	it("trace mismatch: same sid but a trace claim computed for another client", async () => {
		const { target, config } = await pair();
		const { SignJWT } = await import("jose");
		const f = await fixture();
		const jti = crypto.randomUUID();
		const token = await new SignJWT({
			iss: APP,
			aud: "service-api",
			sid: target.sid,
			version: 1,
			jti,
			trace: new Trace("curl/8.0").get(jti),
			iat: NOW,
			nbf: NOW,
			exp: NOW + 60,
		})
			.setProtectedHeader({ alg: "ES256", kid: f.key.kid, typ: "xshl-session+jwt" })
			.sign(f.key.privateKey);
		const before = target.toJSON();
		const e = await caught(() => target.merge(token));
		expect(e).toBeInstanceOf(SessionTraceMismatchError);
		expect(e.code).toBe("ERR_SESSION_TRACE_MISMATCH");
		expect(target.toJSON()).toEqual(before);
		expect(config.expiresMs).toBe(120_000);
	});

	it("a merged aud outside the allowlist is refused and changes nothing", async () => {
		const open = await fixture("ES256", { audience: undefined });
		const issuer = new Session(open.config, UA);
		issuer.aud = ["service-api", "elsewhere"];
		issuer.sub = "changed";
		const token = await issuer.jwt();
		const strict = await fixture();
		const target = new Session(strict.config, UA);
		const before = target.toJSON();
		const r = await target.tryMerge(token);
		expect(r.ok ? "ok" : r.error.code).toBe("ERR_SESSION_AUDIENCE_NOT_ALLOWED");
		expect(target.toJSON()).toEqual(before);
	});

	it("exposes the validation options of the original", async () => {
		const { target, config } = await pair();
		expect(target.options).toMatchObject({
			keys: config.keys,
			trace: target.trace,
			sid: target.sid,
			version: 1,
			audience: ["service-api", "admin-api"],
			leewayMs: 5000,
			maxTokenAgeMs: 120_000,
		});
		expect(Object.isFrozen(target.options)).toBe(true);
	});
});

/**
 * The Python original's own tests (`tests/test_session.py` of mcode-cc/py-xshl-session),
 * written against this API: `request_scope` is `requestScope`, `response_type` is
 * `responseType`, `del session.x` is `session.delete(claim)`, `update(**kwargs)` takes claim
 * names. `test_add_operation` needs a verified token: see `test/interop.test.ts`.
 */
describe("the Python original's tests/test_session.py", () => {
	it("test_setter_properties", async () => {
		const { config } = await fixture("RS256", { audience: undefined });
		const session = new Session(config, "trace_arg1", "trace_arg2");
		session.sub = "new_sub";
		expect(session.sub).toBe("new_sub");
		session.aud = "new_aud";
		expect(session.aud).toBe("new_aud");

		expect(session.scope).toBeUndefined();
		session.scope = ["scope1", "scope2"];
		expect(session.scope).toEqual(["scope1", "scope2"]);

		// request_scope is a string in the original (its setter stores any truthy value)
		expect(session.requestScope).toBeUndefined();
		session.requestScope = "foo_scope";
		expect(session.requestScope).toBe("foo_scope");
		expect(session.toJSON()._scope).toBe("foo_scope");
		session.requestScope = "";
		expect(session.requestScope).toBeUndefined();
		session.requestScope = "foo_scope";
		session.delete("_scope");
		expect(session.requestScope).toBeUndefined();
		session.requestScope = ["baz"];
		expect(session.requestScope).toEqual(["baz"]);
		session.requestScope = [];
		expect(session.has("_scope")).toBe(false);

		expect(session.path).toBeUndefined();
		session.path = "/test/path";
		expect(session.path).toBe("/test/path");
		session.path = "";
		expect(session.path).toBeUndefined();
		session.path = "/test/path";
		session.delete("location");
		expect(session.path).toBeUndefined();

		expect(session.payloads).toBeUndefined();
		session.payloads = { key: "value" };
		expect(session.payloads).toEqual({ key: "value" });
		session.payloads = {};
		expect(session.payloads).toBeUndefined();
		session.payloads = { key: "value" };
		session.delete("_payloads");
		expect(session.payloads).toBeUndefined();

		const [iss, sid] = [session.iss, session.sid];
		expect(() => {
			(session as unknown as { iss: string }).iss = "changed";
		}).toThrow(TypeError);
		expect(() => {
			(session as unknown as { sid: string }).sid = "changed";
		}).toThrow(TypeError);
		const e = await caught(() => session.set("iss", "changed"));
		expect([e.constructor, e.code, e.claim]).toEqual([
			SessionValueError,
			"ERR_SESSION_VALUE_INVALID",
			"iss",
		]);
		expect([session.iss, session.sid]).toEqual([iss, sid]);
	});

	it("test_setter_properties: _scope refuses what is neither a string nor a list of strings", async () => {
		const { config } = await fixture("RS256", { audience: undefined });
		const session = new Session(config, "trace_arg1", "trace_arg2");
		for (const bad of [1, ["a", 2], { a: "b" }, true]) {
			const e = await caught(() => session.set("_scope", bad));
			expect([e.constructor, e.code, e.message]).toEqual([
				SessionValueError,
				"ERR_SESSION_VALUE_INVALID",
				'claim "_scope" must be a string or a list of strings',
			]);
		}
		expect(session.has("_scope")).toBe(false);
	});

	it("test_update_method", async () => {
		const { config } = await fixture("RS256", { audience: undefined });
		const session = new Session(config, "trace_arg1", "trace_arg2");
		session.payloads = { a: 1, nested: { x: 1, keep: true } };
		session.scope = ["old"];
		session.sub = "old_sub";
		session.aud = DEFAULT_STR;
		session.path = null;

		session.update({
			sub: "updated_sub",
			aud: "updated_aud",
			scope: ["s1", "s2"],
			_payloads: { b: 2, nested: { y: 2 } },
			type: "json",
			_scope: "req",
			location: "/new/path",
		});
		expect([
			session.sub,
			session.aud,
			session.scope,
			session.responseType,
			session.requestScope,
			session.path,
		]).toEqual(["updated_sub", "updated_aud", ["s1", "s2"], "json", "req", "/new/path"]);
		expect(session.payloads).toEqual({ a: 1, b: 2, nested: { x: 1, keep: true, y: 2 } });

		session.update({ _payloads: { nested: { x: 3 } }, scope: ["s3"] });
		expect(session.scope).toEqual(["s3"]);
		expect(session.payloads).toEqual({ a: 1, b: 2, nested: { x: 3, keep: true, y: 2 } });
	});

	it("test_update_method: a list inside the payloads is replaced, not combined (dict_merge)", async () => {
		const { config } = await fixture("RS256", { audience: undefined });
		const session = new Session(config, "trace_arg1", "trace_arg2");
		session.payloads = { nested: { list: [1, 2], keep: true }, top: ["a"] };
		session.update({ _payloads: { nested: { list: [2, 3] }, top: ["b"] } });
		expect(session.payloads).toEqual({ nested: { list: [2, 3], keep: true }, top: ["b"] });
		session.update({ _scope: ["x"] });
		session.update({ _scope: ["y"] });
		expect(session.requestScope).toEqual(["y"]);
	});
});
