import {
	SessionAlgNotAllowedError,
	SessionAudienceInvalidError,
	SessionClaimInvalidError,
	SessionClaimMissingError,
	SessionError,
	SessionExpiredError,
	SessionHeaderUnsupportedError,
	SessionIssuedInFutureError,
	SessionIssuerInvalidError,
	SessionKeysUnavailableError,
	SessionKeyUnknownError,
	SessionNotYetValidError,
	SessionSignatureInvalidError,
	SessionTokenMalformedError,
	SessionTypeInvalidError,
} from "../errors";

interface JoseLike {
	code?: unknown;
	claim?: unknown;
	reason?: unknown;
	message?: unknown;
}

/** Maps an error from a key set's resolver to a session error (kept as `cause`). */
export function keySetError(error: unknown): SessionError {
	if (error instanceof SessionError) return error;
	const code = (error as JoseLike | null)?.code;
	if (
		code === "ERR_KEYS_NO_MATCHING_KEY" ||
		code === "ERR_KEYS_MULTIPLE_MATCHING_KEYS" ||
		code === "ERR_JWKS_NO_MATCHING_KEY" ||
		code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
	) {
		return new SessionKeyUnknownError("no key of the key set matches the token's kid and alg", {
			cause: error,
		});
	}
	return new SessionKeysUnavailableError("the key set cannot provide verification keys right now", {
		cause: error,
	});
}

/** Maps a jose verification error to a session error (kept as `cause`). */
export function joseError(error: unknown): SessionError {
	if (error instanceof SessionError) return error;
	const e = (error ?? {}) as JoseLike;
	const claim = typeof e.claim === "string" ? e.claim : undefined;
	switch (e.code) {
		case "ERR_JOSE_ALG_NOT_ALLOWED":
			return new SessionAlgNotAllowedError("the token's alg is not in the allowed algorithms", {
				cause: error,
			});
		case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
			return new SessionSignatureInvalidError("the token's signature does not verify", {
				cause: error,
			});
		case "ERR_JWS_INVALID":
		case "ERR_JWT_INVALID":
			return new SessionTokenMalformedError(
				`the token is malformed: ${typeof e.message === "string" ? e.message : "invalid JWS"}`,
				{ cause: error },
			);
		case "ERR_JOSE_NOT_SUPPORTED":
			return new SessionHeaderUnsupportedError(
				"the token's header uses a parameter or algorithm that is not supported",
				{ cause: error },
			);
		case "ERR_JWT_EXPIRED":
			return new SessionExpiredError(
				claim === "iat" ? "the token is older than the maximum token age" : "the token has expired",
				{ cause: error, claim: claim ?? "exp" },
			);
		case "ERR_JWKS_NO_MATCHING_KEY":
		case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
			return keySetError(error);
		case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
			const options = { cause: error, claim };
			if (e.reason === "missing") {
				return new SessionClaimMissingError(
					`the token lacks the required "${claim}" claim`,
					options,
				);
			}
			if (claim === "typ") {
				return new SessionTypeInvalidError(
					"the token's typ header is not xshl-session+jwt",
					options,
				);
			}
			if (claim === "aud") {
				return new SessionAudienceInvalidError(
					"the token's aud is not in the audience allowlist",
					options,
				);
			}
			if (claim === "iss") {
				return new SessionIssuerInvalidError("the token's iss is not an accepted issuer", options);
			}
			if (e.reason === "check_failed" && claim === "nbf") {
				return new SessionNotYetValidError("the token is not valid yet (nbf)", options);
			}
			if (e.reason === "check_failed" && claim === "iat") {
				return new SessionIssuedInFutureError("the token's iat is in the future", options);
			}
			return new SessionClaimInvalidError(`the token's "${claim}" claim is invalid`, options);
		}
	}
	// jose throws TypeError when a resolved key does not fit the alg (catalog ALG-10)
	return new SessionSignatureInvalidError("the token cannot be verified with the resolved key", {
		cause: error,
	});
}
