/**
 * The `xshl` command: parses the arguments, runs one command, prints a human report (or
 * JSON with `--json`) and returns the exit status. The bin is `run(process.argv.slice(2),
 * nodeIO())`; programs and tests call it with their own {@link CliIO}.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */
import * as z from "zod";
import { CliError, CliUsageError } from "./errors";
import { parseCommand } from "./internal/args";
import { cleanToken } from "./internal/compact";
import {
	renderJwksCheck,
	renderModeWarning,
	renderRing,
	renderSegments,
	renderToken,
} from "./internal/render";
import { reported } from "./internal/reported";
import { style } from "./internal/style";
import {
	JWKS_CHECK_USAGE,
	KEYS_GENERATE_USAGE,
	KEYS_JWKS_USAGE,
	KEYS_ROTATE_USAGE,
	MAIN_USAGE,
	TOKEN_INSPECT_USAGE,
} from "./internal/usage";
import type { CliIO } from "./io";
import { checkJwks } from "./jwks-check";
import { GENERATE_ALGORITHMS, generateKeys } from "./keys-generate";
import { ringJwks } from "./keys-jwks";
import { rotateKeys } from "./keys-rotate";
import { inspectToken } from "./token-inspect";

const noPositionals = z.array(z.string()).max(0, { error: "unexpected argument" });
const file = (flag: string) =>
	z.string({ error: `${flag} FILE is required` }).min(1, { error: `${flag} FILE is required` });

const tokenArgs = z
	.object({
		positionals: z.array(z.string()).max(1, { error: "expected at most one TOKEN" }),
		jwks: z.string().min(1, { error: "--jwks needs a URL or a FILE" }).optional(),
		name: z.string().min(1, { error: "--name must not be empty" }).optional(),
		trace: z.array(z.string()).optional(),
		key: z.string().min(1, { error: "--key needs a FILE" }).optional(),
	})
	.refine((v) => (v.name === undefined) === (v.trace === undefined), {
		error: "--name and --trace go together: the sid is derived from both",
	});

const generateArgs = z.object({
	positionals: noPositionals,
	alg: z.enum(GENERATE_ALGORITHMS as [string, ...string[]], {
		error: `--alg must be one of ${GENERATE_ALGORITHMS.join(", ")}`,
	}),
	enc: z.boolean().optional(),
	out: file("--out"),
	force: z.boolean().optional(),
});

const inArgs = z.object({ positionals: noPositionals, in: file("--in") });

const checkArgs = z.object({
	positionals: z
		.array(z.string())
		.length(1, { error: "expected one URL" })
		.refine((p) => /^https?:\/\/[^\s]+$/i.test(p[0] ?? ""), {
			error: "URL must be an absolute http(s) URL",
		}),
});

function print(io: CliIO, json: boolean, report: unknown, human: () => string): void {
	io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : human());
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
	const [group, command, ...rest] = argv;
	const s = style(io.color);
	const key = `${group ?? ""} ${command ?? ""}`;
	switch (key) {
		case "token inspect": {
			const a = parseCommand(
				rest,
				{
					jwks: { type: "string" },
					name: { type: "string" },
					trace: { type: "string", multiple: true },
					key: { type: "string" },
				},
				tokenArgs,
				TOKEN_INSPECT_USAGE,
			);
			if (a.help) return help(io, TOKEN_INSPECT_USAGE);
			const arg = a.positionals[0];
			if (arg === undefined && io.stdinIsTTY)
				throw new CliUsageError(
					"missing TOKEN (or pipe it to standard input)",
					TOKEN_INSPECT_USAGE,
				);
			const token = cleanToken(arg === undefined || arg === "-" ? await io.readStdin() : arg);
			if (token === "")
				throw new CliUsageError("missing TOKEN: the input is empty", TOKEN_INSPECT_USAGE);
			const report = await inspectToken({
				token,
				now: io.now,
				...(a.jwks !== undefined ? { jwks: a.jwks } : {}),
				...(a.name !== undefined ? { name: a.name } : {}),
				...(a.trace !== undefined ? { trace: a.trace } : {}),
				...(a.key !== undefined ? { key: a.key } : {}),
			});
			print(
				io,
				a.json,
				report,
				() => (io.color ? renderSegments(token, s) : "") + renderToken(report, s, io.now()),
			);
			return report.ok ? 0 : 1;
		}
		case "keys generate": {
			const a = parseCommand(
				rest,
				{
					alg: { type: "string" },
					enc: { type: "boolean" },
					out: { type: "string" },
					force: { type: "boolean" },
				},
				generateArgs,
				KEYS_GENERATE_USAGE,
			);
			if (a.help) return help(io, KEYS_GENERATE_USAGE);
			const report = await generateKeys({
				alg: a.alg as (typeof GENERATE_ALGORITHMS)[number],
				enc: a.enc === true,
				out: a.out,
				force: a.force === true,
			});
			if (!a.json) {
				io.stderr(`Wrote ${report.file} (mode ${report.mode}, private: keep it secret)\n`);
				io.stderr(renderRing(report, s, io.now()));
			}
			print(io, a.json, report, () => `${JSON.stringify(report.jwks, null, 2)}\n`);
			return 0;
		}
		case "keys rotate": {
			const a = parseCommand(rest, { in: { type: "string" } }, inArgs, KEYS_ROTATE_USAGE);
			if (a.help) return help(io, KEYS_ROTATE_USAGE);
			const report = await rotateKeys({ in: a.in });
			if (!a.json) {
				for (const r of report.rotated)
					io.stderr(`Rotated ${r.use}: ${r.retired} retired, ${r.active} active\n`);
				io.stderr(renderRing(report, s, io.now()));
			}
			print(io, a.json, report, () => `${JSON.stringify(report.jwks, null, 2)}\n`);
			return 0;
		}
		case "keys jwks": {
			const a = parseCommand(rest, { in: { type: "string" } }, inArgs, KEYS_JWKS_USAGE);
			if (a.help) return help(io, KEYS_JWKS_USAGE);
			const report = await ringJwks({ in: a.in });
			if (!a.json) io.stderr(renderModeWarning(report, s) + renderRing(report, s, io.now()));
			print(io, a.json, report, () => `${JSON.stringify(report.jwks, null, 2)}\n`);
			return 0;
		}
		case "jwks check": {
			const a = parseCommand(rest, {}, checkArgs, JWKS_CHECK_USAGE);
			if (a.help) return help(io, JWKS_CHECK_USAGE);
			const report = await checkJwks({ url: a.positionals[0]!, now: io.now });
			print(io, a.json, report, () => renderJwksCheck(report, s, io.now()));
			return report.ok ? 0 : 1;
		}
	}
	if (group === undefined) throw new CliUsageError("missing command", MAIN_USAGE);
	if (group === "--help" || group === "-h" || group === "help") return help(io, MAIN_USAGE);
	if (["token", "keys", "jwks"].includes(group)) {
		const usage =
			group === "token"
				? TOKEN_INSPECT_USAGE
				: group === "jwks"
					? JWKS_CHECK_USAGE
					: `${KEYS_GENERATE_USAGE}\n${KEYS_ROTATE_USAGE}\n${KEYS_JWKS_USAGE}`;
		throw new CliUsageError(
			command === undefined ? `missing ${group} command` : `unknown command '${group} ${command}'`,
			usage,
		);
	}
	throw new CliUsageError(`unknown command '${group}'`, MAIN_USAGE);
}

function help(io: CliIO, usage: string): number {
	io.stdout(usage);
	return 0;
}

/**
 * Runs one `xshl` command line. Usage errors print one line and the usage on stderr and
 * return 2; a bad token, key file or JWKS returns 1 (with `--json`, the report or
 * `{ ok: false, error }` goes to stdout); success returns 0. Never throws.
 *
 * @param argv - the arguments after `xshl`, e.g. `["token", "inspect", token, "--json"]`.
 * @param io - streams, clock and colour; see {@link CliIO} and `nodeIO()`.
 * @returns the exit status: 0, 1 or 2.
 * @example
 * ```ts
 * import { nodeIO, run } from '@xshl/cli'
 * process.exitCode = await run(['jwks', 'check', 'https://idp.example/jwks.json'], nodeIO())
 * ```
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
	try {
		return await dispatch(argv, io);
	} catch (e) {
		if (e instanceof CliUsageError) {
			io.stderr(`xshl: ${e.message}\n\n${e.usage}`);
			return 2;
		}
		const { code, message } = reported(e);
		if (argv.includes("--json"))
			io.stdout(`${JSON.stringify({ ok: false, error: { code, message } }, null, 2)}\n`);
		io.stderr(`xshl: ${message} (${code})\n`);
		return e instanceof CliError ? e.exitCode : 1;
	}
}
