// zod schemas of every store call's arguments. A failure is ERR_STORE_INPUT_INVALID with
// `issues: { path, message }[]`, before anything is read or written.
import * as z from "zod";
import type {
	DenyInput,
	ListSessionsOptions,
	LoginInput,
	LogoutAllOptions,
	LogoutOptions,
	RevocationQuery,
	RevokeSessionInput,
	RotateOptions,
} from "../contract";
import { StoreInputError } from "../errors";
import { toIssues } from "./issues";

const text = (max: number) => z.string().min(1).max(max);
/** NumericDate seconds: a non-negative safe integer. */
const numericDate = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const sub = text(256);
const id = text(200);

export const loginInput: z.ZodType<LoginInput> = z.object({
	sub,
	trace: text(512),
	sid: id.optional(),
	authTime: numericDate.optional(),
	client: z.object({ userAgent: z.string().optional(), ip: z.string().optional() }).optional(),
});

export const rotateOptions: z.ZodType<RotateOptions> = z.object({ trace: text(512) });

export const logoutOptions: z.ZodType<LogoutOptions | undefined> = z
	.object({ accessToken: z.object({ jti: id, exp: numericDate }).optional() })
	.optional();

export const revokeSessionInput: z.ZodType<RevokeSessionInput> = z.object({ sub, sid: id });

export const logoutAllInput: z.ZodType<{ sub: string; options?: LogoutAllOptions | undefined }> =
	z.object({
		sub,
		options: z.object({ exceptSid: id.optional() }).optional(),
	});

export const listSessionsInput: z.ZodType<{
	sub: string;
	options?: ListSessionsOptions | undefined;
}> = z.object({
	sub,
	options: z
		.object({ limit: z.number().int().min(1).max(100).optional(), currentSid: id.optional() })
		.optional(),
});

export const revocationQuery: z.ZodType<RevocationQuery> = z.object({
	sub,
	iat: numericDate,
	jti: id.optional(),
	sid: id.optional(),
});

export const denyInput: z.ZodType<DenyInput> = z.object({ sub, id, exp: numericDate });

/** Parses `value` or throws {@link StoreInputError} naming the call. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, call: string): T {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const issues = toIssues(result.error);
	throw new StoreInputError(
		`invalid ${call} input: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
		issues,
		{ cause: result.error },
	);
}
