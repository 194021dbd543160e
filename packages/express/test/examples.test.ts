import type { AddressInfo } from "node:net";
import { MemoryStore } from "@xshl/session-store";
import express from "express";
import { afterAll, describe, expect, it, vi } from "vitest";
import { xshl } from "../src/index";
import { ISSUER, issuerOptions, listen, loginVia, page, revocationFeed, UA } from "./helpers/index";

const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
	for (const c of closers.splice(0)) await c();
});

describe("examples/quick-start.ts (the README's quick start)", () => {
	it("logs in and calls the API", async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		await import("../examples/quick-start");
		expect(log).toHaveBeenCalledWith(200, 200, { orders: [], for: "ada" });
	});
});

describe("examples/resource-server.ts (the README's resource server)", () => {
	it("accepts the issuer's token, then refuses it with ERR_SESSION_REVOKED after logout everywhere", async () => {
		const store = new MemoryStore();
		const feed = revocationFeed(store);
		closers.push(() => feed.close());
		const auth = xshl(issuerOptions({ store }));
		const issuerApp = express();
		issuerApp.get("/.well-known/xshl-revocations", (req, res, next) => {
			feed
				.handle(new Request(`http://127.0.0.1${req.url}`))
				.then(async (r) => {
					res
						.status(r.status)
						.set(Object.fromEntries(r.headers))
						.end(await r.text());
				})
				.catch(next);
		});
		issuerApp.use(auth.router!);
		const issuer = await listen(issuerApp);
		closers.push(issuer.close);

		Object.assign(process.env, { ISSUER_URL: issuer.base, ISSUER, PORT: "0" });
		const example = await import("../examples/resource-server");
		closers.push(
			() => example.revocations.close(),
			() => new Promise<void>((r) => example.server.close(() => r())),
		);
		if (!example.server.listening) await new Promise((r) => example.server.once("listening", r));
		const base = `http://127.0.0.1:${(example.server.address() as AddressInfo).port}`;

		const { token, cookie } = await loginVia(issuer.base);
		const headers = { authorization: `Bearer ${token}`, cookie, "user-agent": UA };
		const ok = await fetch(`${base}/orders`, { headers });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ sub: "alice" });

		const all = await fetch(`${issuer.base}/auth/logout-all`, {
			method: "POST",
			headers: { ...page, authorization: `Bearer ${token}`, cookie },
			body: "{}",
		});
		expect(all.status).toBe(200);
		// the client polls every 2 s (pollMs' default)
		let last: Response | undefined;
		for (let i = 0; i < 60; i++) {
			last = await fetch(`${base}/orders`, { headers });
			if (last.status !== 200) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(last?.status).toBe(401);
		expect(await last?.json()).toEqual({
			error: { code: "ERR_SESSION_REVOKED", message: "the token has been revoked" },
		});
	});
});
