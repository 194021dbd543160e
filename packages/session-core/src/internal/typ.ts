import * as z from "zod/v4/mini";
import { SESSION_TOKEN_TYPE } from "../constants";

/**
 * The `typ` values a verifier may be told to accept: ours, and `JWT`, which Authlib's
 * `jwt.encode` (used by the Python original) puts in every header it signs.
 */
export const ACCEPTABLE_TYPES: readonly ["xshl-session+jwt", "JWT"] = [SESSION_TOKEN_TYPE, "JWT"];

/** One value of `acceptedTypes`. */
export type AcceptableType = (typeof ACCEPTABLE_TYPES)[number];

/** zod schema of `acceptedTypes`: a subset of {@link ACCEPTABLE_TYPES} that keeps ours; deduplicated. */
export const acceptedTypesSchema: z.ZodMiniType<AcceptableType[], AcceptableType[]> = z.pipe(
	z
		.array(
			z.enum(ACCEPTABLE_TYPES, {
				message: `expected "${SESSION_TOKEN_TYPE}" or "JWT" (the Python original's typ)`,
			}),
		)
		.check(
			z.refine((list) => list.includes(SESSION_TOKEN_TYPE), {
				message: `must include "${SESSION_TOKEN_TYPE}" (the option only adds the Python original's "JWT")`,
			}),
		),
	z.transform((list: AcceptableType[]): AcceptableType[] => [...new Set(list)]),
);

/** RFC 7515 §4.1.9 `typ` comparison, exactly as jose's: case-insensitive, `application/` implied. */
export function normalizeTyp(value: string): string {
	const lower = value.toLowerCase();
	return value.includes("/") ? lower : `application/${lower}`;
}
