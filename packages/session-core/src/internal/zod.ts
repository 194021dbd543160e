import type * as z from "zod";
import { type ConfigIssue, SessionConfigError } from "../errors";

/** Turns a zod error into a SessionConfigError whose message names every option (`""` is the root). */
export function configError(what: string, error: z.ZodError): SessionConfigError {
	const issues: ConfigIssue[] = error.issues.map((issue) => ({
		path: issue.path.map(String).join("."),
		message: issue.message,
	}));
	const text = issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
	return new SessionConfigError(`invalid ${what}: ${text}`, issues, { cause: error });
}
