import * as z from "zod";
import {
	CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS,
	DEFAULT_KEY_MANAGEMENT_ALGORITHMS,
	DEFAULT_MAX_TOKEN_BYTES,
	KEY_MANAGEMENT_ALGORITHMS,
	MAX_PBES2_COUNT,
} from "../algorithms";
import { JweConfigError } from "../errors";

/** The allowlists and limits, validated and frozen. */
export interface Policy {
	readonly keyManagementAlgorithms: readonly string[];
	readonly contentEncryptionAlgorithms: readonly string[];
	readonly algSet: ReadonlySet<string>;
	readonly encSet: ReadonlySet<string>;
	readonly maxTokenBytes: number;
	readonly maxPBES2Count: number | undefined;
}

const algSchema = z
	.string()
	.refine((v) => (KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(v), {
		error: (issue) =>
			issue.input === "RSA1_5"
				? "RSA1_5 cannot be allowed: PKCS#1 v1.5 key transport has padding oracles (RFC 8725 §3.2) and jose removed it"
				: `unknown JWE key management algorithm; expected one of ${KEY_MANAGEMENT_ALGORITHMS.join(", ")}`,
	});
const encSchema = z.enum(CONTENT_ENCRYPTION_ALGORITHMS, {
	error: () =>
		`unknown JWE content encryption algorithm; expected one of ${CONTENT_ENCRYPTION_ALGORITHMS.join(", ")}`,
});

const policySchema = z.looseObject({
	keyManagementAlgorithms: z.array(algSchema).min(1).readonly().optional(),
	contentEncryptionAlgorithms: z.array(encSchema).min(1).readonly().optional(),
	maxTokenBytes: z
		.int()
		.min(64)
		.max(16 * 1024 * 1024)
		.optional(),
	/** Renamed: refused with the new name, so an old limit is never silently ignored. */
	maxTokenLength: z
		.undefined({ message: "maxTokenLength was renamed to maxTokenBytes" })
		.optional(),
	maxPBES2Count: z.int().min(1).max(MAX_PBES2_COUNT).optional(),
});

/** Validates the allowlists and limits of serialize/deserialize options into a frozen policy. */
export function parsePolicy(options: object, what: string): Policy {
	const parsed = policySchema.safeParse(options);
	if (!parsed.success) throw configError(what, parsed.error);
	return toPolicy(parsed.data);
}

/** Turns a zod error into our config error; never echoes the input values. */
export function configError(what: string, error: z.ZodError): JweConfigError {
	const issues = error.issues.map((i) => ({
		path: i.path.map(String).join("."),
		message: i.message,
	}));
	const detail = issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
	return new JweConfigError(`invalid ${what} options: ${detail}`, issues, { cause: error });
}

/** Builds the frozen policy from parsed options. */
export function toPolicy(parsed: {
	keyManagementAlgorithms?: readonly string[] | undefined;
	contentEncryptionAlgorithms?: readonly string[] | undefined;
	maxTokenBytes?: number | undefined;
	maxPBES2Count?: number | undefined;
}): Policy {
	const keyManagementAlgorithms = Object.freeze([
		...(parsed.keyManagementAlgorithms ?? DEFAULT_KEY_MANAGEMENT_ALGORITHMS),
	]);
	const contentEncryptionAlgorithms = Object.freeze([
		...(parsed.contentEncryptionAlgorithms ?? DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS),
	]);
	return Object.freeze({
		keyManagementAlgorithms,
		contentEncryptionAlgorithms,
		algSet: new Set(keyManagementAlgorithms),
		encSet: new Set(contentEncryptionAlgorithms),
		maxTokenBytes: parsed.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES,
		maxPBES2Count: parsed.maxPBES2Count,
	});
}

/**
 * Caches the normalized form of an options object by identity, so a caller that reuses one
 * options object pays for validation once.
 */
export function cached<O extends object, N>(
	cache: WeakMap<object, N>,
	options: O,
	build: (options: O) => N,
): N {
	let hit = cache.get(options);
	if (hit === undefined) {
		hit = build(options);
		cache.set(options, hit);
	}
	return hit;
}
