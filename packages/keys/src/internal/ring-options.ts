// KeyRing options and snapshots: the zod schemas with every default, resolved to plain types.
import * as z from "zod";
import { MAX_PUBLISHED_KEYS } from "../limits";
import type {
	EncryptionAlg,
	KeyRingGenerateOptions,
	KeyRingOptions,
	SigningAlg,
} from "../ring-types";
import type { KeyUse } from "../types";
import { zodConfigError } from "./config-error";

/** Signing algorithms the ring generates and restores. */
export const SIGNING: readonly SigningAlg[] = ["RS256", "PS256", "ES256", "EdDSA", "Ed25519"];
/** Encryption (key management) algorithms the ring generates and restores. */
export const ENCRYPTION: readonly EncryptionAlg[] = ["RSA-OAEP-256", "ECDH-ES+A256KW"];

const ms = z.number().int().nonnegative();
const Options = z.object({
	graceMs: ms.default(86_400_000),
	now: z.custom<() => number>((f) => typeof f === "function", "now must be a function").optional(),
	modulusLength: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).default(2048),
	encryptionCurve: z.enum(["P-256", "X25519"]).default("P-256"),
	extractable: z.boolean().default(true),
	maxAgeMs: ms.default(600_000),
	minRotationIntervalMs: ms.default(3_600_000),
	maxPublishedKeys: z.number().int().min(4).max(MAX_PUBLISHED_KEYS).default(MAX_PUBLISHED_KEYS),
});
const Generate = Options.extend({
	signing: z.enum(SIGNING as [SigningAlg, ...SigningAlg[]]),
	encryption: z
		.union([z.enum(ENCRYPTION as [EncryptionAlg, ...EncryptionAlg[]]), z.literal(false)])
		.default("ECDH-ES+A256KW"),
});
const Snapshot = z.object({
	version: z.literal(1),
	keys: z
		.array(
			z.object({
				kid: z.string().min(1).max(256),
				alg: z.enum([...SIGNING, ...ENCRYPTION] as [string, ...string[]]),
				use: z.enum(["sig", "enc"]),
				privateKey: z.union([z.string(), z.record(z.string(), z.unknown())]),
				createdAt: ms,
				activateAt: ms.optional(),
				retireAt: ms.optional(),
				removeAt: ms.optional(),
			}),
		)
		.min(1)
		.max(MAX_PUBLISHED_KEYS),
});

/** {@link KeyRingOptions} with every default filled in. */
export interface ResolvedRingOptions {
	graceMs: number;
	now: () => number;
	modulusLength: 2048 | 3072 | 4096;
	encryptionCurve: "P-256" | "X25519";
	extractable: boolean;
	maxAgeMs: number;
	minRotationIntervalMs: number;
	maxPublishedKeys: number;
}

/** {@link KeyRingGenerateOptions} with every default filled in. */
export interface ResolvedGenerateOptions extends ResolvedRingOptions {
	signing: SigningAlg;
	encryption: EncryptionAlg | false;
}

/** One key of a shape-checked snapshot. */
export interface SnapshotKeyInput {
	kid: string;
	alg: SigningAlg | EncryptionAlg;
	use: KeyUse;
	privateKey: string | Record<string, unknown>;
	createdAt: number;
	activateAt?: number | undefined;
	retireAt?: number | undefined;
	removeAt?: number | undefined;
}

/** @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues. */
export function resolveRingOptions(options: KeyRingOptions | undefined): ResolvedRingOptions {
	const r = Options.safeParse(options ?? {});
	if (!r.success) throw zodConfigError("invalid key ring options", r.error);
	return { ...r.data, now: r.data.now ?? Date.now };
}

/** @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues. */
export function resolveGenerateOptions(options: KeyRingGenerateOptions): ResolvedGenerateOptions {
	const r = Generate.safeParse(options);
	if (!r.success) throw zodConfigError("invalid key ring options", r.error);
	return { ...r.data, now: r.data.now ?? Date.now };
}

/** @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues. */
export function parseRingSnapshot(snapshot: unknown): SnapshotKeyInput[] {
	const r = Snapshot.safeParse(snapshot);
	if (!r.success) throw zodConfigError("invalid key ring snapshot", r.error);
	return r.data.keys as SnapshotKeyInput[];
}

/** The use an algorithm of the ring belongs to. */
export function useOf(alg: string): KeyUse {
	return (SIGNING as readonly string[]).includes(alg) ? "sig" : "enc";
}
