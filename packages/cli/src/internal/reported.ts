// Errors as reports carry them: a code and a message (never a token or a key).

/** An error as the report carries it: code and message. */
export interface ReportedError {
	/** The stable code (`ERR_SESSION_…`, `ERR_KEYS_…`, `ERR_JWS_…`, `ERR_JWE_…`). */
	code: string;
	/** What was wrong. */
	message: string;
	/** The claim concerned, when the error names one. */
	claim?: string;
}

/** Any thrown value as a {@link ReportedError}: its `code` (or `ERR_UNKNOWN`), message and claim. */
export function reported(e: unknown): ReportedError {
	const err = e as { code?: unknown; message?: unknown; claim?: unknown };
	const out: ReportedError = {
		code: typeof err.code === "string" ? err.code : "ERR_UNKNOWN",
		message: typeof err.message === "string" ? err.message : String(e),
	};
	if (typeof err.claim === "string") out.claim = err.claim;
	return out;
}
