// Opt-in acceptance of the Python original's `typ: "JWT"` (Authlib's `jwt.encode` sets it by
// default): refused by default, accepted with `acceptedTypes: ["xshl-session+jwt", "JWT"]` on
// the verify options or on SessionConfig, and every other typ is still refused with it.
import { decodeProtectedHeader, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
	createSessionVerifier,
	Session,
	SessionClaimMissingError,
	SessionConfig,
	SessionConfigError,
	type SessionConfigInput,
	SessionTraceMismatchError,
	SessionTypeInvalidError,
	type VerifySessionOptions,
	verifySession,
} from "../src/index";
import { APP, caught, type Fixture, fixture, NOW, SALT, UA } from "./helpers";

const LEGACY = ["xshl-session+jwt", "JWT"] as const;

let f: Fixture;
let target: Session;

beforeAll(async () => {
	f = await fixture("ES256");
	target = new Session(f.config, UA, SALT);
});

/** A token in the Python original's shape: its claims (trace, sid, version...) and `typ` (`null`: none). */
function pythonToken(
	session: Session,
	typ: string | null = "JWT",
	extra: Record<string, unknown> = {},
): Promise<string> {
	const jti = crypto.randomUUID();
	const header: Record<string, unknown> = { alg: "ES256", kid: f.key.kid };
	if (typ !== null) header.typ = typ;
	return new SignJWT({
		sub: "py-user",
		sid: session.sid,
		version: 1,
		trace: session.trace.get(jti),
		scope: ["read"],
		_payloads: { plan: "pro" },
		...extra,
	})
		.setProtectedHeader(header as { alg: string })
		.setIssuer(APP)
		.setAudience("service-api")
		.setJti(jti)
		.setIssuedAt(NOW)
		.setNotBefore(NOW)
		.setExpirationTime(NOW + 120)
		.sign(f.key.privateKey);
}

async function typeInvalid(fn: () => unknown) {
	const e = await caught(fn);
	expect(e).toBeInstanceOf(SessionTypeInvalidError);
	expect(e.code).toBe("ERR_SESSION_TYPE_INVALID");
	expect(e.claim).toBe("typ");
	return e;
}

describe("by default (acceptedTypes omitted or [xshl-session+jwt])", () => {
	it("refuses a Python-shaped token with typ JWT, through jose's own typ check", async () => {
		const token = await pythonToken(target);
		expect(decodeProtectedHeader(token).typ).toBe("JWT");
		const e = await typeInvalid(() => verifySession(token, target.options));
		expect(e.cause?.code).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
		const explicit = { ...target.options, acceptedTypes: ["xshl-session+jwt"] as const };
		const e2 = await typeInvalid(() => verifySession(token, explicit));
		expect(e2.cause?.code).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
	});

	it("session.merge() refuses it and changes nothing", async () => {
		const session = new Session(f.config, UA, SALT);
		const before = session.toJSON();
		await typeInvalid(async () => session.merge(await pythonToken(session)));
		expect(session.toJSON()).toEqual(before);
		expect(f.config.acceptedTypes).toEqual(["xshl-session+jwt"]);
		expect(session.options.acceptedTypes).toBeUndefined();
	});
});

describe("acceptedTypes: [xshl-session+jwt, JWT] on the verify options", () => {
	let options: VerifySessionOptions;
	beforeAll(() => {
		options = { ...target.options, acceptedTypes: LEGACY };
	});

	it("verifies the Python-shaped token, with RFC 7515 case and application/ forms", async () => {
		for (const typ of ["JWT", "jwt", "application/JWT", "Application/jwt"]) {
			const claims = await verifySession(await pythonToken(target, typ), options);
			expect([claims.sub, claims.sid, claims.version, claims.scope, claims._payloads]).toEqual([
				"py-user",
				target.sid,
				1,
				["read"],
				{ plan: "pro" },
			]);
		}
		const { claims, protectedHeader } = await createSessionVerifier(options).verifyWithHeader(
			await pythonToken(target),
		);
		expect(protectedHeader).toEqual({ alg: "ES256", kid: f.key.kid, typ: "JWT" });
		expect(claims.sub).toBe("py-user");
	});

	it("still verifies this package's own tokens (xshl-session+jwt)", async () => {
		const issuer = new Session(f.config, UA, SALT);
		issuer.sub = "ts-user";
		issuer.aud = "service-api";
		expect((await verifySession(await issuer.jwt(), options)).sub).toBe("ts-user");
	});

	it("still refuses every other typ (at+jwt, secevent+jwt, none, text/jwt), also through the cache", async () => {
		const cached = createSessionVerifier({ ...options, cache: { maxEntries: 10 } });
		for (const typ of [
			"at+jwt",
			"secevent+jwt",
			null,
			"text/jwt",
			"JWT ",
			"xshl-session",
			"application/at+jwt",
		]) {
			const token = await pythonToken(target, typ);
			const e = await typeInvalid(() => verifySession(token, options));
			expect(e.message).toBe("the token's typ header is not one of xshl-session+jwt, JWT");
			expect(e.message).not.toContain(token);
			await typeInvalid(() => cached.verify(token));
			await typeInvalid(() => cached.verify(token));
		}
	});

	it("keeps every claim check: another client's trace, a JWT of another kind without sid", async () => {
		const other = new Session(f.config, "another agent", SALT);
		const stolen = await pythonToken(other, "JWT", { sid: target.sid });
		const e = await caught(() => verifySession(stolen, options));
		expect(e).toBeInstanceOf(SessionTraceMismatchError);
		expect(e.code).toBe("ERR_SESSION_TRACE_MISMATCH");

		const idToken = await new SignJWT({ sub: "u", email: "u@example.org" })
			.setProtectedHeader({ alg: "ES256", kid: f.key.kid, typ: "JWT" })
			.setIssuer(APP)
			.setAudience("service-api")
			.setJti(crypto.randomUUID())
			.setIssuedAt(NOW)
			.setNotBefore(NOW)
			.setExpirationTime(NOW + 120)
			.sign(f.key.privateKey);
		const e2 = await caught(() => verifySession(idToken, options));
		expect(e2).toBeInstanceOf(SessionClaimMissingError);
		expect(e2.code).toBe("ERR_SESSION_CLAIM_MISSING");
		// jose reports the last missing claim of the required list
		expect(e2.claim).toBe("trace");
	});
});

describe("acceptedTypes on SessionConfig", () => {
	let legacy: SessionConfig;
	beforeAll(() => {
		legacy = new SessionConfig({
			keys: f.keys,
			app: APP,
			audience: ["service-api", "admin-api"],
			header: { alg: "ES256", kid: f.key.kid },
			key: f.key.privateKey,
			now: f.config.now,
			acceptedTypes: LEGACY,
		});
	});

	it("merges a Python-shaped token into the session; its own tokens still carry xshl-session+jwt", async () => {
		const session = new Session(legacy, UA, SALT);
		expect(legacy.acceptedTypes).toEqual(["xshl-session+jwt", "JWT"]);
		expect(Object.isFrozen(legacy.acceptedTypes)).toBe(true);
		expect(session.options.acceptedTypes).toEqual(["xshl-session+jwt", "JWT"]);
		await session.merge(await pythonToken(session));
		expect([session.sub, session.aud, session.scope, session.payloads]).toEqual([
			"py-user",
			"service-api",
			["read"],
			{ plan: "pro" },
		]);
		const own = await session.jwt();
		expect(decodeProtectedHeader(own)).toEqual({
			alg: "ES256",
			kid: f.key.kid,
			typ: "xshl-session+jwt",
		});
		expect(legacy.header.typ).toBe("xshl-session+jwt");
		const again = new Session(legacy, UA, SALT);
		await again.merge(own);
		expect(again.sub).toBe("py-user");
	});

	it("tryMerge of an at+jwt token fails with ERR_SESSION_TYPE_INVALID and changes nothing", async () => {
		const session = new Session(legacy, UA, SALT);
		const before = session.toJSON();
		const r = await session.tryMerge(await pythonToken(session, "at+jwt"));
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.error).toBeInstanceOf(SessionTypeInvalidError);
		expect(r.error.code).toBe("ERR_SESSION_TYPE_INVALID");
		expect(session.toJSON()).toEqual(before);
	});

	it("deduplicates the list (one value: jose checks the typ as by default)", async () => {
		const c = new SessionConfig({
			keys: f.keys,
			header: { alg: "ES256", kid: f.key.kid },
			key: f.key.privateKey,
			acceptedTypes: ["xshl-session+jwt", "xshl-session+jwt"],
		});
		expect(c.acceptedTypes).toEqual(["xshl-session+jwt"]);
	});
});

describe("invalid acceptedTypes are config errors", () => {
	const bad: [string, unknown, string][] = [
		["another typ", ["xshl-session+jwt", "at+jwt"], "acceptedTypes.1"],
		["only JWT (ours is required)", ["JWT"], "acceptedTypes"],
		["empty list", [], "acceptedTypes"],
		["lowercase jwt (exact spelling in config)", ["xshl-session+jwt", "jwt"], "acceptedTypes.1"],
		["null (an absent typ is never accepted)", ["xshl-session+jwt", null], "acceptedTypes.1"],
		["a string, not a list", "JWT", "acceptedTypes"],
	];

	it.each(bad)("verify options: %s", async (_label, value, path) => {
		const options = { ...target.options, acceptedTypes: value } as VerifySessionOptions;
		for (const fn of [
			() => createSessionVerifier(options),
			() => verifySession("a.b.c", options),
		]) {
			const e = await caught(fn);
			expect(e).toBeInstanceOf(SessionConfigError);
			expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
			expect((e as SessionConfigError).issues.map((i) => i.path)).toContain(path);
			expect(e.message).toContain(`${path}:`);
		}
	});

	it.each(bad)("SessionConfig: %s", async (_label, value, path) => {
		const e = await caught(
			() =>
				new SessionConfig({
					keys: f.keys,
					header: { alg: "ES256", kid: f.key.kid },
					key: f.key.privateKey,
					acceptedTypes: value,
				} as SessionConfigInput),
		);
		expect(e).toBeInstanceOf(SessionConfigError);
		expect(e.code).toBe("ERR_SESSION_CONFIG_INVALID");
		expect((e as SessionConfigError).issues.map((i) => i.path)).toContain(path);
	});

	it("the option's type admits only the two values", () => {
		// @ts-expect-error at+jwt is not an acceptable typ
		const input: VerifySessionOptions = { keys: f.keys, acceptedTypes: ["at+jwt"] };
		expect(input.acceptedTypes).toEqual(["at+jwt"]);
	});
});
