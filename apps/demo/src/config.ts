/**
 * Environment configuration, validated with zod at start. Every bad value gets its own
 * message naming the variable; `loadConfig` throws a {@link ConfigError} listing them all.
 */
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import * as z from "zod";

const bool = (name: string, fallback: boolean) =>
	z
		.enum(["true", "false", "1", "0", "yes", "no"], {
			error: `${name} must be one of true, false, 1, 0, yes, no`,
		})
		.optional()
		.transform((v) => (v === undefined ? fallback : v === "true" || v === "1" || v === "yes"));

const int = (name: string, fallback: number, min: number, max: number) =>
	z
		.string()
		.optional()
		.transform((v, ctx) => {
			if (v === undefined || v === "") return fallback;
			const n = Number(v);
			if (!Number.isInteger(n) || n < min || n > max) {
				ctx.addIssue({ code: "custom", message: `${name} must be an integer in [${min}, ${max}]` });
				return z.NEVER;
			}
			return n;
		});

const url = (name: string, protocols: string[]) =>
	z
		.string()
		.optional()
		.transform((v, ctx) => {
			if (v === undefined || v === "") return undefined;
			try {
				const u = new URL(v);
				if (!protocols.includes(u.protocol)) throw new Error("protocol");
				return u.toString();
			} catch {
				ctx.addIssue({
					code: "custom",
					message: `${name} must be a URL with protocol ${protocols.join(" or ")}`,
				});
				return z.NEVER;
			}
		});

const list = z
	.string()
	.optional()
	.transform((v) =>
		(v ?? "")
			.split(",")
			.map((s) => s.trim())
			.filter(Boolean),
	);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Default issuer UUID (the `iss` claim); every instance of one deployment must share it. */
export const DEFAULT_ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";

const defaultUsersFile = fileURLToPath(new URL("../data/users.json", import.meta.url));

const EnvSchema = z.object({
	HOST: z
		.string()
		.optional()
		.transform((v) => v || "127.0.0.1"),
	PORT: int("PORT", 3000, 0, 65535),
	PUBLIC_ORIGIN: url("PUBLIC_ORIGIN", ["http:", "https:"]),
	ALLOWED_ORIGINS: list,
	AUDIENCE: z
		.string()
		.optional()
		.transform((v) => v || "xshl-demo"),
	APP_NAME: z
		.string()
		.optional()
		.transform((v) => v || "xshl-demo"),
	SIGNING_ALG: z
		.enum(["ES256", "EdDSA", "RS256", "PS256"], {
			error: "SIGNING_ALG must be one of ES256, EdDSA, RS256, PS256",
		})
		.optional()
		.transform((v) => v ?? "ES256"),
	ENCRYPTION_ALG: z
		.enum(["ECDH-ES+A256KW", "RSA-OAEP-256"], {
			error: "ENCRYPTION_ALG must be one of ECDH-ES+A256KW, RSA-OAEP-256",
		})
		.optional()
		.transform((v) => v ?? "ECDH-ES+A256KW"),
	ACCESS_TOKEN_TTL: int("ACCESS_TOKEN_TTL", 120, 10, 900),
	MAX_AUTH_AGE: int("MAX_AUTH_AGE", 600, 1, 86_400),
	VERIFY_CACHE: int("VERIFY_CACHE", 0, 0, 64),
	REDIS_URL: url("REDIS_URL", ["redis:", "rediss:"]),
	REDIS_CLUSTER_NODES: z
		.string()
		.optional()
		.transform((v, ctx) => {
			const nodes: { host: string; port: number }[] = [];
			for (const item of (v ?? "")
				.split(",")
				.map((s) => s.trim())
				.filter(Boolean)) {
				const m = /^(.+):(\d{1,5})$/.exec(item);
				const port = m ? Number(m[2]) : 0;
				if (!m || port < 1 || port > 65535) {
					ctx.addIssue({
						code: "custom",
						message: "REDIS_CLUSTER_NODES must be a comma-separated list of host:port",
					});
					return z.NEVER;
				}
				nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ""), port });
			}
			return nodes.length > 0 ? nodes : undefined;
		}),
	REDIS_PREFIX: z
		.string()
		.optional()
		.transform((v) => v || "xshl-demo")
		.pipe(
			z.string().regex(/^[A-Za-z0-9._:-]{1,56}$/, "REDIS_PREFIX must match [A-Za-z0-9._:-]{1,56}"),
		),
	REDIS_TIMEOUT_MS: int("REDIS_TIMEOUT_MS", 250, 10, 10_000),
	RING_KEK: z
		.string()
		.optional()
		.transform((v) => (v ? v : undefined))
		.pipe(
			z
				.string()
				.regex(/^[A-Za-z0-9_-]{43}$/, "RING_KEK must be 32 bytes in base64url (43 characters)")
				.optional(),
		),
	ISSUER_JWKS_URL: url("ISSUER_JWKS_URL", ["http:", "https:"]),
	ISSUER_REVOCATIONS_URL: url("ISSUER_REVOCATIONS_URL", ["http:", "https:"]),
	FEED_POLL_MS: int("FEED_POLL_MS", 1000, 100, 60_000),
	FEED_MAX_STALE_MS: int("FEED_MAX_STALE_MS", 60_000, 200, 900_000),
	FEED_PUSH: bool("FEED_PUSH", false),
	FEED_POLICY: z
		.enum(["fail-closed", "fail-open"], { error: "FEED_POLICY must be fail-closed or fail-open" })
		.optional()
		.transform((v) => v ?? "fail-closed"),
	ISSUER: z
		.string()
		.optional()
		.transform((v) => (v || DEFAULT_ISSUER).toLowerCase())
		.pipe(z.string().regex(UUID, "ISSUER must be a UUID (the iss claim of session-core tokens)")),
	KEYSET_NAME: z
		.string()
		.optional()
		.transform((v) => v || "xshl-demo")
		.pipe(
			z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, "KEYSET_NAME must match [A-Za-z0-9._:-]{1,64}"),
		),
	JWKS_CACHE_SECONDS: int("JWKS_CACHE_SECONDS", 300, 0, 86_400),
	COOKIE_SECURE: bool("COOKIE_SECURE", true),
	TRACE_IP: bool("TRACE_IP", false),
	TRUST_PROXY: z
		.string()
		.optional()
		.transform((v, ctx): false | { hops: number } | { addresses: string[] } => {
			if (v === undefined || v === "" || v === "false" || v === "0") return false;
			if (/^([1-9]|10)$/.test(v)) return { hops: Number(v) };
			const addresses = v.split(",").map((a) => a.trim());
			if (
				v !== "true" &&
				addresses.every(
					(a) => /^[0-9A-Fa-f.:]+(\/[0-9]{1,3})?$/.test(a) && isIP(a.split("/")[0]!) !== 0,
				)
			)
				return { addresses };
			ctx.addIssue({
				code: "custom",
				message:
					"TRUST_PROXY must be false, a hop count from 1 to 10, or the proxies' addresses/CIDRs (never true: any client could pick its IP)",
			});
			return z.NEVER;
		}),
	INTROSPECT_CLIENTS: list.pipe(
		z.array(
			z
				.string()
				.regex(
					/^[A-Za-z0-9._-]{1,64}:[^\s]{16,256}$/,
					"INTROSPECT_CLIENTS entries must be id:secret with a secret of at least 16 characters",
				),
		),
	),
	USERS_FILE: z
		.string()
		.optional()
		.transform((v) => v || defaultUsersFile),
	LOGIN_RATE_LIMIT: int("LOGIN_RATE_LIMIT", 10, 1, 10_000),
	REFRESH_RATE_LIMIT: int("REFRESH_RATE_LIMIT", 30, 1, 10_000),
	BODY_LIMIT: int("BODY_LIMIT", 16_384, 1024, 1_048_576),
	LOG_LEVEL: z
		.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
			error: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
		})
		.optional()
		.transform((v) => v ?? "info"),
});

/** The validated configuration the app runs with. */
export interface DemoConfig {
	host: string;
	port: number;
	/** Origin the page is served from; the first allowed CSRF origin. */
	publicOrigin: string;
	allowedOrigins: string[];
	/** Issuer UUID: the `iss` claim (session-core's `app`). */
	issuer: string;
	/** Key set name: feeds the `sid`; issuer and resource servers must agree. */
	keysetName: string;
	/** `max-age` of the JWKS response, seconds. */
	jwksCacheSeconds: number;
	audience: string;
	app: string;
	signingAlg: "ES256" | "EdDSA" | "RS256" | "PS256";
	encryptionAlg: "ECDH-ES+A256KW" | "RSA-OAEP-256";
	accessTokenTtl: number;
	maxAuthAge: number;
	/**
	 * Verified access tokens kept per client (session-core's opt-in cache, reused for at
	 * most 60 s and never past `exp`); 0 = off.
	 */
	verifyCache: number;
	redisUrl: string | undefined;
	/**
	 * Seed nodes of a Redis Cluster (`REDIS_CLUSTER_NODES=host:port,host:port`); the store, the
	 * shared key ring and the feed log then go through an ioredis `Cluster`. Exclusive with
	 * `REDIS_URL`.
	 */
	redisClusterNodes: { host: string; port: number }[] | undefined;
	redisPrefix: string;
	redisTimeoutMs: number;
	/**
	 * Key-encryption key (32 bytes) for the key ring stored in Redis; required with
	 * `REDIS_URL` in issuer mode.
	 */
	ringKek: Uint8Array<ArrayBuffer> | undefined;
	/** Set: resource-server mode (verify only, through the issuer's JWKS). */
	issuerJwksUrl: string | undefined;
	/**
	 * The issuer's revocation feed followed in resource-server mode (`ISSUER_REVOCATIONS_URL`;
	 * default `/.well-known/xshl-revocations` on the JWKS URL's origin); `undefined` in issuer mode.
	 */
	issuerRevocationsUrl: string | undefined;
	/** Poll interval of the revocation feed client, ms (`FEED_POLL_MS`, default 1000). */
	feedPollMs: number;
	/**
	 * How long the feed state may go without a successful refresh before `feedPolicy` applies, ms
	 * (`FEED_MAX_STALE_MS`, default 60000; at most the access-token lifetime).
	 */
	feedMaxStaleMs: number;
	/** What a stale or never-loaded feed means (`FEED_POLICY`): refuse every token, or keep going. */
	feedPolicy: "fail-closed" | "fail-open";
	/**
	 * Resource-server mode: also follow the feed's Server-Sent Events stream for sub-second
	 * delivery, polling while it is down (`FEED_PUSH`, default false).
	 */
	feedPush: boolean;
	cookieSecure: boolean;
	traceIp: boolean;
	/** Proxies trusted for `X-Forwarded-For`: a hop count or their addresses/CIDRs; `false` = none. */
	trustProxy: false | { hops: number } | { addresses: string[] };
	introspectClients: Map<string, string>;
	usersFile: string;
	loginRateLimit: number;
	refreshRateLimit: number;
	bodyLimit: number;
	logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

/** Thrown by {@link loadConfig}; `issues` holds one message per bad variable. */
export class ConfigError extends Error {
	readonly code = "ERR_DEMO_CONFIG" as const;
	readonly issues: string[];
	constructor(issues: string[]) {
		super(`Invalid configuration:\n  - ${issues.join("\n  - ")}`);
		this.name = "ConfigError";
		this.issues = issues;
	}
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
	if (host === "localhost") return true;
	const h = host.replace(/^\[|\]$/g, "");
	if (isIP(h) === 4) return h.startsWith("127.");
	if (isIP(h) === 6) return h === "::1";
	return false;
}

/**
 * Validate the environment.
 *
 * @param env - usually `process.env`.
 * @returns the configuration.
 * @throws {ConfigError} `ERR_DEMO_CONFIG` with one line per bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>): DemoConfig {
	const parsed = EnvSchema.safeParse(env);
	if (!parsed.success) {
		throw new ConfigError(
			parsed.error.issues.map((i) => {
				const key = String(i.path[0] ?? "");
				return i.message.startsWith(key) ? i.message : `${key}: ${i.message}`;
			}),
		);
	}
	const e = parsed.data;
	const issues: string[] = [];
	if (!e.COOKIE_SECURE && !isLoopback(e.HOST)) {
		issues.push("COOKIE_SECURE=false is only allowed when HOST is a loopback address");
	}
	if ((e.REDIS_URL || e.REDIS_CLUSTER_NODES) && !e.ISSUER_JWKS_URL && !e.RING_KEK) {
		issues.push(
			`RING_KEK is required with ${e.REDIS_URL ? "REDIS_URL" : "REDIS_CLUSTER_NODES"}: the shared key ring is stored encrypted (32 bytes, base64url)`,
		);
	}
	if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
		issues.push("REDIS_URL and REDIS_CLUSTER_NODES exclude each other: give one");
	}
	if (e.ISSUER_REVOCATIONS_URL && !e.ISSUER_JWKS_URL) {
		issues.push("ISSUER_REVOCATIONS_URL is only used with ISSUER_JWKS_URL (resource-server mode)");
	}
	if (e.FEED_MAX_STALE_MS > e.ACCESS_TOKEN_TTL * 1000) {
		issues.push(
			`FEED_MAX_STALE_MS must be at most the access-token lifetime (ACCESS_TOKEN_TTL = ${e.ACCESS_TOKEN_TTL} s)`,
		);
	}
	if (e.FEED_PUSH && e.FEED_MAX_STALE_MS < 20_000) {
		issues.push(
			"FEED_MAX_STALE_MS must be at least 20000 with FEED_PUSH (the stream's heartbeats come 15 s apart)",
		);
	}
	if (e.FEED_MAX_STALE_MS <= e.FEED_POLL_MS) {
		issues.push("FEED_MAX_STALE_MS must be greater than FEED_POLL_MS");
	}
	const clients = new Map<string, string>();
	for (const entry of e.INTROSPECT_CLIENTS) {
		const at = entry.indexOf(":");
		clients.set(entry.slice(0, at), entry.slice(at + 1));
	}
	if (issues.length) throw new ConfigError(issues);
	const hostForUrl = e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST;
	const publicOrigin = e.PUBLIC_ORIGIN
		? new URL(e.PUBLIC_ORIGIN).origin
		: `http://${hostForUrl}:${e.PORT}`;
	return {
		host: e.HOST,
		port: e.PORT,
		publicOrigin,
		allowedOrigins: [publicOrigin, ...e.ALLOWED_ORIGINS.map((o) => o.replace(/\/$/, ""))],
		issuer: e.ISSUER,
		keysetName: e.KEYSET_NAME,
		jwksCacheSeconds: e.JWKS_CACHE_SECONDS,
		audience: e.AUDIENCE,
		app: e.APP_NAME,
		signingAlg: e.SIGNING_ALG,
		encryptionAlg: e.ENCRYPTION_ALG,
		accessTokenTtl: e.ACCESS_TOKEN_TTL,
		maxAuthAge: e.MAX_AUTH_AGE,
		verifyCache: e.VERIFY_CACHE,
		redisUrl: e.REDIS_URL,
		redisClusterNodes: e.REDIS_CLUSTER_NODES,
		redisPrefix: e.REDIS_PREFIX,
		redisTimeoutMs: e.REDIS_TIMEOUT_MS,
		ringKek: e.RING_KEK ? new Uint8Array(Buffer.from(e.RING_KEK, "base64url")) : undefined,
		issuerJwksUrl: e.ISSUER_JWKS_URL,
		issuerRevocationsUrl:
			e.ISSUER_REVOCATIONS_URL ??
			(e.ISSUER_JWKS_URL
				? new URL("/.well-known/xshl-revocations", e.ISSUER_JWKS_URL).toString()
				: undefined),
		feedPollMs: e.FEED_POLL_MS,
		feedMaxStaleMs: e.FEED_MAX_STALE_MS,
		feedPolicy: e.FEED_POLICY,
		feedPush: e.FEED_PUSH,
		cookieSecure: e.COOKIE_SECURE,
		traceIp: e.TRACE_IP,
		trustProxy: e.TRUST_PROXY,
		introspectClients: clients,
		usersFile: e.USERS_FILE,
		loginRateLimit: e.LOGIN_RATE_LIMIT,
		refreshRateLimit: e.REFRESH_RATE_LIMIT,
		bodyLimit: e.BODY_LIMIT,
		logLevel: e.LOG_LEVEL,
	};
}
