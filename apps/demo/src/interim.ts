/**
 * Stand-ins built on jose and an in-process map, used only where a sibling package has
 * not landed yet. Each is replaced by the package in `wiring.ts` as soon as it exists.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Trace } from "@xshl/trace";
import {
	CompactEncrypt,
	calculateJwkThumbprint,
	compactDecrypt,
	createLocalJWKSet,
	exportJWK,
	generateKeyPair,
	type JWK,
	jwtVerify,
	SignJWT,
} from "jose";
import { HttpError } from "./errors.js";
import type {
	AccessClaims,
	FamilyInfo,
	Issuer,
	RefreshStore,
	Sealer,
	SessionEntry,
	Verified,
	Verifier,
} from "./ports.js";

interface RingKey {
	kid: string;
	alg: string;
	privateKey: CryptoKey;
	publicJwk: JWK;
}

function coded(code: string, message: string): Error {
	return Object.assign(new Error(message), { code });
}

/** Minimal key ring + issuer on jose. */
export class InterimIssuer implements Issuer, Verifier {
	#keys: RingKey[] = [];
	#enc: { kid: string; privateKey: CryptoKey; publicKey: CryptoKey } | undefined;
	constructor(
		private readonly opts: {
			alg: string;
			issuer: string;
			audience: string;
			ttl: number;
			now: () => number;
		},
	) {}

	async init(): Promise<this> {
		await this.rotate();
		const { privateKey, publicKey } = await generateKeyPair("ECDH-ES+A256KW", {
			crv: "P-256",
			extractable: true,
		});
		const jwk = await exportJWK(publicKey);
		this.#enc = { kid: await calculateJwkThumbprint(jwk), privateKey, publicKey };
		return this;
	}

	async rotate(): Promise<{ kid: string; previousKid: string }> {
		const previousKid = this.#keys[0]?.kid ?? "";
		const { privateKey, publicKey } = await generateKeyPair(this.opts.alg, { extractable: true });
		const publicJwk = await exportJWK(publicKey);
		const kid = await calculateJwkThumbprint(publicJwk);
		this.#keys.unshift({
			kid,
			alg: this.opts.alg,
			privateKey,
			publicJwk: { ...publicJwk, kid, alg: this.opts.alg, use: "sig" },
		});
		this.#keys = this.#keys.slice(0, 3);
		return { kid, previousKid };
	}

	activeKid(): string {
		return this.#keys[0]!.kid;
	}

	jwks(): { keys: Record<string, unknown>[] } {
		return { keys: this.#keys.map((k) => ({ ...k.publicJwk })) };
	}

	async issue(
		input: Parameters<Issuer["issue"]>[0],
	): Promise<{ token: string; claims: AccessClaims; kid: string }> {
		const k = this.#keys[0]!;
		const iat = Math.floor(this.opts.now() / 1000);
		const jti = randomUUID();
		const claims: AccessClaims = {
			iss: this.opts.issuer,
			sub: input.sub,
			aud: [this.opts.audience],
			exp: iat + this.opts.ttl,
			iat,
			nbf: iat,
			jti,
			sid: input.sid,
			trace: input.trace.get(jti),
			auth_time: input.authTime,
			scope: input.scope,
			roles: input.roles,
		};
		const token = await new SignJWT(claims)
			.setProtectedHeader({ alg: k.alg, kid: k.kid, typ: "JWT" })
			.sign(k.privateKey);
		return { token, claims, kid: k.kid };
	}

	async verify(token: string, trace: Trace | undefined): Promise<Verified> {
		try {
			const { payload, protectedHeader } = await jwtVerify(
				token,
				createLocalJWKSet(this.jwks() as { keys: JWK[] }),
				{
					issuer: this.opts.issuer,
					audience: this.opts.audience,
					algorithms: [this.opts.alg],
					clockTolerance: 5,
					currentDate: new Date(this.opts.now()),
					requiredClaims: ["exp", "iat", "nbf", "jti", "sid", "trace", "auth_time", "sub"],
				},
			);
			if (trace && !trace.validate(payload, payload.trace))
				throw coded("ERR_TRACE_MISMATCH", "Token trace does not match this client");
			return { header: protectedHeader as Verified["header"], claims: payload as AccessClaims };
		} catch (e) {
			if ((e as { code?: string }).code === "ERR_TRACE_MISMATCH") throw e;
			const code = (e as { code?: string }).code ?? "ERR_JWT_INVALID";
			throw coded(code.replace(/^ERR_JWT_EXPIRED$/, "ERR_TOKEN_EXPIRED"), "Access token rejected");
		}
	}

	sealer(): Sealer {
		return {
			seal: async (payload) => {
				const e = this.#enc!;
				return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
					.setProtectedHeader({ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: e.kid, cty: "json" })
					.encrypt(e.publicKey);
			},
			open: async (jwe) => {
				try {
					const r = await compactDecrypt(jwe, this.#enc!.privateKey, {
						keyManagementAlgorithms: ["ECDH-ES+A256KW"],
						contentEncryptionAlgorithms: ["A256GCM"],
					});
					return {
						payload: JSON.parse(new TextDecoder().decode(r.plaintext)),
						header: r.protectedHeader as Record<string, unknown>,
					};
				} catch {
					throw coded("ERR_JWE_DECRYPTION_FAILED", "JWE could not be decrypted");
				}
			},
		};
	}
}

interface Family extends FamilyInfo {
	id: string;
	gen: number;
	hash: Buffer;
	trace: string;
	createdAt: number;
	lastUsedAt: number;
	userAgent: string;
	ip: string;
	revoked: boolean;
}

const sha = (s: string) => createHash("sha256").update(s).digest();

/** Minimal in-memory refresh store: rotation, reuse detection, epoch, denylist. */
export class InterimStore implements RefreshStore {
	readonly kind = "memory" as const;
	#families = new Map<string, Family>();
	#epoch = new Map<string, number>();
	#deny = new Map<string, number>();
	constructor(private readonly now: () => number) {}

	async login(
		input: Parameters<RefreshStore["login"]>[0],
	): Promise<FamilyInfo & { refreshToken: string }> {
		const id = randomBytes(16).toString("base64url");
		const secret = randomBytes(32).toString("base64url");
		const t = this.now();
		const f: Family = {
			id,
			sid: id,
			sub: input.sub,
			authTime: input.authTime,
			idleDeadline: t + 86_400_000,
			absoluteDeadline: input.authTime * 1000 + 7 * 86_400_000,
			gen: 1,
			hash: sha(secret),
			trace: input.trace,
			createdAt: t,
			lastUsedAt: t,
			userAgent: input.userAgent,
			ip: input.ip,
			revoked: false,
		};
		this.#families.set(id, f);
		return { ...pick(f), refreshToken: `xrt1.${id}.1.${secret}` };
	}

	#parse(rt: string): { f: Family | undefined; gen: number; secret: string } {
		const m = /^xrt1\.([A-Za-z0-9_-]{22})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(rt);
		if (!m) return { f: undefined, gen: 0, secret: "" };
		return { f: this.#families.get(m[1]!), gen: Number(m[2]), secret: m[3]! };
	}

	#alive(f: Family): boolean {
		const t = this.now();
		return (
			!f.revoked &&
			t < f.idleDeadline &&
			t < f.absoluteDeadline &&
			f.createdAt > (this.#epoch.get(f.sub) ?? 0)
		);
	}

	async rotate(
		rt: string,
		input: { trace: string },
	): Promise<FamilyInfo & { refreshToken: string }> {
		const { f, gen, secret } = this.#parse(rt);
		if (!f || !this.#alive(f)) throw coded("ERR_SESSION_REVOKED", "Session ended; log in again");
		const h = sha(secret);
		if (gen !== f.gen || !timingSafeEqual(h, f.hash)) {
			f.revoked = true;
			this.#deny.set(`sid:${f.sid}`, this.now() + 125_000);
			throw coded("ERR_REFRESH_REUSED", "Refresh token reuse detected; session revoked");
		}
		if (input.trace !== f.trace)
			throw coded("ERR_TRACE_MISMATCH", "Refresh from another client refused");
		const next = randomBytes(32).toString("base64url");
		f.gen += 1;
		f.hash = sha(next);
		f.lastUsedAt = this.now();
		f.idleDeadline = this.now() + 86_400_000;
		return { ...pick(f), refreshToken: `xrt1.${f.id}.${f.gen}.${next}` };
	}

	async revokeRefresh(rt: string): Promise<{ sid: string; sub: string } | undefined> {
		const { f } = this.#parse(rt);
		if (!f) return undefined;
		f.revoked = true;
		this.#deny.set(`sid:${f.sid}`, this.now() + 125_000);
		return { sid: f.sid, sub: f.sub };
	}

	async denyAccess(c: { jti: string; sid: string; exp: number }): Promise<void> {
		this.#deny.set(`jti:${c.jti}`, c.exp * 1000 + 5000);
	}

	async check(c: { jti: string; sid: string; sub: string; iat: number }): Promise<void> {
		const t = this.now();
		if ((this.#deny.get(`jti:${c.jti}`) ?? 0) > t)
			throw coded("ERR_TOKEN_REVOKED", "Access token revoked");
		if ((this.#deny.get(`sid:${c.sid}`) ?? 0) > t)
			throw coded("ERR_SESSION_REVOKED", "Session revoked");
		if (c.iat * 1000 <= (this.#epoch.get(c.sub) ?? 0))
			throw coded("ERR_SESSION_REVOKED", "Session revoked");
		const f = this.#families.get(c.sid);
		if (f && !this.#alive(f)) throw coded("ERR_SESSION_REVOKED", "Session revoked");
	}

	async logoutAll(sub: string, options?: { exceptSid?: string }): Promise<void> {
		if (options?.exceptSid) {
			for (const f of this.#families.values())
				if (f.sub === sub && f.sid !== options.exceptSid) f.revoked = true;
			return;
		}
		this.#epoch.set(sub, this.now());
	}

	async list(sub: string, currentSid?: string): Promise<SessionEntry[]> {
		return [...this.#families.values()]
			.filter((f) => f.sub === sub && this.#alive(f))
			.sort((a, b) => b.lastUsedAt - a.lastUsedAt)
			.map((f) => ({
				sid: f.sid,
				createdAt: f.createdAt,
				lastUsedAt: f.lastUsedAt,
				idleDeadline: f.idleDeadline,
				absoluteDeadline: f.absoluteDeadline,
				userAgent: f.userAgent.slice(0, 80),
				ip: f.ip,
				current: f.sid === currentSid,
			}));
	}

	async revokeSession(sub: string, sid: string): Promise<boolean> {
		const f = this.#families.get(sid);
		if (!f || f.sub !== sub || !this.#alive(f)) return false;
		f.revoked = true;
		this.#deny.set(`sid:${sid}`, this.now() + 125_000);
		return true;
	}

	async close(): Promise<void> {}
}

function pick(f: Family): FamilyInfo {
	return {
		sid: f.sid,
		sub: f.sub,
		authTime: f.authTime,
		idleDeadline: f.idleDeadline,
		absoluteDeadline: f.absoluteDeadline,
	};
}

export { HttpError as _HttpError };
