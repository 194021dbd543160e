// Tokens from this package verify with plain jose given the public JWKS, and tokens made
// with plain jose in the same claim shape merge into a Session. Round trips for RS256,
// PS256, ES256 and EdDSA.
import { Trace } from "@xshl/trace";
import { createLocalJWKSet, jwtVerify, SignJWT } from "jose";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod";
import {
	Session,
	SessionClaimInvalidError,
	type SessionClaims,
	sessionClaimsSchema,
	verifySession,
} from "../src/index";
import { APP, caught, fixture, NOW, now, SALT, UA } from "./helpers";

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
