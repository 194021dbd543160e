// What each backend verdict of a rotation means: the events it emits and the error it
// throws. One row per status; `rotated` and `grace` succeed.
import type { RevokeReason } from "../contract";
import {
	RefreshAbsoluteExpiredError,
	RefreshIdleExpiredError,
	RefreshInvalidError,
	RefreshReusedError,
	SessionRevokedError,
	type StoreError,
	TraceMismatchError,
} from "../errors";
import type { RotateStatus } from "./backend";

export interface RotateOutcome {
	/** The family was revoked by this step: emit `revoke` with this reason. */
	readonly revoke?: RevokeReason;
	/** Also emit `refresh.reuse_detected` (with the same reason). */
	readonly reuse?: boolean;
	/** The error to throw; absent for the two successful outcomes. */
	readonly error?: (familyId: string, generation: number) => StoreError;
}

/** The error of `invalid` (and of a success the backend could not back up). */
export function invalidToken(): StoreError {
	return new RefreshInvalidError("the refresh token does not match a live family");
}

export const ROTATE_OUTCOMES: { readonly [S in RotateStatus]: RotateOutcome } = {
	rotated: {},
	grace: {},
	reused: {
		revoke: "reuse",
		reuse: true,
		error: (fid, gen) =>
			new RefreshReusedError(
				`generation ${gen} of this family was already rotated; the family was revoked`,
				fid,
			),
	},
	trace_revoked: {
		revoke: "trace_mismatch",
		reuse: true,
		error: () =>
			new TraceMismatchError(
				"the refresh came from another client than the login; the family was revoked",
				true,
			),
	},
	epoch: {
		revoke: "epoch",
		error: () =>
			new SessionRevokedError("the user logged out everywhere after this family was created"),
	},
	revoked: { error: () => new SessionRevokedError("this refresh token's family was revoked") },
	idle: {
		error: () =>
			new RefreshIdleExpiredError("the family was not refreshed within the idle timeout"),
	},
	absolute: {
		error: () => new RefreshAbsoluteExpiredError("the family passed its absolute deadline"),
	},
	trace_mismatch: {
		error: () =>
			new TraceMismatchError("the refresh came from another client than the login", false),
	},
	invalid: { error: invalidToken },
};
