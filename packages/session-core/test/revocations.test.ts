// The `revocations` option: a structural source asked after the claims and on every hit of
// the verified-token cache.
import { describe, expect, it } from "vitest";
import {
	createSessionVerifier,
	type RevocationClaims,
	SESSION_ERROR_CODES,
	Session,
	SessionConfigError,
	SessionRevokedError,
	verifySession,
} from "../src/index";
import { caught, fixture, NOW, NOW_MS, SALT, UA } from "./helpers";

async function issued() {
	const { config } = await fixture("ES256", { now: () => NOW_MS });
	const session = new Session(config, UA, SALT);
	session.aud = "service-api";
	session.set("sub", "user-1");
	return { session, token: await session.jwt() };
}

describe("verify option revocations", () => {
	it("asks isRevoked with sid, jti, sub and iat and refuses with ERR_SESSION_REVOKED", async () => {
		const { session, token } = await issued();
		const seen: RevocationClaims[] = [];
		let revoked = false;
		const source = {
			isRevoked(claims: RevocationClaims) {
				seen.push(claims);
				return revoked;
			},
		};
		const verifier = createSessionVerifier({ ...session.options, revocations: source });
		expect((await verifier.verify(token)).jti).toBe(session.get("jti"));
		expect(seen).toEqual([{ sid: session.sid, jti: session.get("jti"), sub: "user-1", iat: NOW }]);
		revoked = true;
		const error = await caught(() => verifier.verify(token));
		expect(error).toBeInstanceOf(SessionRevokedError);
		expect(error.code).toBe("ERR_SESSION_REVOKED");
		expect((error as SessionRevokedError).status).toBe(401);
		expect(SESSION_ERROR_CODES.ERR_SESSION_REVOKED.status).toBe(401);
	});

	it("is honoured on every hit of the verified-token cache", async () => {
		const { session, token } = await issued();
		let revoked = false;
		let calls = 0;
		const verifier = createSessionVerifier({
			...session.options,
			cache: { maxEntries: 10 },
			revocations: {
				isRevoked: () => {
					calls++;
					return revoked;
				},
			},
		});
		expect((await verifier.verify(token)).sid).toBe(session.sid);
		expect((await verifier.verify(token)).sid).toBe(session.sid);
		expect(calls).toBe(2);
		revoked = true;
		const error = await caught(() => verifier.verify(token));
		expect(error).toBeInstanceOf(SessionRevokedError);
		expect(calls).toBe(3);
	});

	it("refuses the token when the source throws (fail closed), keeping the cause", async () => {
		const { session, token } = await issued();
		const boom = new Error("feed broken");
		const error = await caught(() =>
			verifySession(token, {
				...session.options,
				revocations: {
					isRevoked: () => {
						throw boom;
					},
				},
			}),
		);
		expect(error).toBeInstanceOf(SessionRevokedError);
		expect(error.cause).toBe(boom);
	});

	it("refuses a source without isRevoked at construction", async () => {
		const { session } = await issued();
		const error = await caught(() =>
			Promise.resolve().then(() =>
				createSessionVerifier({
					...session.options,
					revocations: {} as unknown as { isRevoked: () => boolean },
				}),
			),
		);
		expect(error).toBeInstanceOf(SessionConfigError);
		expect((error as SessionConfigError).issues).toEqual([
			{ path: "revocations", message: "expected an object with isRevoked(claims)" },
		]);
	});
});
