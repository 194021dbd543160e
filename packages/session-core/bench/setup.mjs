// Shared setup of the session-core benchmarks: the same claim shape (~300 bytes) and
// pre-imported keys for every library (a LocalKeySet from the JWKS for us, as a resource
// server runs it; the CryptoKey for jose, a KeyObject for jsonwebtoken, PEM cached by
// fast-jwt's factories).
import { createPrivateKey, createPublicKey, verify as cryptoVerify, randomUUID } from "node:crypto";
import { LocalKeySet } from "@xshl/keys";
import { createSessionVerifier, Session, SessionConfig } from "@xshl/session-core";
import { Trace } from "@xshl/trace";
import { createSigner, createVerifier } from "fast-jwt";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, jwtVerify, SignJWT } from "jose";
import jsonwebtoken from "jsonwebtoken";

export const ALGS = /** @type {const} */ (["ES256", "EdDSA", "RS256"]);
export const IN_FLIGHT = 32;
const TYP = "xshl-session+jwt";
const REQUIRED = ["iss", "aud", "exp", "nbf", "iat", "jti", "sid", "version", "trace"];

/** The operations measured: issue, uncached verify, and verify of one token again (caches). */
export const OPS = /** @type {const} */ (["issue", "verify", "verify cached"]);

/**
 * @param {"ES256" | "EdDSA" | "RS256"} alg
 * @returns {Promise<Record<(typeof OPS)[number], Record<string, (() => Promise<unknown>) | undefined>>>}
 */
export async function setup(alg) {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
	const pkcs8 = await exportPKCS8(privateKey);
	const spki = await exportSPKI(publicKey);
	// as a resource server runs it: a LocalKeySet from the issuer's JWKS
	const keys = new LocalKeySet({
		name: "session_name",
		jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg, use: "sig" }] },
	});
	await keys.load();
	const config = await SessionConfig.create({
		keys,
		app: "2f1e5b1c-7a7e-4c1e-9b7a-1f0e8d9c6b5a",
		audience: ["service-api"],
		header: { alg, kid: "k1" },
		key: privateKey,
	});
	const trace = new Trace(
		"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
		"salt",
	);
	const session = new Session(config, trace);
	session.sub = "user-123";
	session.aud = "service-api";
	session.scope = ["read", "write"];
	session.payloads = { plan: "pro" };
	const token = await session.jwt();
	// our verify: format gate, jose jwtVerify (typ, audience, maxTokenAge, required claims),
	// version, sid, zod parsing of the claims, trace check
	const verifier = createSessionVerifier(session.options);
	const joseVerifier = createSessionVerifier({ ...session.options, engine: "jose" });
	if (verifier.engine !== "node") throw new Error("expected the node:crypto engine");
	const cachedVerifier = createSessionVerifier({
		...session.options,
		cache: { maxEntries: 10_000 },
	});
	// the raw libraries sign the same claims with a fresh jti and times (no trace computation)
	const base = session.toJSON();
	const claims = () => {
		const now = Math.floor(Date.now() / 1000);
		return { ...base, jti: randomUUID(), iat: now, nbf: now, exp: now + 120 };
	};
	const joseOptions = {
		algorithms: [alg],
		typ: TYP,
		audience: ["service-api"],
		maxTokenAge: 120,
		clockTolerance: 5,
		requiredClaims: REQUIRED,
	};
	const fastSign = createSigner({
		key: pkcs8,
		algorithm: alg,
		kid: "k1",
		header: { alg, typ: TYP },
	});
	const fastVerify = createVerifier({ key: spki, algorithms: [alg], allowedAud: "service-api" });
	const fastCached = createVerifier({
		key: spki,
		algorithms: [alg],
		allowedAud: "service-api",
		cache: true,
	});
	const privateObject = createPrivateKey(pkcs8);
	const publicObject = createPublicKey(spki);
	const hasJsonwebtoken = alg !== "EdDSA"; // jsonwebtoken 9 has no EdDSA
	// the floor: split, one node:crypto verify, base64url + JSON.parse of the claims, exp check
	const dot2 = token.lastIndexOf(".");
	const rawKey =
		alg === "ES256"
			? { key: publicObject, dsaEncoding: /** @type {const} */ ("ieee-p1363") }
			: publicObject;
	const rawHash = alg === "EdDSA" ? null : "sha256";
	const rawVerify = () => {
		const dot1 = token.indexOf(".");
		const ok = cryptoVerify(
			rawHash,
			Buffer.from(token.slice(0, dot2), "latin1"),
			rawKey,
			Buffer.from(token.slice(dot2 + 1), "base64url"),
		);
		if (!ok) throw new Error("bad signature");
		const claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), "base64url").toString());
		if (claims.exp * 1000 <= Date.now()) throw new Error("expired");
		return claims;
	};
	return {
		issue: {
			"@xshl/session-core": () => session.jwt(),
			jose: () =>
				new SignJWT(claims()).setProtectedHeader({ alg, kid: "k1", typ: TYP }).sign(privateKey),
			"fast-jwt": async () => fastSign(claims()),
			jsonwebtoken: hasJsonwebtoken
				? async () =>
						jsonwebtoken.sign(claims(), privateObject, {
							algorithm: /** @type {"ES256" | "RS256"} */ (alg),
							keyid: "k1",
							header: { alg, typ: TYP },
						})
				: undefined,
		},
		verify: {
			"@xshl/session-core": () => verifier.verify(token),
			"@xshl/session-core (jose engine)": () => joseVerifier.verify(token),
			"node:crypto": async () => rawVerify(),
			jose: () => jwtVerify(token, publicKey, joseOptions),
			"fast-jwt": async () => fastVerify(token),
			jsonwebtoken: hasJsonwebtoken
				? async () =>
						jsonwebtoken.verify(token, publicObject, {
							algorithms: [/** @type {"ES256" | "RS256"} */ (alg)],
							audience: "service-api",
						})
				: undefined,
		},
		"verify cached": {
			"@xshl/session-core": () => cachedVerifier.verify(token),
			"fast-jwt": async () => fastCached(token),
		},
	};
}

/**
 * Runs `fn` `inFlight` at a time until `ms` have passed.
 * @param {() => Promise<unknown>} fn
 * @param {number} inFlight
 * @param {number} ms
 * @returns {Promise<number>} ops per second
 */
export async function measure(fn, inFlight, ms) {
	let done = 0;
	const start = performance.now();
	const end = start + ms;
	while (performance.now() < end) {
		if (inFlight === 1) {
			await fn();
		} else {
			const all = new Array(inFlight);
			for (let i = 0; i < inFlight; i++) all[i] = fn();
			await Promise.all(all);
		}
		done += inFlight;
	}
	return (done * 1000) / (performance.now() - start);
}
