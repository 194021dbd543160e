/**
 * A real browser (Debian's chromium through playwright-core) against the page on 127.0.0.1:
 * log in, see the decoded token, wait for a silent refresh, log out. Saves a screenshot under
 * test-output/. Under CI=true a missing chromium fails the test instead of skipping it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDeps } from "../src/wiring.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const required = process.env.CI === "true";
const OUT = new URL("../test-output/", import.meta.url);

describe.runIf(available || required)("browser", () => {
	let app: FastifyInstance;
	let context: BrowserContext;
	let base = "";
	let profile = "";

	beforeAll(async () => {
		if (!available) throw new Error(`chromium not found at ${CHROMIUM} (required under CI=true)`);
		const config = loadConfig({
			HOST: "127.0.0.1",
			PORT: "0",
			ACCESS_TOKEN_TTL: "10",
			// the feed's staleness bound may not pass the token lifetime
			FEED_MAX_STALE_MS: "5000",
			LOG_LEVEL: "warn",
		});
		app = await buildApp(await createDeps(config));
		const address = await app.listen({ host: "127.0.0.1", port: 0 });
		base = new URL(address).origin;
		config.allowedOrigins.push(base);
		profile = mkdtempSync(join(tmpdir(), "xshl-chromium-"));
		// A fresh profile per run (playwright passes it as --user-data-dir).
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: [
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--disable-quic",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
			],
		});
	}, 60_000);

	afterAll(async () => {
		await context?.close();
		await app?.close();
		if (profile) rmSync(profile, { recursive: true, force: true });
	});

	it("logs in, shows the token, refreshes silently, logs out", async () => {
		const page = context.pages()[0] ?? (await context.newPage());
		const errors: string[] = [];
		page.on("pageerror", (e) => errors.push(e.message));
		await page.goto(`${base}/`);
		await page.fill("#username", "alice");
		await page.fill("#password", "alice-demo-pass");
		await page.click("#login");
		await page.waitForSelector("#session-panel:not([hidden])");
		expect(await page.textContent("#status")).toBe("logged in");
		const claims = JSON.parse((await page.textContent("#token-claims")) ?? "{}") as Record<
			string,
			unknown
		>;
		expect(claims.sub).toBe("6f1c8a52-3d0e-4f5b-9a27-1e8b2c4d5f60");
		expect(await page.textContent("#sid")).toBe(claims.sid);
		const header = JSON.parse((await page.textContent("#token-header")) ?? "{}") as Record<
			string,
			unknown
		>;
		expect(header.alg).toBe("ES256");
		// HttpOnly cookies are set but invisible to the page.
		expect(await page.evaluate(() => document.cookie)).toBe("");
		const cookies = await context.cookies(`${base}/auth/refresh`);
		const rt = cookies.find((c) => c.name.endsWith("xshl-rt"));
		expect(rt).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/auth" });
		// The session list shows this device.
		await page.waitForSelector("#sessions tbody tr.current");
		// Silent refresh before expiry (TTL 10 s: at 7 s), with a new token and the same sid.
		const firstJti = claims.jti;
		await page.waitForFunction(
			() => document.getElementById("refresh-count")?.textContent === "1",
			undefined,
			{
				timeout: 15_000,
			},
		);
		const after = JSON.parse((await page.textContent("#token-claims")) ?? "{}") as Record<
			string,
			unknown
		>;
		expect(after.jti).not.toBe(firstJti);
		expect(after.sid).toBe(claims.sid);
		await page.click("#btn-me");
		await page.waitForSelector("#log li:has-text('GET /api/me: 200')");
		mkdirSync(OUT, { recursive: true });
		await page.screenshot({ path: new URL("browser-logged-in.png", OUT).pathname, fullPage: true });
		await page.click("#btn-logout");
		await page.waitForSelector("#login-panel:not([hidden])");
		expect(await page.textContent("#status")).toBe("logged out");
		const left = await context.cookies(`${base}/auth/refresh`);
		expect(left.filter((c) => c.name.includes("xshl"))).toEqual([]);
		// A reload does not restore the session.
		await page.reload();
		await page.waitForTimeout(300);
		expect(await page.isVisible("#login-panel")).toBe(true);
		// Key rotation is visible: an admin rotates, the page refreshes and shows the new kid.
		await page.fill("#username", "admin");
		await page.fill("#password", "admin-demo-pass");
		await page.click("#login");
		await page.waitForSelector("#session-panel:not([hidden])");
		const kidBefore = await page.textContent("#kid");
		await page.click("#btn-rotate");
		await page.waitForSelector("#kid-changed:not([hidden])");
		const kidAfter = await page.textContent("#kid");
		expect(kidAfter).not.toBe(kidBefore);
		await page.screenshot({
			path: new URL("browser-kid-changed.png", OUT).pathname,
			fullPage: true,
		});
		await page.click("#btn-logout-all");
		await page.waitForSelector("#login-panel:not([hidden])");
		expect(errors).toEqual([]);
	}, 45_000);

	it("five tabs opened at once share one session: one refresh on the wire per rotation", async () => {
		const refreshes: string[] = [];
		const onRequest = (r: { method(): string; url(): string }) => {
			if (r.method() === "POST" && r.url().endsWith("/auth/refresh")) refreshes.push(r.url());
		};
		context.on("request", onRequest);
		const errors: string[] = [];
		const first = await context.newPage();
		first.on("pageerror", (e) => errors.push(e.message));
		await first.goto(`${base}/`);
		await first.fill("#username", "bob");
		await first.fill("#password", "bob-demo-pass");
		await first.click("#login");
		await first.waitForSelector("#session-panel:not([hidden])");
		const sid = await first.textContent("#sid");
		refreshes.length = 0;
		// five more tabs at once: each restores the session from the tab that has it, not the wire
		const tabs = await Promise.all(Array.from({ length: 5 }, () => context.newPage()));
		for (const t of tabs) t.on("pageerror", (e) => errors.push(e.message));
		await Promise.all(tabs.map((t) => t.goto(`${base}/`)));
		await Promise.all(tabs.map((t) => t.waitForSelector("#session-panel:not([hidden])")));
		for (const t of tabs) expect(await t.textContent("#sid")).toBe(sid);
		expect(refreshes).toEqual([]);
		// every tab's timer fires together before expiry (TTL 10 s): one refresh for all six
		const all = [first, ...tabs];
		await Promise.all(
			all.map((t) =>
				t.waitForFunction(
					() => document.getElementById("refresh-count")?.textContent === "1",
					undefined,
					{
						timeout: 15_000,
					},
				),
			),
		);
		expect(refreshes).toHaveLength(1);
		const jtis = new Set<string>();
		for (const t of all) {
			expect(await t.textContent("#status")).toBe("logged in");
			expect(await t.textContent("#sid")).toBe(sid);
			jtis.add((JSON.parse((await t.textContent("#token-claims")) ?? "{}") as { jti: string }).jti);
		}
		expect(jtis.size).toBe(1);
		// the session survived the rotation: the shared token works
		await first.click("#btn-me");
		await first.waitForSelector("#log li:has-text('GET /api/me: 200')");
		context.off("request", onRequest);
		for (const t of tabs) await t.close();
		expect(errors).toEqual([]);
	}, 60_000);
});
