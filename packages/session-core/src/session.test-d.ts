import { expectTypeOf, test } from "vitest";
import * as z from "zod";
import {
	type ConfigIssue,
	createSessionVerifier,
	type MergeResult,
	Session,
	type SessionClaims,
	type SessionErrorCode,
	type SessionErrors,
	type SessionKeySet,
	sessionClaimsSchema,
	verifySession,
} from "./index";

declare const keys: SessionKeySet;
declare const token: string;

test("a custom claims schema flows into the verify result type", async () => {
	const schema = sessionClaimsSchema.extend({
		role: z.enum(["admin", "user"]),
		tenant: z.string(),
	});
	const claims = await verifySession(token, { keys, schema });
	expectTypeOf(claims.role).toEqualTypeOf<"admin" | "user">();
	expectTypeOf(claims.tenant).toEqualTypeOf<string>();
	expectTypeOf(claims.sid).toEqualTypeOf<string>();
	expectTypeOf(claims.exp).toEqualTypeOf<number>();
	const verifier = createSessionVerifier({ keys, schema });
	expectTypeOf(verifier.verify(token)).resolves.toHaveProperty("role");
});

test("without a schema the result is SessionClaims", async () => {
	const claims = await verifySession(token, { keys });
	expectTypeOf(claims).toEqualTypeOf<SessionClaims>();
	expectTypeOf(claims.aud).toEqualTypeOf<string | string[]>();
	expectTypeOf(claims.scope).toEqualTypeOf<string[] | undefined>();
	// @ts-expect-error a schema must output at least the base claims
	void verifySession(token, { keys, schema: z.object({ role: z.string() }) });
});

test("session accessors and merge results are typed", async () => {
	const session = {} as Session;
	expectTypeOf(session.iss).toEqualTypeOf<string>();
	expectTypeOf(session.sub).toEqualTypeOf<string | undefined>();
	expectTypeOf(session.scope).toEqualTypeOf<string[] | undefined>();
	expectTypeOf(session.jwt()).resolves.toEqualTypeOf<string>();
	const r = await session.tryMerge(token);
	expectTypeOf(r).toEqualTypeOf<MergeResult>();
	if (r.ok) expectTypeOf(r.claims).toEqualTypeOf<SessionClaims>();
	else expectTypeOf(r.error.code).toEqualTypeOf<SessionErrorCode>();
	// @ts-expect-error iss is read-only
	session.iss = "x";
	// @ts-expect-error sid is read-only
	session.sid = "x";
});

test("the error union narrows on code", () => {
	expectTypeOf<SessionErrors["code"]>().toEqualTypeOf<SessionErrorCode>();
	const e = {} as SessionErrors;
	if (e.code === "ERR_SESSION_CONFIG_INVALID")
		expectTypeOf(e.issues).toEqualTypeOf<readonly ConfigIssue[]>();
});

test("config input requires keys, header.alg, header.kid and key", () => {
	// @ts-expect-error header.kid is required
	void new Session({ keys, header: { alg: "ES256" }, key: "pem" });
	// @ts-expect-error key is required
	void new Session({ keys, header: { alg: "ES256", kid: "k" } });
	expectTypeOf(
		new Session({ keys, header: { alg: "ES256", kid: "k" }, key: "pem" }, "ua", 1, 2n),
	).toEqualTypeOf<Session>();
	// @ts-expect-error trace parts are strings, numbers or bigints
	void new Session({ keys, header: { alg: "ES256", kid: "k" }, key: "pem" }, true);
});

test("requestScope (_scope) is a string or a list of strings, as the Python original issues it", () => {
	expectTypeOf<Session["requestScope"]>().toEqualTypeOf<string | string[] | undefined>();
	expectTypeOf<SessionClaims["_scope"]>().toEqualTypeOf<string | string[] | undefined>();
});
