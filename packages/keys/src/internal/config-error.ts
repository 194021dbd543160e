// The one place a zod failure (or a single synthetic problem) becomes a KeysConfigError.
import { type ConfigIssue, KeysConfigError } from "../errors";

/** The dotted path of a zod issue path (`["keys", 2, "kid"]` → `"keys.2.kid"`). */
export function dottedPath(path: readonly PropertyKey[]): string {
	return path.map((p) => String(p)).join(".");
}

/** The issues of a zod error (classic or `zod/mini`). */
export interface ZodIssueList {
	readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/** Map zod issues to `{ path, message }`, each path prefixed with `prefix` when given. */
export function zodIssues(error: ZodIssueList, prefix = ""): ConfigIssue[] {
	return error.issues.map((i) => {
		const path = dottedPath(i.path);
		return { path: prefix && path ? `${prefix}.${path}` : prefix || path, message: i.message };
	});
}

/** A config error listing every zod issue in its message (`path: message; ...`). */
export function zodConfigError(what: string, error: ZodIssueList, prefix = ""): KeysConfigError {
	const issues = zodIssues(error, prefix);
	const list = issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
	return new KeysConfigError(`${what}: ${list}`, issues, { cause: error });
}

/** A config error with one issue at `path` (dotted, `""` for the root). */
export function configIssue(message: string, path: string, cause?: unknown): KeysConfigError {
	return new KeysConfigError(
		message,
		[{ path, message }],
		cause === undefined ? undefined : { cause },
	);
}
