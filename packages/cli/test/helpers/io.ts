// An in-memory CliIO: captures stdout and stderr, fixed clock, optional stdin.
import type { CliIO } from "../../src/io";

export interface MemoryIO {
	io: CliIO;
	out(): string;
	err(): string;
}

export function memoryIO(
	options: { stdin?: string; now?: () => number; color?: boolean } = {},
): MemoryIO {
	let out = "";
	let err = "";
	return {
		io: {
			stdout: (t) => {
				out += t;
			},
			stderr: (t) => {
				err += t;
			},
			readStdin: async () => options.stdin ?? "",
			stdinIsTTY: options.stdin === undefined,
			color: options.color ?? false,
			now: options.now ?? Date.now,
		},
		out: () => out,
		err: () => err,
	};
}
