/**
 * Demo users from a seed file, with scrypt password hashes (node:crypto).
 *
 * Seed entry: `{ "sub": uuid, "username": str, "roles": str[], "scrypt": "N$r$p$salt$hash" }`
 * (salt and hash base64url). `pnpm --filter @xshl/demo hash-password <pw>` prints one.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import * as z from "zod";

const scrypt = promisify(scryptCb) as (
	password: string,
	salt: Buffer,
	keylen: number,
	options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** One demo user. */
export interface DemoUser {
	sub: string;
	username: string;
	roles: string[];
	scrypt: string;
}

const UserSchema = z.object({
	sub: z.uuid(),
	username: z.string().regex(/^[a-z0-9._-]{1,64}$/),
	roles: z.array(z.string().regex(/^[a-z]{1,32}$/)).max(10),
	scrypt: z.string().regex(/^\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/),
});
const SeedSchema = z.object({ users: z.array(UserSchema).min(1).max(1000) });

/** Hash a password: `N$r$p$salt$hash`. */
export async function hashPassword(
	password: string,
	cost = { N: 16384, r: 8, p: 1 },
): Promise<string> {
	const salt = randomBytes(16);
	const hash = await scrypt(password.normalize("NFKC"), salt, 32, {
		...cost,
		maxmem: 64 * 1024 * 1024,
	});
	return [cost.N, cost.r, cost.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** Constant-time check of a password against a stored `N$r$p$salt$hash`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [n, r, p, salt, hash] = stored.split("$");
	const expected = Buffer.from(hash ?? "", "base64url");
	const got = await scrypt(
		password.normalize("NFKC"),
		Buffer.from(salt ?? "", "base64url"),
		expected.length || 32,
		{
			N: Number(n),
			r: Number(r),
			p: Number(p),
			maxmem: 64 * 1024 * 1024,
		},
	);
	return expected.length === got.length && timingSafeEqual(expected, got);
}

/** The user directory. Unknown users still cost one scrypt run (no user enumeration by timing). */
export class UserDirectory {
	readonly #byName: Map<string, DemoUser>;
	readonly #bySub: Map<string, DemoUser>;
	readonly #dummy: string;
	constructor(users: DemoUser[]) {
		this.#byName = new Map(users.map((u) => [u.username, u]));
		this.#bySub = new Map(users.map((u) => [u.sub, u]));
		this.#dummy =
			users[0]?.scrypt ??
			"16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	}

	/** Load and validate a seed file. */
	static async fromFile(path: string): Promise<UserDirectory> {
		const data = SeedSchema.parse(JSON.parse(await readFile(path, "utf8")));
		return new UserDirectory(data.users);
	}

	/** The user for a username and password, or undefined. */
	async authenticate(username: string, password: string): Promise<DemoUser | undefined> {
		const user = this.#byName.get(username);
		const ok = await verifyPassword(password, user?.scrypt ?? this.#dummy);
		return user && ok ? user : undefined;
	}

	bySub(sub: string): DemoUser | undefined {
		return this.#bySub.get(sub);
	}
}
