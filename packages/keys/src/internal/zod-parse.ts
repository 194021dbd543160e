// The parse options of the verify path's `zod/mini` schemas.
import type * as core from "zod/v4/core";
import en from "zod/v4/locales/en.js";
import * as z from "zod/v4/mini";

const english = en().localeError;

/**
 * Parse options for the `zod/mini` schemas of the verify path: `zod/mini` loads no locale, so
 * while the application has configured none (classic `zod` configures English when imported)
 * the English messages are used, and errors read the same with either flavour.
 */
export const PARSE: core.ParseContext<core.$ZodIssue> = {
	error: (issue) => {
		const config = z.config();
		return config.localeError === undefined && config.customError === undefined
			? english(issue)
			: undefined;
	},
};
