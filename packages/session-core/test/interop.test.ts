// Tokens from this package verify with plain jose given the public JWKS, and tokens made
// with plain jose in the same claim shape merge into a Session. Round trips for RS256,
// PS256, ES256 and EdDSA.
import { Trace } from "@xshl/trace";
import { CompactSign, createLocalJWKSet, jwtVerify, SignJWT } from "jose";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod";
import {
	DEFAULT_STR,
	DEFAULT_UID,
	Session,
	SessionClaimInvalidError,
	type SessionClaims,
	sessionClaimsSchema,
	verifySession,
} from "../src/index";
import { APP, caught, type Fixture, fixture, NOW, now, SALT, UA } from "./helpers";

describe.each(["RS256", "PS256", "ES256", "EdDSA"])("%s", (alg) => {
	it("round trip: issue, verify with plain jose and the public JWKS, merge into another session", async () => {
		const { config, key } = await fixture(alg);
		const issuer = new Session(config, UA, SALT);
		issuer.sub = "user-1";
		issuer.aud = "service-api";
		issuer.scope = ["read"];
		issuer.payloads = { plan: "pro", at: new Date(NOW * 1000) };
		const token = await issuer.jwt();

		const jwks = createLocalJWKSet({ keys: [{ ...key.publicJwk, kid: key.kid, alg, use: "sig" }] });
		const { payload, protectedHeader } = await jwtVerify(token, jwks, {
			algorithms: [alg],
			typ: "xshl-session+jwt",
			audience: "service-api",
			issuer: APP,
			currentDate: new Date(now()),
			maxTokenAge: 120,
		});
		expect(protectedHeader).toEqual({ alg, kid: key.kid, typ: "xshl-session+jwt" });
		expect(payload).toEqual(issuer.toJSON());
		expect(payload._payloads).toEqual({ plan: "pro", at: "2027-01-15T08:00:00.000Z" });

		const target = new Session(config, new Trace(UA, SALT));
		await target.merge(token);
		expect([target.sub, target.aud, target.scope, target.payloads]).toEqual([
			"user-1",
			"service-api",
			["read"],
			{ plan: "pro", at: "2027-01-15T08:00:00.000Z" },
		]);
		const claims = await verifySession(token, target.options);
		expect(claims.jti).toBe(payload.jti);
	});

	it("a token made with plain jose in the same claim shape merges into a Session", async () => {
		const { config, key } = await fixture(alg);
		const target = new Session(config, UA, SALT);
		const jti = crypto.randomUUID();
		const token = await new SignJWT({
			sub: "from-jose",
			sid: target.sid,
			version: 1,
			trace: target.trace.get(jti),
			scope: ["a", "b"],
			_payloads: { x: { y: 1 } },
		})
			.setProtectedHeader({ alg, kid: key.kid, typ: "xshl-session+jwt" })
			.setIssuer(APP)
			.setAudience("admin-api")
			.setJti(jti)
			.setIssuedAt(NOW)
			.setNotBefore(NOW)
			.setExpirationTime(NOW + 120)
			.sign(key.privateKey);
		await target.merge(token);
		expect([target.sub, target.aud, target.scope, target.payloads]).toEqual([
			"from-jose",
			"admin-api",
			["a", "b"],
			{ x: { y: 1 } },
		]);
	});
});

describe("verifySession with a custom claims schema", () => {
	it("parses extra claims and the result type follows the schema", async () => {
		const { config } = await fixture("EdDSA");
		const session = new Session(config, UA);
		session.aud = "service-api";
		session.set("role", "admin").set("auth_time", NOW - 30);
		const token = await session.jwt();
		const schema = sessionClaimsSchema.extend({ role: z.enum(["admin", "user"]) });
		const claims = await verifySession(token, { ...session.options, schema });
		expectTypeOf(claims.role).toEqualTypeOf<"admin" | "user">();
		expectTypeOf(claims).toExtend<SessionClaims>();
		expect(claims.role).toBe("admin");
		expect(claims.auth_time).toBe(NOW - 30);

		const other = new Session(config, UA);
		other.aud = "service-api";
		other.set("role", "root");
		const e = await caught(() =>
			verifySession(other.jwt() as never, { ...session.options, schema }),
		);
		expect(e.code).toBe("ERR_SESSION_TOKEN_MALFORMED");
		const bad = await other.jwt();
		const e2 = await caught(() => verifySession(bad, { ...other.options, schema }));
		expect(e2).toBeInstanceOf(SessionClaimInvalidError);
		expect(e2.code).toBe("ERR_SESSION_CLAIM_INVALID");
		expect(e2.claim).toBe("role");
	});

	it("without a schema, unknown claims pass through", async () => {
		const { config } = await fixture("EdDSA");
		const session = new Session(config, UA);
		session.aud = "service-api";
		session.set("tenant", "t-1");
		const claims = await verifySession(await session.jwt(), session.options);
		expect(claims.tenant).toBe("t-1");
	});
});

/**
 * A token exactly as the Python original issues it (`Session.jwt` in `xshl/session/__init__.py`
 * of mcode-cc/py-xshl-session): Authlib's header `{alg, kid}` plus its default `typ: "JWT"`,
 * and the claims in the original's order (`iss`, `sub`, `aud`, `sid`, `version`, then the
 * claims set on the session, then `jti`, `iat`, `exp`, `nbf`, `trace`).
 */
async function pythonToken(f: Fixture, target: Session, set: Record<string, unknown>) {
	const jti = crypto.randomUUID();
	const claims = {
		iss: APP,
		sub: DEFAULT_UID,
		aud: DEFAULT_STR,
		sid: target.sid,
		version: 1,
		...set,
		jti,
		iat: NOW,
		exp: NOW + 120,
		nbf: NOW,
		trace: target.trace.get(jti),
	};
	return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
		.setProtectedHeader({ alg: f.key.alg, kid: f.key.kid, typ: "JWT" })
		.sign(f.key.privateKey);
}

/** A target that accepts the original's tokens (`typ: "JWT"`) and any audience. */
async function pythonTarget(): Promise<{ f: Fixture; target: Session }> {
	const f = await fixture("RS256", {
		audience: undefined,
		acceptedTypes: ["xshl-session+jwt", "JWT"],
	});
	return { f, target: new Session(f.config, "trace_arg1", "trace_arg2") };
}

describe("tokens of the Python original: _scope and merge exactly as the original computes", () => {
	it("test_add_operation: payloads dict_merge, scope lists summed, _scope list replaced by the token's string", async () => {
		const { f, target } = await pythonTarget();
		target.payloads = { new_key: "value", foo: "bar" };
		target.scope = ["foo"];
		target.requestScope = ["baz"];
		const token = await pythonToken(f, target, {
			aud: "new_aud",
			sub: "new_sub",
			_payloads: { new_key: { baz: "foo" } },
			scope: ["foo", "new_key"],
			_scope: "new_request_scope",
		});
		const result = await target.merge(token);
		expect(result).toBe(target);
		expect(target.aud).toBe("new_aud");
		expect(target.sub).toBe("new_sub");
		expect(target.payloads).toEqual({ new_key: { baz: "foo" }, foo: "bar" });
		expect(target.requestScope).toBe("new_request_scope");
		expect(target.scope).toEqual(["foo", "new_key"]);
	});

	it("a token with _scope and nested _payloads lists verifies and merges to the original's result", async () => {
		const { f, target } = await pythonTarget();
		target.aud = "service-api";
		target.sub = "u";
		target.payloads = { profile: { langs: ["en", "de"], theme: "dark" }, tags: ["a", "b"] };
		target.scope = ["read"];
		target.requestScope = ["read"];
		const set = {
			aud: "service-api",
			sub: "py-user",
			_payloads: { profile: { langs: ["fr"] }, tags: ["b", "c"] },
			_scope: ["read", "write", "read"],
			scope: ["write", "read"],
		};
		const token = await pythonToken(f, target, set);
		const claims = await verifySession(token, target.options);
		expect(claims._scope).toEqual(["read", "write", "read"]);
		expectTypeOf(claims._scope).toEqualTypeOf<string | string[] | undefined>();
		await target.merge(token);
		// what the original computes (its set() order is arbitrary; ours is first-seen)
		expect(target.payloads).toEqual({
			profile: { langs: ["fr"], theme: "dark" },
			tags: ["b", "c"],
		});
		expect(target.requestScope).toEqual(["read", "write"]);
		expect(new Set(target.requestScope)).toEqual(new Set(["write", "read"]));
		expect(target.scope).toEqual(["read", "write"]);
		expect([target.aud, target.sub]).toEqual(["service-api", "py-user"]);
	});

	it("a string _scope verifies (was ERR_SESSION_CLAIM_INVALID); a list meeting no list is taken as it is", async () => {
		const { f, target } = await pythonTarget();
		target.requestScope = "req";
		const token = await pythonToken(f, target, { _scope: ["x", "x"] });
		await target.merge(token);
		expect(target.requestScope).toEqual(["x", "x"]);
		const text = await pythonToken(f, target, { _scope: "foo_scope" });
		expect((await verifySession(text, target.options))._scope).toBe("foo_scope");
		await target.merge(text);
		expect(target.requestScope).toBe("foo_scope");
	});

	it("a _scope that is neither a string nor a list of strings is still refused", async () => {
		const { f, target } = await pythonTarget();
		for (const bad of [1, ["a", 2], { a: 1 }]) {
			const e = await caught(async () =>
				verifySession(await pythonToken(f, target, { _scope: bad }), target.options),
			);
			expect([e.constructor, e.code, e.claim]).toEqual([
				SessionClaimInvalidError,
				"ERR_SESSION_CLAIM_INVALID",
				"_scope",
			]);
		}
	});

	it("our own token with a string _scope merges into another session as the original's would", async () => {
		const { f, target } = await pythonTarget();
		const issuer = new Session(f.config, "trace_arg1", "trace_arg2");
		issuer.requestScope = "req";
		issuer.payloads = { n: { l: [3] } };
		target.payloads = { n: { l: [1, 2], k: 1 } };
		await target.merge(await issuer.jwt());
		expect([target.requestScope, target.payloads]).toEqual(["req", { n: { l: [3], k: 1 } }]);
	});
});
