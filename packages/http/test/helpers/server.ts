import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import {
	createSessionServer,
	type SessionServer,
	type SessionServerOptions,
} from "../../src/index";

export const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
export const AUDIENCE = "api";
export const ORIGIN = "https://app.example";
export const UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";
export const PEER = "203.0.113.7";

let ringPromise: Promise<KeyRing> | undefined;
/** One EdDSA ring per test file (generation is the slow part). */
export function sharedRing(): Promise<KeyRing> {
	ringPromise ??= KeyRing.generate({ signing: "EdDSA" });
	return ringPromise;
}

export interface Fixture {
	server: SessionServer;
	store: MemoryStore;
	ring: KeyRing;
	clock: { now: number };
}

/** A server on a memory store with two users: alice (admin) and bob. */
export async function fixture(extra: Partial<SessionServerOptions> = {}): Promise<Fixture> {
	const clock = { now: Date.UTC(2026, 11, 2, 6, 0, 0) };
	const now = () => clock.now;
	const ring = await sharedRing();
	const store = new MemoryStore({ now });
	const users: Record<string, { password: string; scope: string[]; roles: string[] }> = {
		alice: { password: "correct horse", scope: ["demo", "admin"], roles: ["admin"] },
		bob: { password: "battery staple", scope: ["demo"], roles: [] },
	};
	const server = createSessionServer({
		ring,
		store,
		issuer: ISSUER,
		audience: AUDIENCE,
		authenticate: async ({ username, password }) => {
			const u = users[username];
			return u && u.password === password
				? { sub: username, scope: u.scope, claims: { roles: u.roles } }
				: null;
		},
		lookupUser: async (sub) => {
			const u = users[sub];
			return u ? { sub, scope: u.scope, claims: { roles: u.roles } } : null;
		},
		csrf: { allowedOrigins: [ORIGIN] },
		clients: { "resource-1": "s3cret-s3cret-s3cret" },
		now,
		...extra,
	});
	return { server, store, ring, clock };
}

/** Headers a same-origin page sends on cookie routes. */
export function pageHeaders(extra: Record<string, string> = {}): Record<string, string> {
	return {
		"x-xshl-request": "1",
		"content-type": "application/json",
		"sec-fetch-site": "same-origin",
		"user-agent": UA,
		...extra,
	};
}

export function req(path: string, init: RequestInit = {}): Request {
	return new Request(`https://issuer.example${path}`, init);
}

/** The `name=value` pairs of the response's Set-Cookie headers. */
export function setCookies(res: Response): Map<string, { value: string; raw: string }> {
	const out = new Map<string, { value: string; raw: string }>();
	for (const raw of res.headers.getSetCookie()) {
		const first = raw.split(";")[0]!;
		const at = first.indexOf("=");
		out.set(first.slice(0, at), { value: first.slice(at + 1), raw });
	}
	return out;
}

export interface LoggedIn {
	accessToken: string;
	refreshToken: string;
	salt: string;
	sid: string;
	cookie: string;
}

/** Log in through the handler and return the token and cookies. */
export async function login(
	server: SessionServer,
	username = "alice",
	password = "correct horse",
	headers: Record<string, string> = {},
): Promise<LoggedIn> {
	const res = await server.login(
		req("/auth/login", {
			method: "POST",
			headers: pageHeaders(headers),
			body: JSON.stringify({ username, password }),
		}),
		{ remoteAddress: PEER },
	);
	if (res.status !== 200) throw new Error(`login ${res.status}: ${await res.text()}`);
	const body = (await res.json()) as { access_token: string; sid: string };
	const c = setCookies(res);
	const refreshToken = c.get("__Secure-xshl-rt")!.value;
	const salt = c.get("__Host-xshl-fp")!.value;
	return {
		accessToken: body.access_token,
		refreshToken,
		salt,
		sid: body.sid,
		cookie: `__Secure-xshl-rt=${refreshToken}; __Host-xshl-fp=${salt}`,
	};
}

export function decode(token: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}
