// zod issues → `{ path, message }` (dotted path, "" for the root): one shape for config and
// call-input errors.
import type * as z from "zod";
import type { ConfigIssue } from "../errors";

export function toIssues(error: z.ZodError): ConfigIssue[] {
	return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
