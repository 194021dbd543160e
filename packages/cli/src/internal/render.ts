// Human output of every command (the --json output is the report itself).
import type { JwksCheckReport } from "../jwks-check";
import type { RingJwksReport } from "../keys-jwks";
import type { TokenReport } from "../token-inspect";
import type { RingDescription } from "./ring-report";
import { mark, type Style } from "./style";
import { describeTime, relative } from "./time";

function table(rows: [string, string][], indent = "  "): string {
	const width = Math.max(0, ...rows.map(([k]) => k.length));
	return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join("\n");
}

function value(v: unknown): string {
	return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * The encoded token with each segment in its colour (as jwt.io shows it): header red,
 * payload magenta, signature cyan; a JWE's encrypted key yellow, IV green. Only with colour.
 */
export function renderSegments(token: string, s: Style): string {
	const parts = token.split(".");
	const paint =
		parts.length === 5 ? [s.red, s.yellow, s.green, s.magenta, s.cyan] : [s.red, s.magenta, s.cyan];
	return `${parts.map((p, i) => (paint[i] ?? s.dim)(p)).join(s.dim("."))}\n\n`;
}

/** The human report of `xshl token inspect`. */
export function renderToken(r: TokenReport, s: Style, nowMs: number, depth = 0): string {
	const out: string[] = [];
	const alg = value(r.header.alg);
	const kid = typeof r.header.kid === "string" ? `, kid ${r.header.kid}` : "";
	if (r.kind === "jwe") {
		out.push(s.bold(`JWE encrypted with ${alg} / ${value(r.header.enc)}${kid}`));
	} else {
		out.push(s.bold(`${depth > 0 ? "Nested JWS" : "JWS"} signed with ${alg}${kid}`));
	}
	out.push(s.cyan("Header"));
	out.push(table(Object.entries(r.header).map(([k, v]) => [k, value(v)])));
	if (r.jwe !== undefined) {
		out.push(s.cyan("Parts"));
		out.push(
			table([
				["encrypted key", `${r.jwe.encryptedKeyBytes} bytes`],
				["iv", `${r.jwe.ivBytes} bytes`],
				["ciphertext", `${r.jwe.ciphertextBytes} bytes`],
				["tag", `${r.jwe.tagBytes} bytes`],
			]),
		);
	}
	if (r.claims !== undefined) {
		out.push(s.magenta("Claims"));
		out.push(
			table(
				Object.entries(r.claims).map(([k, v]) => {
					const t = r.times.find((x) => x.claim === k);
					return [k, t === undefined ? value(v) : `${v}  ${t.iso} ${s.dim(`(${t.relative})`)}`];
				}),
			),
		);
	} else if (r.payloadText !== undefined) {
		out.push(s.magenta("Payload"));
		out.push(`  ${r.payloadText}`);
	}
	const checks: string[] = [];
	if (r.jwe !== undefined) {
		if (r.jwe.error !== undefined)
			checks.push(mark(s, false, `not decrypted: ${r.jwe.error.code}: ${r.jwe.error.message}`));
		else if (r.jwe.decrypted) checks.push(mark(s, true, "decrypted"));
		else checks.push(`  not decrypted (pass --key FILE to decrypt)`);
	}
	const exp = r.times.find((t) => t.claim === "exp");
	if (exp !== undefined)
		checks.push(
			r.expired === true
				? mark(s, false, `expired ${exp.relative}`)
				: mark(s, true, `not expired: expires ${exp.relative}`),
		);
	else if (r.kind === "jws" && r.claims !== undefined) checks.push(s.yellow("! no exp claim"));
	const nbf = r.times.find((t) => t.claim === "nbf");
	if (nbf !== undefined && r.notYetValid === true)
		checks.push(mark(s, false, `not valid yet: nbf is ${nbf.relative}`));
	if (r.signature !== undefined) {
		const k = r.signature.key;
		checks.push(
			r.signature.valid
				? mark(
						s,
						true,
						`signature verified by key ${k?.kid ?? "(no kid)"} (${[k?.kty, k?.crv, k?.alg].filter(Boolean).join(" ")})`,
					)
				: mark(
						s,
						false,
						`signature not verified: ${r.signature.error?.code}: ${r.signature.error?.message}`,
					),
		);
	}
	if (r.session !== undefined)
		checks.push(
			r.session.valid
				? mark(s, true, "valid xshl session token (@xshl/session-core)")
				: mark(
						s,
						false,
						`not a valid session token: ${r.session.error?.code}${r.session.error?.claim === undefined ? "" : ` (claim ${r.session.error.claim})`}: ${r.session.error?.message}`,
					),
		);
	if (r.binding !== undefined) {
		checks.push(
			r.binding.sid.valid
				? mark(s, true, `sid matches name "${r.binding.name}" and the trace`)
				: mark(
						s,
						false,
						`sid does not match name "${r.binding.name}" and the trace (expected ${r.binding.sid.expected})`,
					),
		);
		checks.push(
			r.binding.trace.valid
				? mark(s, true, "trace matches the given parts")
				: mark(s, false, "trace does not match the given parts"),
		);
	}
	if (checks.length > 0) {
		out.push(s.cyan("Checks"));
		out.push(...checks.map((c) => `  ${c.trimStart()}`));
	}
	if (r.nested !== undefined) out.push("", renderToken(r.nested, s, nowMs, depth + 1));
	return `${out.join("\n")}\n`;
}

/** The ring summary of the `keys` commands (to stderr; the JWKS goes to stdout). */
export function renderRing(r: RingDescription, s: Style, nowMs: number): string {
	return `${table(
		r.keys.map((k) => {
			const until =
				k.state === "retired" && k.removeAt !== undefined
					? s.dim(
							` (published until ${describeTime(k.removeAt / 1000, nowMs).iso}, ${relative(k.removeAt - nowMs)})`,
						)
					: "";
			return [`${k.state.padEnd(7)} ${k.use} ${k.alg}`, `${k.kid}${until}`];
		}),
	)}\n`;
}

/** The warning of `keys jwks` when the snapshot file is readable by others. */
export function renderModeWarning(r: RingJwksReport, s: Style): string {
	return r.modeTooOpen
		? `${s.yellow(`! ${r.file} has mode ${r.mode}: it holds private keys, chmod 600 it`)}\n`
		: "";
}

/** The human report of `xshl jwks check`. */
export function renderJwksCheck(r: JwksCheckReport, s: Style, nowMs: number): string {
	const out: string[] = [];
	for (const res of r.responses) {
		out.push(s.bold(`GET ${res.url} → ${res.status}`));
		const rows = Object.entries(res.headers) as [string, string][];
		if (rows.length > 0) out.push(table(rows));
	}
	if (r.responses.length === 0) out.push(s.bold(`GET ${r.url} → no response`));
	out.push(`Time: ${r.durationMs} ms`);
	if (r.ttl !== undefined)
		out.push(
			`TTL: ${Math.round(r.ttl.freshMs / 1000)} s (fresh until ${r.ttl.expiresAt}, ${relative(Date.parse(r.ttl.expiresAt) - nowMs)}; background refresh from ${r.ttl.refreshAt ?? "-"})`,
		);
	out.push(s.cyan(`Kept ${r.kept.length} key${r.kept.length === 1 ? "" : "s"}`));
	for (const k of r.kept)
		out.push(
			`  ${mark(s, true, `${k.kid ?? "(no kid)"}  ${[k.kty, k.crv, k.bits === undefined ? undefined : `${k.bits} bits`, k.alg, k.use].filter(Boolean).join(" ")}`)}`,
		);
	if (r.rejected.length > 0) {
		out.push(s.cyan(`Rejected ${r.rejected.length} key${r.rejected.length === 1 ? "" : "s"}`));
		for (const k of r.rejected)
			out.push(`  ${mark(s, false, `#${k.index} ${k.kid ?? "(no kid)"}: ${k.reason}`)}`);
	}
	for (const a of r.attempts)
		out.push(`  ${s.yellow(`! attempt failed: ${a.code}: ${a.message}`)}`);
	for (const w of r.warnings) out.push(`  ${s.yellow(`! ${w}`)}`);
	if (r.error !== undefined)
		out.push(
			mark(
				s,
				false,
				`${r.error.code}: ${r.error.message}${r.error.cause === undefined ? "" : ` (${r.error.cause.code}: ${r.error.cause.message})`}`,
			),
		);
	out.push(`Health: ${r.health.status} (${r.health.state})`);
	return `${out.join("\n")}\n`;
}
