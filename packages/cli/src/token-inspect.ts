/**
 * `xshl token inspect`: decode a compact JWS or JWE, describe its header and claims with
 * human times, and optionally verify it against a JWKS, check its `sid`/`trace` binding, and
 * decrypt a JWE.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */
import { deserialize } from "@xshl/jwe";
import { sessionId, Trace } from "@xshl/session-core";
import { decodeCompact } from "./internal/compact";
import { decryptionKeys } from "./internal/decryption-keys";
import { type ReportedError, reported } from "./internal/reported";
import { describeTime, type TimeDescription } from "./internal/time";
import { verifyWithJwks } from "./internal/verify-with-jwks";

export type { ReportedError };

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

	if (options.jwks !== undefined)
		Object.assign(
			report,
			await verifyWithJwks({
				token: options.token,
				header: decoded.header,
				jwks: options.jwks,
				name: options.name,
				trace,
				now,
			}),
		);

	report.ok =
		report.expired !== true &&
		report.notYetValid !== true &&
		(report.signature?.valid ?? true) &&
		(report.session?.valid ?? true) &&
		(report.binding === undefined || (report.binding.sid.valid && report.binding.trace.valid));
	return report;
}
