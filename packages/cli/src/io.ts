/**
 * Where a command writes and what it reads: stdout, stderr, stdin, the clock, colour. The
 * `xshl` bin passes {@link nodeIO}; tests and programs pass their own.
 *
 * Import from `@xshl/cli`.
 *
 * @module
 */

import { CliInputInvalidError } from "./errors";

/** The most `readStdin()` of {@link nodeIO} reads: 1 MiB, far above any token. */
const MAX_STDIN_BYTES = 1_048_576;

/** The streams and environment of one command run. */
export interface CliIO {
	/** Writes text (the caller adds newlines) to standard output. */
	stdout(text: string): void;
	/** Writes text to standard error. */
	stderr(text: string): void;
	/** Reads all of standard input as UTF-8 (for `xshl token inspect -`). */
	readStdin(): Promise<string>;
	/** Whether standard input is a terminal (then a missing TOKEN is a usage error, not a read). */
	stdinIsTTY: boolean;
	/** Whether the human output may use ANSI colours. */
	color: boolean;
	/** The clock, in ms since the epoch. */
	now(): number;
}

/**
 * The process's streams: colour only when stdout is a terminal and `NO_COLOR` is unset or
 * empty (https://no-color.org).
 *
 * `readStdin()` throws `CliInputInvalidError` (`ERR_CLI_INPUT_INVALID`) past 1 MiB.
 *
 * @returns a {@link CliIO} on `process.stdout`, `process.stderr` and `process.stdin`.
 * @example
 * ```ts
 * import { nodeIO, run } from '@xshl/cli'
 * process.exitCode = await run(['keys', 'jwks', '--in', 'ring.json'], nodeIO())
 * ```
 */
export function nodeIO(): CliIO {
	const noColor = process.env.NO_COLOR;
	return {
		stdout: (text) => {
			process.stdout.write(text);
		},
		stderr: (text) => {
			process.stderr.write(text);
		},
		readStdin: async () => {
			const chunks: Uint8Array[] = [];
			let size = 0;
			for await (const chunk of process.stdin) {
				size += (chunk as Uint8Array).byteLength;
				if (size > MAX_STDIN_BYTES)
					throw new CliInputInvalidError(
						`standard input is larger than ${MAX_STDIN_BYTES} bytes: not a token`,
					);
				chunks.push(chunk as Uint8Array);
			}
			return new TextDecoder().decode(concat(chunks));
		},
		stdinIsTTY: process.stdin.isTTY === true,
		color: process.stdout.isTTY === true && (noColor === undefined || noColor === ""),
		now: Date.now,
	};
}

function concat(chunks: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}
