// ANSI styles for the human output; identity functions when colour is off.

/** Text styles. */
export interface Style {
	bold(s: string): string;
	dim(s: string): string;
	red(s: string): string;
	green(s: string): string;
	yellow(s: string): string;
	cyan(s: string): string;
	magenta(s: string): string;
}

const wrap =
	(open: number, close: number) =>
	(s: string): string =>
		`\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string): string => s;

/** The styles for a run: ANSI when `color`, plain text otherwise. */
export function style(color: boolean): Style {
	if (!color)
		return {
			bold: plain,
			dim: plain,
			red: plain,
			green: plain,
			yellow: plain,
			cyan: plain,
			magenta: plain,
		};
	return {
		bold: wrap(1, 22),
		dim: wrap(2, 22),
		red: wrap(31, 39),
		green: wrap(32, 39),
		yellow: wrap(33, 39),
		cyan: wrap(36, 39),
		magenta: wrap(35, 39),
	};
}

/** `✓ text` in green or `✗ text` in red. */
export function mark(s: Style, ok: boolean, text: string): string {
	return ok ? s.green(`✓ ${text}`) : s.red(`✗ ${text}`);
}
