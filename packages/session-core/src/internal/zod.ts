import type * as z from "zod";
import { SessionConfigError, type SessionConfigIssue } from "../errors";

/** Turns a zod error into a SessionConfigError whose message names every field. */
export function configError(what: string, error: z.ZodError): SessionConfigError {
	const issues: SessionConfigIssue[] = error.issues.map((issue) => ({
		path: issue.path.length === 0 ? "(root)" : issue.path.map(String).join("."),
		message: issue.message,
	}));
	const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
	return new SessionConfigError(`invalid ${what}: ${text}`, issues, { cause: error });
}
