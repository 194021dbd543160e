// One key of the ring: its generation, its restore from a snapshot (with every check a
// published key gets), and its snapshot.
import {
	calculateJwkThumbprint,
	exportJWK,
	exportPKCS8,
	generateKeyPair,
	importJWK,
	importPKCS8,
} from "jose";
import { KeysError } from "../errors";
import type { EncryptionAlg, KeyRingSnapshotKey, SigningAlg } from "../ring-types";
import type { KeyUse, PublicJwk } from "../types";
import { configIssue } from "./config-error";
import { checkKey, PRIVATE_MEMBERS, publicProjection } from "./key-check";
import { type ResolvedRingOptions, type SnapshotKeyInput, useOf } from "./ring-options";

/** A key held by the ring, with its schedule (ms since the epoch). */
export interface RingKey {
	kid: string;
	alg: SigningAlg | EncryptionAlg;
	use: KeyUse;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	jwk: PublicJwk;
	createdAt: number;
	activateAt: number | undefined;
	retireAt: number | undefined;
	removeAt: number | undefined;
}

/** Generate a key pair for `alg`. */
export async function generateOne(
	alg: SigningAlg | EncryptionAlg,
	o: ResolvedRingOptions,
	now: number,
): Promise<RingKey> {
	const options: { extractable: boolean; modulusLength?: number; crv?: string } = {
		extractable: o.extractable,
	};
	if (alg === "RS256" || alg === "PS256" || alg === "RSA-OAEP-256")
		options.modulusLength = o.modulusLength;
	if (alg === "EdDSA" || alg === "Ed25519") options.crv = "Ed25519";
	if (alg === "ECDH-ES+A256KW") options.crv = o.encryptionCurve;
	const { privateKey, publicKey } = await generateKeyPair(alg, options);
	return fromPair(alg, privateKey as CryptoKey, publicKey as CryptoKey, now);
}

async function fromPair(
	alg: SigningAlg | EncryptionAlg,
	privateKey: CryptoKey,
	publicKey: CryptoKey,
	createdAt: number,
): Promise<RingKey> {
	const use = useOf(alg);
	const exported = (await exportJWK(publicKey)) as Record<string, unknown>;
	const material = publicProjection({
		...exported,
		kid: undefined,
		use: undefined,
		alg: undefined,
		key_ops: undefined,
	});
	const kid = await calculateJwkThumbprint(
		material as Parameters<typeof calculateJwkThumbprint>[0],
		"sha256",
	);
	return {
		kid,
		alg,
		use,
		privateKey,
		publicKey,
		jwk: { ...material, kid, use, alg },
		createdAt,
		activateAt: undefined,
		retireAt: undefined,
		removeAt: undefined,
	};
}

const PEM =
	/^\s*-----BEGIN PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PRIVATE KEY-----\s*$/;

/** Restore one key of a snapshot; checked as a published key is. */
export async function restoreOne(k: SnapshotKeyInput, i: number): Promise<RingKey> {
	const alg = k.alg;
	if (useOf(alg) !== k.use)
		throw configIssue(`key #${i}: use ${k.use} does not fit alg ${alg}`, `keys.${i}.use`);
	let privateKey: CryptoKey;
	try {
		if (typeof k.privateKey === "string") {
			if (k.privateKey.includes("ENCRYPTED PRIVATE KEY"))
				throw configIssue(
					`key #${i}: encrypted PEM is not supported (no passphrase); decrypt it to PKCS#8 first`,
					`keys.${i}.privateKey`,
				);
			if (!PEM.test(k.privateKey))
				throw configIssue(
					`key #${i}: privateKey must be exactly one PKCS#8 PEM block (BEGIN PRIVATE KEY) with nothing around it`,
					`keys.${i}.privateKey`,
				);
			privateKey = (await importPKCS8(k.privateKey, alg, { extractable: true })) as CryptoKey;
		} else {
			if (typeof k.privateKey.d !== "string")
				throw configIssue(
					`key #${i}: privateKey JWK has no private part (d)`,
					`keys.${i}.privateKey`,
				);
			privateKey = (await importJWK(
				{ ...k.privateKey, alg: undefined, use: undefined, key_ops: undefined, ext: true } as never,
				alg,
				{ extractable: true },
			)) as CryptoKey;
		}
	} catch (e) {
		if (e instanceof KeysError) throw e;
		throw configIssue(
			`key #${i}: privateKey could not be imported as ${alg}`,
			`keys.${i}.privateKey`,
			e,
		);
	}
	const full = (await exportJWK(privateKey)) as Record<string, unknown>;
	const pub: Record<string, unknown> = {};
	for (const [m, v] of Object.entries(full))
		if (!PRIVATE_MEMBERS.includes(m) && m !== "key_ops" && m !== "ext") pub[m] = v;
	const check = checkKey({ ...pub, alg }, undefined);
	if ("reason" in check) throw configIssue(`key #${i}: ${check.reason}`, `keys.${i}.privateKey`);
	const { kid: _k, use: _u, alg: _a, key_ops: _o, ...material } = check.jwk;
	const publicKey = (await importJWK({ ...material, ext: true } as never, alg)) as CryptoKey;
	const key = await fromPair(alg, privateKey, publicKey, k.createdAt);
	if (key.kid !== k.kid)
		throw configIssue(`key #${i}: kid is not the RFC 7638 thumbprint of the key`, `keys.${i}.kid`);
	key.activateAt = k.activateAt;
	key.retireAt = k.retireAt;
	key.removeAt = k.removeAt;
	return key;
}

/**
 * The snapshot of one key: its private half as a private JWK or PKCS#8 PEM, and its schedule.
 *
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` when the key is not extractable.
 */
export async function snapshotOne(k: RingKey, format: "jwk" | "pem"): Promise<KeyRingSnapshotKey> {
	let privateKey: string | Record<string, unknown>;
	try {
		privateKey =
			format === "pem"
				? await exportPKCS8(k.privateKey)
				: ((await exportJWK(k.privateKey)) as Record<string, unknown>);
	} catch (e) {
		throw configIssue("the ring's private keys are not extractable", "extractable", e);
	}
	if (typeof privateKey !== "string") {
		delete privateKey.key_ops;
		delete privateKey.ext;
	}
	const out: KeyRingSnapshotKey = {
		kid: k.kid,
		alg: k.alg,
		use: k.use,
		privateKey,
		createdAt: k.createdAt,
	};
	if (k.activateAt !== undefined) out.activateAt = k.activateAt;
	if (k.retireAt !== undefined) out.retireAt = k.retireAt;
	if (k.removeAt !== undefined) out.removeAt = k.removeAt;
	return out;
}
