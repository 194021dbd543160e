import type { Trace } from "@xshl/trace";
import { sessionId } from "@xshl/trace";
import * as z from "zod/v4/mini";
import type { SessionKeySet } from "../config";
import {
	DEFAULT_LEEWAY_MS,
	DEFAULT_MAX_TOKEN_BYTES,
	DEFAULT_SESSION_VERSION,
	HMAC_ALGORITHMS,
	MAX_SESSION_EXPIRES_MS,
	SESSION_TOKEN_TYPE,
	SIGNING_ALGORITHMS,
} from "../constants";
import type { SessionClaimsSchemaLike } from "../verify";
import { defaultClaimsSchema } from "./claims-schema";
import type { RevocationSource } from "./revocation-check";
import { acceptedTypesSchema, normalizeTyp } from "./typ";
import { configError, customIssues, type IssueList, PARSE } from "./zod";

/** The claims every session token must carry (jose's `requiredClaims`, catalog CLM-04). */
export const REQUIRED_CLAIMS: readonly string[] = [
	"iss",
	"aud",
	"exp",
	"nbf",
	"iat",
	"jti",
	"sid",
	"version",
	"trace",
];
const ASYMMETRIC: readonly string[] = SIGNING_ALGORITHMS;
const ALLOWED = new Set<string>([...SIGNING_ALGORITHMS, ...HMAC_ALGORITHMS]);

const nonEmpty = () => z.string().check(z.minLength(1));

/** zod schema of the verify options (see `VerifySessionOptions` in `verify.ts`). */
const verifyOptionsSchema = z.object({
	keys: z.custom<SessionKeySet>(
		(v) =>
			v !== null &&
			typeof v === "object" &&
			typeof (v as SessionKeySet).name === "string" &&
			(v as SessionKeySet).name.length > 0 &&
			typeof (v as SessionKeySet).resolver === "function" &&
			typeof (v as SessionKeySet).algorithms === "function",
		{ message: "expected a key set with a non-empty name, resolver and algorithms()" },
	),
	trace: z.optional(
		z.custom<Trace>(
			(v) => v !== null && typeof v === "object" && typeof (v as Trace).validate === "function",
			{ message: "expected a Trace from @xshl/trace" },
		),
	),
	sid: z.optional(nonEmpty()),
	version: z._default(z.int(), DEFAULT_SESSION_VERSION),
	audience: z.optional(z.array(nonEmpty()).check(z.minLength(1))),
	issuer: z.optional(z.union([nonEmpty(), z.array(nonEmpty()).check(z.minLength(1))])),
	acceptedTypes: z.optional(acceptedTypesSchema),
	algorithms: z.optional(
		z
			.array(
				z
					.string()
					.check(z.refine((alg) => ALLOWED.has(alg), { message: "not an allowed JWS algorithm" })),
			)
			.check(z.minLength(1)),
	),
	leewayMs: z._default(z.int().check(z.minimum(0), z.maximum(60_000)), DEFAULT_LEEWAY_MS),
	maxTokenAgeMs: z._default(
		z.int().check(z.positive(), z.maximum(86_400_000)),
		MAX_SESSION_EXPIRES_MS,
	),
	maxTokenBytes: z._default(
		z.int().check(z.positive(), z.maximum(1024 * 1024)),
		DEFAULT_MAX_TOKEN_BYTES,
	),
	requireAuthTime: z._default(z.boolean(), false),
	now: z.optional(
		z.custom<() => number>((v) => typeof v === "function", { message: "now must be a function" }),
	),
	schema: z.optional(
		z.custom<SessionClaimsSchemaLike>(
			(v) =>
				v !== null &&
				typeof v === "object" &&
				typeof (v as { safeParse?: unknown }).safeParse === "function",
			{ message: "expected a zod schema" },
		),
	),
	hmacSecret: z.optional(
		z.custom<Uint8Array | CryptoKey>(
			(v) =>
				(v instanceof Uint8Array && v.length >= 32) ||
				(typeof CryptoKey !== "undefined" && v instanceof CryptoKey && v.type === "secret"),
			{ message: "expected a secret of at least 32 bytes or a secret CryptoKey" },
		),
	),
	cache: z.optional(
		z.strictObject({
			maxEntries: z.int().check(z.positive(), z.maximum(100_000)),
			maxAgeMs: z.optional(z.int().check(z.positive(), z.maximum(86_400_000))),
		}),
	),
	engine: z._default(z.enum(["auto", "jose"]), "auto"),
	revocations: z.optional(
		z.custom<RevocationSource>(
			(v) =>
				v !== null &&
				typeof v === "object" &&
				typeof (v as RevocationSource).isRevoked === "function",
			{ message: "expected an object with isRevoked(claims)" },
		),
	),
});

/** Verify options checked once: what every engine and check reads on the hot path. */
export interface CompiledVerifyOptions {
	readonly keys: SessionKeySet;
	readonly trace: Trace | undefined;
	/** `sid` given explicitly in the options (never derived). */
	readonly fixedSid: string | undefined;
	/** The expected `sid` without a per-call trace: `sid`, or derived from `trace`. */
	readonly sid: string | undefined;
	readonly schema: SessionClaimsSchemaLike;
	readonly version: number;
	readonly maxTokenBytes: number;
	readonly hmacSecret: Uint8Array | CryptoKey | undefined;
	/** Explicit `algorithms` (already checked against `hmacSecret`), or undefined. */
	readonly fixedAlgorithms: readonly string[] | undefined;
	/** The only accepted `typ` when there is one (jose checks it), else undefined. */
	readonly typ: string | undefined;
	/** Normalized accepted `typ`s when there are several (checked after the signature). */
	readonly acceptedTyps: ReadonlySet<string> | undefined;
	/** `acceptedTypes` joined for messages. */
	readonly typeList: string;
	readonly requiredClaims: readonly string[];
	readonly audience: readonly string[] | undefined;
	readonly issuer: string | readonly string[] | undefined;
	/** Clock tolerance in seconds (jose's unit), from `leewayMs`. */
	readonly leeway: number;
	/** Largest token age in seconds (jose's unit), from `maxTokenAgeMs`. */
	readonly maxTokenAge: number;
	/** A custom clock (ms), or undefined for `Date.now`. */
	readonly clock: (() => number) | undefined;
	/** The clock to read (ms): the custom clock or `Date.now`. */
	readonly clockMs: () => number;
	readonly cache:
		| { readonly maxEntries: number; readonly maxAgeMs?: number | undefined }
		| undefined;
	readonly engine: "auto" | "jose";
	/** The `revocations` source, asked after the claims and on every cache hit. */
	readonly revocations: RevocationSource | undefined;
}

/**
 * Validates verify options once (zod) and derives everything the hot path reads.
 *
 * @throws {SessionConfigError} `ERR_SESSION_CONFIG_INVALID` for invalid options.
 */
export function compileVerifyOptions(options: unknown): CompiledVerifyOptions {
	const renamed = renamedOptions(options);
	if (renamed !== undefined) throw configError("verify options", renamed);
	const parsed = verifyOptionsSchema.safeParse(options, PARSE);
	if (!parsed.success) throw configError("verify options", parsed.error);
	const o = parsed.data;
	const hmacSecret = o.hmacSecret;
	const fixedAlgorithms = o.algorithms?.filter(
		(alg) => ASYMMETRIC.includes(alg) || hmacSecret !== undefined,
	);
	if (o.algorithms !== undefined && fixedAlgorithms?.length !== o.algorithms.length) {
		throw configError(
			"verify options",
			customIssues("algorithms", "HS* algorithms need hmacSecret"),
		);
	}
	// one accepted typ (the default): jose checks it; more (the opt-in Python original's "JWT"):
	// compared after the signature, normalized once here
	const types = o.acceptedTypes ?? [SESSION_TOKEN_TYPE];
	const clock = o.now === undefined || o.now === Date.now ? undefined : o.now;
	return {
		keys: o.keys,
		trace: o.trace,
		fixedSid: o.sid,
		sid: o.sid ?? (o.trace === undefined ? undefined : sessionId(o.keys.name, o.trace)),
		schema: (o.schema ?? defaultClaimsSchema) as SessionClaimsSchemaLike,
		version: o.version,
		maxTokenBytes: o.maxTokenBytes,
		hmacSecret,
		fixedAlgorithms,
		typ: types.length > 1 ? undefined : SESSION_TOKEN_TYPE,
		acceptedTyps: types.length > 1 ? new Set(types.map((typ) => normalizeTyp(typ))) : undefined,
		typeList: types.join(", "),
		requiredClaims: o.requireAuthTime ? [...REQUIRED_CLAIMS, "auth_time"] : REQUIRED_CLAIMS,
		audience: o.audience,
		issuer: o.issuer,
		leeway: o.leewayMs / 1000,
		maxTokenAge: o.maxTokenAgeMs / 1000,
		clock,
		clockMs: clock ?? Date.now,
		cache: o.cache,
		engine: o.engine,
		revocations: o.revocations,
	};
}

/**
 * The algorithm allowlist of a verifier: the explicit `algorithms`, else the `alg`s of the key
 * set's signing keys (asymmetric only; `EdDSA` and RFC 9864's `Ed25519` name the same keys,
 * so either brings the other), else every asymmetric algorithm (before the first load). Rebuilt only when the key set's list changes (compared by content: key sets may
 * return a fresh array on every call); `onChange` derives per-list state once.
 */
export function algorithmAllowlist<T>(
	o: CompiledVerifyOptions,
	derive: (algorithms: string[]) => T,
): () => T {
	let lastRaw: readonly string[] | undefined;
	let last = derive([...(o.fixedAlgorithms ?? ASYMMETRIC)]);
	if (o.fixedAlgorithms !== undefined) return () => last;
	return () => {
		const raw = o.keys.algorithms("sig");
		if (raw !== lastRaw && (lastRaw === undefined || !sameList(raw, lastRaw))) {
			const derived = raw.filter((alg) => ASYMMETRIC.includes(alg));
			// RFC 9864: an Ed25519 key verifies `Ed25519` as well as the deprecated `EdDSA`
			const twin = derived.includes("EdDSA")
				? "Ed25519"
				: derived.includes("Ed25519")
					? "EdDSA"
					: undefined;
			if (twin !== undefined && !derived.includes(twin)) derived.push(twin);
			last = derive(derived.length > 0 ? derived : [...ASYMMETRIC]);
		}
		lastRaw = raw;
		return last;
	};
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/** Options renamed to milliseconds: refused with a hint instead of silently ignored. */
const RENAMED: Readonly<Record<string, string>> = {
	leeway: "renamed to leewayMs, in milliseconds (5 s is 5000)",
	maxTokenAge: "renamed to maxTokenAgeMs, in milliseconds (120 s is 120000)",
};

function renamedOptions(options: unknown): IssueList | undefined {
	if (options === null || typeof options !== "object") return undefined;
	const issues: { path: string[]; message: string }[] = [];
	for (const name in RENAMED) {
		if (Object.hasOwn(options, name)) issues.push({ path: [name], message: RENAMED[name] ?? "" });
	}
	return issues.length === 0 ? undefined : { issues };
}
