/**
 * The ports implemented with the @xshl packages: a `KeyRing` (@xshl/keys/ring) signs
 * `Session`s (@xshl/session-core), a `SessionStore` (@xshl/session-store) keeps refresh
 * families, and @xshl/jwe seals payloads. Tokens are verified by `@xshl/fastify`'s
 * authenticator (one compiled session-core verifier, the client's trace per call).
 */
import { createHash } from "node:crypto";
import { deserialize, type JsonValue, serialize } from "@xshl/jwe";
import type { KeySet } from "@xshl/keys";
import type { KeyRing } from "@xshl/keys/ring";
import { Session, SessionConfig } from "@xshl/session-core";
import type { SessionStore } from "@xshl/session-store";
import { sessionId, type Trace } from "@xshl/trace";
import { HttpError } from "./errors.js";
import type {
	AccessClaims,
	FamilyInfo,
	Issuer,
	RefreshStore,
	Sealer,
	SessionEntry,
} from "./ports.js";

/** Holds the current ring; in Redis mode another instance may replace it (see `ring-sync.ts`). */
export class RingHolder {
	#ring: KeyRing;
	#keySet: KeySet;
	readonly name: string;
	/** Called after a local rotation, to publish the new ring. */
	onRotate: ((ring: KeyRing) => Promise<void>) | undefined;

	constructor(ring: KeyRing, name: string) {
		this.name = name;
		this.#ring = ring;
		this.#keySet = ring.keySet(name);
	}

	get ring(): KeyRing {
		return this.#ring;
	}

	/** The live verifier view of the current ring. */
	get keySet(): KeySet {
		return this.#keySet;
	}

	replace(ring: KeyRing): void {
		this.#ring = ring;
		this.#keySet = ring.keySet(this.name);
		this.onReplace?.(ring);
	}

	/** Called after `replace` (the wiring subscribes to the new ring's events). */
	onReplace: ((ring: KeyRing) => void) | undefined;
}

/** A key set that always delegates to the holder's current ring (survives `replace`). */
function holderKeySet(holder: RingHolder): KeySet {
	return {
		name: holder.name,
		load: async () => {},
		get: (kid, options) => holder.keySet.get(kid, options),
		getKey: (query) => holder.keySet.getKey(query),
		resolver: (header, token) => holder.keySet.resolver(header, token),
		algorithms: (use) => holder.keySet.algorithms(use),
	};
}

/** Options shared by issuer and verifier. */
export interface TokenOptions {
	/** Issuer UUID (`iss`, session-core's `app`). */
	issuer: string;
	audience: string;
	ttl: number;
	now: () => number;
}

/** Issues session-core tokens signed by the ring's active key. */
export class XshlIssuer implements Issuer {
	readonly #holder: RingHolder;
	readonly #keys: KeySet;
	readonly #opts: TokenOptions;
	#config: SessionConfig | undefined;

	constructor(holder: RingHolder, opts: TokenOptions) {
		this.#holder = holder;
		this.#keys = holderKeySet(holder);
		this.#opts = opts;
	}

	get keys(): KeySet {
		return this.#keys;
	}

	#sessionConfig(): SessionConfig {
		const sk = this.#holder.ring.signingKey();
		if (this.#config?.header.kid !== sk.kid) {
			this.#config = new SessionConfig({
				keys: this.#keys,
				app: this.#opts.issuer,
				audience: [this.#opts.audience],
				header: sk.header,
				key: sk.privateKey,
				expiresMs: this.#opts.ttl * 1000,
				now: this.#opts.now,
			});
		}
		return this.#config;
	}

	sidFor(trace: Trace): string {
		return sessionId(this.#holder.name, trace);
	}

	async issue(
		input: Parameters<Issuer["issue"]>[0],
	): Promise<{ token: string; claims: AccessClaims; kid: string }> {
		const config = this.#sessionConfig();
		const session = new Session(config, input.trace);
		if (session.sid !== input.sid) throw new Error("sid does not match the trace");
		session.sub = input.sub;
		session.aud = [this.#opts.audience];
		session.scope = input.scope;
		session.set("auth_time", input.authTime);
		session.set("roles", input.roles);
		const token = await session.jwt();
		const claims = JSON.parse(
			Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"),
		) as AccessClaims;
		return { token, claims, kid: config.header.kid };
	}

	jwks(): { keys: Record<string, unknown>[] } {
		return this.#holder.ring.jwks() as unknown as { keys: Record<string, unknown>[] };
	}

	jwksResponse(
		headers: Record<string, string | string[] | undefined>,
	): Promise<{ status: 200 | 304; headers: Record<string, string>; body: string }> {
		return this.#holder.ring.jwksResponse({ headers });
	}

	activeKid(): string {
		return this.#holder.ring.signingKey().kid;
	}

	async rotate(): Promise<{ kid: string; previousKid: string }> {
		const previousKid = this.activeKid();
		await this.#holder.ring.rotate();
		await this.#holder.onRotate?.(this.#holder.ring);
		return { kid: this.activeKid(), previousKid };
	}
}

/** JWE with the ring's encryption keys (ECDH-ES+A256KW or RSA-OAEP-256, A256GCM). */
export class XshlSealer implements Sealer {
	constructor(
		private readonly holder: RingHolder,
		private readonly keys: KeySet,
	) {}

	#serializeOptions = {
		keys: {
			getKey: (q: { kid?: string; alg?: string; use?: "sig" | "enc" }) => this.keys.getKey(q),
		},
	};

	async seal(payload: unknown, options: { sub: string }): Promise<string> {
		const enc = this.holder.ring.encryptionKey();
		if (!enc)
			throw new HttpError(404, "ERR_DEMO_NOT_ISSUER", "This key ring has no encryption key");
		return serialize(
			{ sub: options.sub, payload: payload as JsonValue },
			{ alg: enc.alg, enc: "A256GCM", kid: enc.kid, cty: "json" },
			this.#serializeOptions,
		);
	}

	async open(
		jwe: string,
	): Promise<{ sub: unknown; payload: unknown; header: Record<string, unknown> }> {
		const r = await deserialize(jwe, { keys: this.holder.ring.decryptionKeys() });
		const body = r.json<{ sub?: unknown; payload?: unknown }>();
		return {
			sub: body.sub,
			payload: body.payload,
			header: r.protectedHeader as Record<string, unknown>,
		};
	}
}

/** The store never sees the trace text (it holds the per-login salt): only its SHA-256. */
function traceDigest(trace: string): string {
	return createHash("sha256").update(trace).digest("hex");
}

/** The routes' store port over any `SessionStore`. */
export class StoreAdapter implements RefreshStore {
	constructor(
		readonly store: SessionStore,
		readonly kind: "memory" | "redis",
		private readonly closeFn: () => Promise<void> = async () => {},
	) {}

	async login(
		input: Parameters<RefreshStore["login"]>[0],
	): Promise<FamilyInfo & { refreshToken: string }> {
		const r = await this.store.login({
			sub: input.sub,
			sid: input.sid,
			trace: traceDigest(input.trace),
			authTime: input.authTime,
			client: { userAgent: input.userAgent, ip: input.ip },
		});
		return family(r);
	}

	async rotate(
		refreshToken: string,
		input: { trace: string },
	): Promise<FamilyInfo & { refreshToken: string }> {
		return family(await this.store.rotate(refreshToken, { trace: traceDigest(input.trace) }));
	}

	async revokeRefresh(
		refreshToken: string,
		accessToken?: { jti: string; exp: number },
	): Promise<boolean> {
		const r = await this.store.logout(
			refreshToken,
			accessToken ? { accessToken: { jti: accessToken.jti, exp: accessToken.exp } } : undefined,
		);
		return r.revoked;
	}

	async denyAccess(c: { jti: string; sub: string; exp: number }): Promise<void> {
		await this.store.denyJti({ sub: c.sub, id: c.jti, exp: c.exp });
	}

	async check(c: { jti: string; sid: string; sub: string; iat: number }): Promise<void> {
		const r = await this.store.isRevoked({ sub: c.sub, iat: c.iat, jti: c.jti, sid: c.sid });
		if (!r.revoked) return;
		if (r.reason === "jti")
			throw new HttpError(401, "ERR_TOKEN_REVOKED", "This access token was revoked");
		throw new HttpError(401, "ERR_STORE_SESSION_REVOKED", "This session was revoked");
	}

	async logoutAll(sub: string, options?: { exceptSid?: string }): Promise<void> {
		await this.store.logoutAll(
			sub,
			options?.exceptSid ? { exceptSid: options.exceptSid } : undefined,
		);
	}

	async list(sub: string, currentSid?: string): Promise<SessionEntry[]> {
		const rows = await this.store.listSessions(sub, currentSid ? { currentSid } : undefined);
		return rows.map((s) => ({
			sid: s.sid,
			authTime: s.authTime,
			createdAt: s.createdAt,
			lastUsedAt: s.lastUsedAt,
			idleExpiresAt: s.idleExpiresAt,
			absoluteExpiresAt: s.absoluteExpiresAt,
			browser: s.browser,
			os: s.os,
			ipPrefix: s.ipPrefix,
			current: s.current,
		}));
	}

	async revokeSession(sub: string, sid: string): Promise<boolean> {
		return this.store.revokeSession({ sub, sid });
	}

	async close(): Promise<void> {
		await this.closeFn();
	}
}

function family(r: {
	sid: string;
	sub: string;
	authTime: number;
	idleExpiresAt: number;
	absoluteExpiresAt: number;
	maxAgeMs: number;
	refreshToken: string;
}): FamilyInfo & { refreshToken: string } {
	return {
		sid: r.sid,
		sub: r.sub,
		authTime: r.authTime,
		idleDeadline: r.idleExpiresAt,
		absoluteDeadline: r.absoluteExpiresAt,
		maxAge: Math.floor(r.maxAgeMs / 1000),
		refreshToken: r.refreshToken,
	};
}
