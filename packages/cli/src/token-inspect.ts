/**
 * `xshl token inspect`: decode a compact JWS or JWE, describe its header and claims with
 * human times, and optionally verify it against a JWKS, check its `sid`/`trace` binding, and
 * decrypt a JWE.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { type DecryptionKeyInput, deserialize } from "@xshl/jwe";
import { createSessionVerifier, sessionId, Trace } from "@xshl/session-core";
import { compactVerify } from "jose";
import { CliInputInvalidError } from "./errors";
import { decodeCompact } from "./internal/compact";
import { openKeySet } from "./internal/key-set";
import { restoreRing } from "./internal/ring-file";
import { describeTime, type TimeDescription } from "./internal/time";

/** Options of {@link inspectToken}. */
export interface InspectTokenOptions {
	/** The compact token (whitespace and a `Bearer ` prefix are removed by the command). */
	token: string;
	/** A JWKS URL (`http(s)://…`, fetched with `RemoteKeySet`) or a JWKS file: verify the signature. */
	jwks?: string;
	/** The key-set name the `sid` was derived from. Required with `trace`. */
	name?: string;
	/** The trace parts, in order (each `--trace PART`). Required with `name`. */
	trace?: readonly string[];
	/** A file holding the decryption key of a JWE: a ring snapshot, a private JWK or a PKCS#8 PEM. */
	key?: string;
	/** The clock, in ms since the epoch. @default Date.now */
	now?: () => number;
}

/** A NumericDate claim with its human forms. */
export interface TimeClaim extends TimeDescription {
	/** The claim name (`iat`, `nbf`, `exp`, `auth_time`). */
	claim: string;
	/** Its value, in seconds since the epoch. */
	value: number;
}

/** An error as the report carries it: code and message. */
export interface ReportedError {
	/** The stable code (`ERR_SESSION_…`, `ERR_KEYS_…`, `ERR_JWS_…`, `ERR_JWE_…`). */
	code: string;
	/** What was wrong. */
	message: string;
	/** The claim concerned, when the error names one. */
	claim?: string;
}

/** The key that verified a signature. */
export interface VerifyingKey {
	/** Its `kid`. */
	kid: string | undefined;
	/** `RSA`, `EC` or `OKP`. */
	kty: string | undefined;
	/** Its `alg`. */
	alg: string | undefined;
	/** Its curve, for EC and OKP keys. */
	crv: string | undefined;
}

/** What `xshl token inspect` found. */
export interface TokenReport {
	/** `jws` (signed) or `jwe` (encrypted). */
	kind: "jws" | "jwe";
	/** The protected header. */
	header: Record<string, unknown>;
	/** The claims (a JWS with a JSON payload, or the decrypted JSON of a JWE). */
	claims: Record<string, unknown> | undefined;
	/** The payload as text when it is not a JSON object. */
	payloadText: string | undefined;
	/** `iat`, `nbf`, `exp`, `auth_time` described. */
	times: TimeClaim[];
	/** `true` when `exp` is in the past, `undefined` without `exp`. */
	expired: boolean | undefined;
	/** `true` when `nbf` is in the future, `undefined` without `nbf`. */
	notYetValid: boolean | undefined;
	/** JWE only: the sizes of its parts, in bytes, and whether it was decrypted. */
	jwe?: {
		encryptedKeyBytes: number;
		ivBytes: number;
		ciphertextBytes: number;
		tagBytes: number;
		decrypted: boolean;
		error?: ReportedError;
	};
	/** The inner token of a decrypted JWE whose payload is a compact JWS (`cty: "JWT"`). */
	nested?: TokenReport;
	/** With `jwks`: the signature check, and the key that verified it. */
	signature?: { valid: boolean; key?: VerifyingKey; error?: ReportedError };
	/** With `jwks`: the full `@xshl/session-core` verification (typ, claims, times, binding). */
	session?: { valid: boolean; error?: ReportedError };
	/** With `name` and `trace`: whether `sid` and `trace` match. */
	binding?: { name: string; sid: { expected: string; valid: boolean }; trace: { valid: boolean } };
	/** Whether nothing checked was bad (the exit status is 0 when true, 1 otherwise). */
	ok: boolean;
}

const TIME_CLAIMS = ["iat", "nbf", "exp", "auth_time"] as const;

function reported(e: unknown): ReportedError {
	const err = e as { code?: unknown; message?: unknown; claim?: unknown };
	const out: ReportedError = {
		code: typeof err.code === "string" ? err.code : "ERR_UNKNOWN",
		message: typeof err.message === "string" ? err.message : String(e),
	};
	if (typeof err.claim === "string") out.claim = err.claim;
	return out;
}

async function decryptionKeys(path: string): Promise<DecryptionKeyInput> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch (e) {
		throw new CliInputInvalidError(`cannot read key file ${path}`, { cause: e });
	}
	if (text.trimStart().startsWith("-----BEGIN")) return text.trim();
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		throw new CliInputInvalidError(`key file ${path} is neither JSON nor a PEM`, { cause: e });
	}
	if (
		value !== null &&
		typeof value === "object" &&
		Array.isArray((value as { keys?: unknown }).keys)
	) {
		const ring = await restoreRing(value).catch((e: unknown) => {
			throw new CliInputInvalidError(`key file ${path} is not a usable ring snapshot`, {
				cause: e,
			});
		});
		return ring.decryptionKeys();
	}
	return value as DecryptionKeyInput;
}

function timesOf(claims: Record<string, unknown> | undefined, nowMs: number): TimeClaim[] {
	const out: TimeClaim[] = [];
	for (const claim of TIME_CLAIMS) {
		const value = claims?.[claim];
		if (typeof value === "number" && Number.isFinite(value))
			out.push({ claim, value, ...describeTime(value, nowMs) });
	}
	return out;
}

/** `expired` (exp at or before now) and `notYetValid` (nbf after now), without leeway. */
function validity(
	times: readonly TimeClaim[],
	nowMs: number,
): Pick<TokenReport, "expired" | "notYetValid"> {
	const exp = times.find((t) => t.claim === "exp");
	const nbf = times.find((t) => t.claim === "nbf");
	return {
		expired: exp === undefined ? undefined : exp.value * 1000 <= nowMs,
		notYetValid: nbf === undefined ? undefined : nbf.value * 1000 > nowMs,
	};
}

/**
 * Inspects a compact token: decodes it, describes its times, and runs the checks the
 * options ask for. Never throws for a bad token that decodes: the findings are in the report
 * and `ok` is `false`.
 *
 * @param options - see {@link InspectTokenOptions}.
 * @returns the report.
 * @throws CliTokenMalformedError `ERR_CLI_TOKEN_MALFORMED` when the token is not a compact JWS or JWE.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when `jwks` or `key` names a file that cannot be read.
 * @example
 * ```ts
 * import { inspectToken } from '@xshl/cli'
 * const report = await inspectToken({ token, jwks: 'https://idp.example/jwks.json' })
 * console.log(report.signature?.valid, report.expired)
 * ```
 */
export async function inspectToken(options: InspectTokenOptions): Promise<TokenReport> {
	const now = options.now ?? Date.now;
	const decoded = decodeCompact(options.token);
	const nowMs = now();
	if (decoded.kind === "jwe") {
		const report: TokenReport = {
			kind: "jwe",
			header: decoded.header,
			claims: undefined,
			payloadText: undefined,
			times: [],
			expired: undefined,
			notYetValid: undefined,
			jwe: {
				encryptedKeyBytes: decoded.encryptedKeyBytes,
				ivBytes: decoded.ivBytes,
				ciphertextBytes: decoded.ciphertextBytes,
				tagBytes: decoded.tagBytes,
				decrypted: false,
			},
			ok: true,
		};
		if (options.key === undefined) return report;
		const keys = await decryptionKeys(options.key);
		try {
			const result = await deserialize(options.token, { keys });
			report.jwe!.decrypted = true;
			const text = result.text();
			if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) {
				report.nested = await inspectToken({ ...options, token: text, key: undefined });
				report.ok = report.nested.ok;
				return report;
			}
			try {
				const json = JSON.parse(text) as unknown;
				if (json !== null && typeof json === "object" && !Array.isArray(json))
					report.claims = json as Record<string, unknown>;
				else report.payloadText = text;
			} catch {
				report.payloadText = text;
			}
			report.times = timesOf(report.claims, nowMs);
			Object.assign(report, validity(report.times, nowMs));
			report.ok = report.expired !== true && report.notYetValid !== true;
		} catch (e) {
			report.jwe!.error = reported(e);
			report.ok = false;
		}
		return report;
	}

	const claims = decoded.claims;
	const times = timesOf(claims, nowMs);
	const report: TokenReport = {
		kind: "jws",
		header: decoded.header,
		claims,
		payloadText: decoded.payloadText,
		times,
		...validity(times, nowMs),
		ok: true,
	};

	const trace =
		options.trace !== undefined && options.trace.length > 0
			? new Trace(...options.trace)
			: undefined;
	if (options.name !== undefined && trace !== undefined) {
		const expected = sessionId(options.name, trace);
		report.binding = {
			name: options.name,
			sid: { expected, valid: claims?.sid === expected },
			trace: {
				valid:
					claims !== undefined &&
					trace.validate(claims as { jti?: string }, claims.trace as string),
			},
		};
	}

	if (options.jwks !== undefined) {
		let opened: Awaited<ReturnType<typeof openKeySet>> | undefined;
		try {
			opened = await openKeySet(options.jwks, options.name ?? "xshl");
		} catch (e) {
			if (e instanceof CliInputInvalidError) throw e;
			report.signature = { valid: false, error: reported(e) };
		}
		if (opened !== undefined) {
			try {
				const keys = opened.keys;
				try {
					await compactVerify(options.token, keys.resolver, { algorithms: keys.algorithms("sig") });
					const kid = typeof decoded.header.kid === "string" ? decoded.header.kid : undefined;
					const jwk =
						opened.jwks().keys.find((k) => k.kid === kid) ??
						(kid === undefined ? opened.jwks().keys.find((k) => k.use !== "enc") : undefined);
					report.signature = {
						valid: true,
						key: {
							kid: jwk?.kid,
							kty: jwk?.kty,
							alg: jwk?.alg ?? (decoded.header.alg as string),
							crv: jwk?.crv,
						},
					};
				} catch (e) {
					report.signature = { valid: false, error: reported(e) };
				}
				const verifier = createSessionVerifier({
					keys,
					...(trace !== undefined ? { trace } : {}),
					now,
				});
				try {
					await verifier.verify(options.token);
					report.session = { valid: true };
				} catch (e) {
					report.session = { valid: false, error: reported(e) };
				}
			} finally {
				opened.close();
			}
		}
	}

	report.ok =
		report.expired !== true &&
		report.notYetValid !== true &&
		(report.signature?.valid ?? true) &&
		(report.session?.valid ?? true) &&
		(report.binding === undefined || (report.binding.sid.valid && report.binding.trace.valid));
	return report;
}
