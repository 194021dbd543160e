// Argument parsing with node:util parseArgs, validated with zod; every failure is a usage error.
import { type ParseArgsConfig, parseArgs } from "node:util";
import type * as z from "zod";
import { CliUsageError } from "../errors";

/** The options of one command, as parseArgs takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** `--json` and `--help`, accepted by every command. */
export const COMMON: OptionSpec = {
	json: { type: "boolean" },
	help: { type: "boolean", short: "h" },
};

/** The first sentence of a parseArgs message (they run on with advice about `--`). */
function oneLine(message: string): string {
	const first = message.split(/\.\s/)[0] ?? message;
	return first.replace(/\.$/, "");
}

/** Parsed arguments: the flags plus `positionals`, before validation. */
export type RawArgs = Record<string, unknown> & { positionals: string[] };

/**
 * Parses `argv` strictly (unknown flags, missing values and extra positionals are usage
 * errors), then validates with `schema`.
 * @throws CliUsageError `ERR_CLI_USAGE`
 */
export function parseCommand<S extends z.ZodType>(
	argv: readonly string[],
	options: OptionSpec,
	schema: S,
	usage: string,
): z.output<S> & { json: boolean; help: boolean } {
	let parsed: ReturnType<typeof parseArgs>;
	try {
		parsed = parseArgs({
			args: [...argv],
			options: { ...COMMON, ...options },
			allowPositionals: true,
			strict: true,
		});
	} catch (e) {
		throw new CliUsageError(oneLine((e as Error).message), usage);
	}
	const values = parsed.values as Record<string, unknown>;
	const help = values.help === true;
	const json = values.json === true;
	if (help) return { help, json } as z.output<S> & { json: boolean; help: boolean };
	const result = schema.safeParse({ ...values, positionals: parsed.positionals });
	if (!result.success) {
		const issue = result.error.issues[0]!;
		throw new CliUsageError(issue.message, usage);
	}
	return { ...(result.data as object), help, json } as z.output<S> & {
		json: boolean;
		help: boolean;
	};
}
