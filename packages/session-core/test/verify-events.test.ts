// verifier.on("verify"): one event per call with outcome, code, engine, cache hit, duration;
// nothing measured while nobody listens; a throwing listener never breaks a call.
import { describe, expect, it } from "vitest";
import {
	createSessionVerifier,
	Session,
	SessionExpiredError,
	type VerifyEvent,
} from "../src/index";
import { caught, fixture, NOW_MS, SALT, tamper, UA } from "./helpers";

async function setup(cache = false) {
	let clock = NOW_MS;
	const { config } = await fixture("ES256", { now: () => clock });
	const session = new Session(config, UA, SALT);
	session.aud = "service-api";
	const token = await session.jwt();
	const verifier = createSessionVerifier({
		...session.options,
		now: () => clock,
		...(cache ? { cache: { maxEntries: 10, maxAgeMs: 60_000 } } : {}),
	});
	return { token, verifier, move: (ms: number) => (clock = NOW_MS + ms) };
}

describe('verifier.on("verify")', () => {
	it("reports an accepted and a refused call with the engine and the code", async () => {
		const { token, verifier, move } = await setup();
		const seen: VerifyEvent[] = [];
		const off = verifier.on("verify", (e) => seen.push(e));
		await verifier.verify(token);
		await caught(() => verifier.verify(tamper(token)));
		move(125_000);
		const expired = await caught(() => verifier.verifyWithHeader(token));
		expect(expired).toBeInstanceOf(SessionExpiredError);
		expect(seen.map((e) => [e.outcome, e.code, e.engine, e.cacheHit])).toEqual([
			["ok", undefined, verifier.engine, false],
			["error", "ERR_SESSION_SIGNATURE_INVALID", verifier.engine, false],
			["error", "ERR_SESSION_EXPIRED", verifier.engine, false],
		]);
		for (const e of seen) {
			expect(e.durationMs).toBeGreaterThanOrEqual(0);
			expect(Number.isFinite(e.startedAt)).toBe(true);
		}
		off();
		await verifier.verify(tamper(token)).catch(() => undefined);
		expect(seen).toHaveLength(3);
	});

	it("marks the answers of the verified-token cache", async () => {
		const { token, verifier } = await setup(true);
		const hits: boolean[] = [];
		verifier.on("verify", (e) => hits.push(e.cacheHit));
		await verifier.verify(token);
		await verifier.verify(token);
		await verifier.verifyWithHeader(token);
		expect(hits).toEqual([false, true, true]);
	});

	it("keeps the call's result when a listener throws, and refuses a bad subscription", async () => {
		const { token, verifier } = await setup();
		verifier.on("verify", () => {
			throw new Error("listener bug");
		});
		const claims = await verifier.verify(token);
		expect(claims.aud).toBe("service-api");
		expect(() => verifier.on("nope" as "verify", () => undefined)).toThrow(TypeError);
	});
});
