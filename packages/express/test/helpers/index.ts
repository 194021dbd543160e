import type { AddressInfo } from "node:net";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import { createRevocationFeed, type RevocationFeed } from "@xshl/session-store/feed";
import type { Express } from "express";
import { CompactSign } from "jose";
import { expect } from "vitest";
import type { XshlIssuerOptions } from "../../src/index";

export const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";
export const UA = "Mozilla/5.0 Firefox/140.0";
export const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": UA };
export const ring = await KeyRing.generate({ signing: "EdDSA" });

export function issuerOptions(extra: Partial<XshlIssuerOptions> = {}): XshlIssuerOptions {
	return {
		ring,
		store: new MemoryStore(),
		issuer: ISSUER,
		audience: "api",
		authenticate: async ({ username, password }) =>
			password === "pw"
				? {
						sub: username,
						scope: username === "alice" ? ["admin"] : [],
						claims: { roles: ["r1"] },
					}
				: null,
		...extra,
	};
}

/** Cookie header from a response's Set-Cookie lines. */
export function cookieOf(res: Response): string {
	return res.headers
		.getSetCookie()
		.map((c) => c.split(";")[0])
		.join("; ");
}

/** Listen on 127.0.0.1, port 0; returns the base URL and a close(). */
export async function listen(app: Express) {
	return await new Promise<{ base: string; close: () => Promise<void> }>((resolve) => {
		const server = app.listen(0, "127.0.0.1", () => {
			const { port } = server.address() as AddressInfo;
			resolve({
				base: `http://127.0.0.1:${port}`,
				close: () =>
					new Promise<void>((r) => {
						server.closeAllConnections();
						server.close(() => r());
					}),
			});
		});
	});
}

/** POST /auth/login and return the token and cookies. */
export async function loginVia(base: string, username = "alice") {
	const res = await fetch(`${base}/auth/login`, {
		method: "POST",
		headers: page,
		body: JSON.stringify({ username, password: "pw" }),
	});
	expect(res.status).toBe(200);
	const token = ((await res.clone().json()) as { access_token: string }).access_token;
	return { token, cookie: cookieOf(res), res };
}

const enc = new TextEncoder();

/** The issuer's revocation feed of a store, signed with the test ring (serve `feed.handle`). */
export function revocationFeed(store: MemoryStore): RevocationFeed {
	return createRevocationFeed({
		store,
		accessTokenTtlMs: 120_000,
		sign: (payload, typ) => {
			const { privateKey, header } = ring.signingKey();
			return new CompactSign(enc.encode(JSON.stringify(payload)))
				.setProtectedHeader({ ...header, typ })
				.sign(privateKey);
		},
	});
}
