import type * as core from "zod/v4/core";
import en from "zod/v4/locales/en.js";
import * as z from "zod/v4/mini";
import { type ConfigIssue, SessionConfigError } from "../errors";

/** The issues of a zod error (classic, mini, zod 3.25's `zod/v4` or zod 4), or our own. */
export interface IssueList {
	readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/** Turns zod issues into a SessionConfigError whose message names every option (`""` is the root). */
export function configError(what: string, error: IssueList): SessionConfigError {
	const issues: ConfigIssue[] = error.issues.map((issue) => ({
		path: issue.path.map(String).join("."),
		message: issue.message,
	}));
	const text = issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
	return new SessionConfigError(`invalid ${what}: ${text}`, issues, { cause: error });
}

/** A config issue of our own (not from a schema), in zod's issue shape. */
export function customIssues(path: string, message: string): IssueList {
	return { issues: [{ path: [path], message }] };
}

const english = en().localeError;

/**
 * Parse options for every zod parse of this package: `zod/mini` loads no locale, so its
 * messages would be "Invalid input"; while the application has configured no locale (classic
 * `zod` configures English when imported), the English messages are used, so errors read the
 * same with either flavour of zod.
 */
export const PARSE: core.ParseContext<core.$ZodIssue> = {
	error: (issue) => {
		const config = z.config();
		return config.localeError === undefined && config.customError === undefined
			? english(issue)
			: undefined;
	},
};
