/**
 * The page as a token inspector (issue 18 §4), in a real Chromium at phone width (390 px):
 * a clean first load logs nothing in the console, the encoded token is shown in three coloured
 * segments, header and claims are tables with absolute and relative times and one-line notes,
 * the server's signature check is a badge, the user's name sits beside the UUID, the controls
 * are styled, no element is wider than the viewport, and the revocation feed's last
 * propagation time appears after a revocation. The screenshot goes to test-output/ (and to
 * docs/inspector-390.png, the README's picture, with XSHL_UPDATE_DOCS=1).
 * Under CI=true a missing chromium fails the test instead of skipping it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDeps } from "../src/wiring.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const required = process.env.CI === "true";
const OUT = new URL("../test-output/", import.meta.url);
const DOCS = new URL("../docs/", import.meta.url);
const ALICE = "6f1c8a52-3d0e-4f5b-9a27-1e8b2c4d5f60";

/** Everything the page reports as a problem: console errors, page errors, 4xx/5xx answers. */
function watch(page: Page): string[] {
	const problems: string[] = [];
	page.on("console", (m) => {
		if (m.type() === "error") problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("response", (r) => {
		if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
	});
	return problems;
}

describe.runIf(available || required)("the page as an inspector", () => {
	let app: FastifyInstance;
	let context: BrowserContext;
	let base = "";
	let profile = "";

	beforeAll(async () => {
		if (!available) throw new Error(`chromium not found at ${CHROMIUM} (required under CI=true)`);
		const config = loadConfig({
			HOST: "127.0.0.1",
			PORT: "0",
			ACCESS_TOKEN_TTL: "120",
			LOG_LEVEL: "warn",
		});
		app = await buildApp(await createDeps(config));
		const address = await app.listen({ host: "127.0.0.1", port: 0 });
		base = new URL(address).origin;
		config.allowedOrigins.push(base);
		profile = mkdtempSync(join(tmpdir(), "xshl-chromium-"));
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			viewport: { width: 390, height: 844 },
			deviceScaleFactor: 2,
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

	it("a clean first load logs no console error (no session probe, a favicon)", async () => {
		const page = context.pages()[0] ?? (await context.newPage());
		const problems = watch(page);
		await page.goto(`${base}/`);
		await page.waitForSelector("#feed:not([hidden])");
		await page.waitForTimeout(500);
		expect(problems).toEqual([]);
		expect(await page.isVisible("#login-panel")).toBe(true);
		expect(await page.textContent("#feed-state")).toBe("fresh");
		expect(await page.textContent("#feed-propagation")).toBe("· no revocation seen since start");
	});

	it("shows the token as an inspector at 390 px, without overflow", async () => {
		const page = context.pages()[0]!;
		const problems = watch(page);
		await page.goto(`${base}/`);
		await page.fill("#username", "alice");
		await page.fill("#password", "alice-demo-pass");
		await page.click("#login");
		await page.waitForSelector("#session-panel:not([hidden])");

		// the server verified the signature; the user's name sits beside the UUID
		await page.waitForSelector("#verified.ok");
		expect(await page.textContent("#verified")).toBe("✓ signature verified by the server");
		expect(await page.isVisible("#kid-changed")).toBe(false);
		await page.waitForSelector("#claims-table tr[data-claim=sub] .user-name");
		expect(await page.textContent("#claims-table tr[data-claim=sub] .value code")).toBe(ALICE);
		expect(await page.textContent("#claims-table tr[data-claim=sub] .user-name")).toBe("alice");

		// the encoded token in three coloured segments
		const segments = await page.$$eval("#token-encoded span", (spans) =>
			spans.map((s) => ({
				cls: s.className,
				text: s.textContent ?? "",
				color: getComputedStyle(s).color,
			})),
		);
		expect(segments.map((s) => s.cls)).toEqual([
			"seg-header",
			"dot",
			"seg-payload",
			"dot",
			"seg-signature",
		]);
		const token = segments.map((s) => s.text).join("");
		expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		expect([segments[0]!.color, segments[2]!.color, segments[4]!.color]).toEqual([
			"rgb(194, 24, 91)",
			"rgb(106, 27, 154)",
			"rgb(2, 119, 189)",
		]);
		const claims = JSON.parse(
			Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"),
		) as Record<string, number | string>;
		expect(JSON.parse((await page.textContent("#token-claims")) ?? "{}")).toEqual(claims);

		// header and claims as tables
		const cell = (table: string, name: string, part: string) =>
			page.textContent(`#${table} tr[data-claim=${name}] ${part}`);
		expect(await cell("header-table", "alg", ".value code")).toBe("ES256");
		expect(await cell("header-table", "typ", ".value code")).toBe("xshl-session+jwt");
		expect(await cell("header-table", "kid", ".note")).toBe(
			"key id: the JWKS key that verifies the signature",
		);
		// human times: absolute (local) and relative, for exp, iat, nbf, auth_time
		for (const name of ["exp", "iat", "nbf", "auth_time"]) {
			expect(await cell("claims-table", name, ".value code")).toBe(String(claims[name]));
			expect(await cell("claims-table", name, ".abs")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		}
		expect(await cell("claims-table", "exp", ".rel")).toMatch(/^in (1 min( \d{1,2} s)?|2 min)$/);
		expect(await cell("claims-table", "iat", ".rel")).toMatch(/^(now|\d{1,2} s ago)$/);
		const expAbs = await page.evaluate((exp) => {
			const d = new Date(exp * 1000);
			const p = (n: number) => String(n).padStart(2, "0");
			return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
		}, Number(claims.exp));
		expect(await cell("claims-table", "exp", ".abs")).toBe(expAbs);
		// one line on each of xshl's own claims
		expect(await cell("claims-table", "trace", ".note")).toBe(
			"binds the token to this browser (per-login salt cookie + user agent): a copied token fails elsewhere",
		);
		expect(await cell("claims-table", "sid", ".note")).toBe(
			"session id: derived from the key set name and the trace; every token of this login on this browser has it",
		);
		expect(await cell("claims-table", "version", ".note")).toBe(
			"token format version: a token of another version is refused (raise it to retire every token)",
		);
		expect(await cell("claims-table", "auth_time", ".note")).toBe(
			"when the password was last entered: critical operations ask for a new login when it is too old",
		);

		// styled controls
		const style = await page.$eval("#login-panel ~ #session-panel #btn-me", (b) => {
			const s = getComputedStyle(b);
			return { radius: s.borderRadius, padding: s.paddingLeft };
		});
		expect(style).toEqual({ radius: "6px", padding: "12.8px" });
		await page.waitForSelector("#sessions tbody tr.current");

		// nothing wider than the viewport at 390 px
		const wide = await page.evaluate(() => {
			const vw = document.documentElement.clientWidth;
			const out: string[] = [];
			for (const e of Array.from(document.querySelectorAll("*"))) {
				const r = e.getBoundingClientRect();
				if (r.width > vw || r.right > vw + 0.5)
					out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} ${r.width}`);
			}
			return { vw, scroll: document.documentElement.scrollWidth, out };
		});
		expect(wide).toEqual({ vw: 390, scroll: 390, out: [] });
		mkdirSync(OUT, { recursive: true });
		await page.screenshot({ path: new URL("inspector-390.png", OUT).pathname, fullPage: true });
		if (process.env.XSHL_UPDATE_DOCS === "1") {
			mkdirSync(DOCS, { recursive: true });
			await page.screenshot({ path: new URL("inspector-390.png", DOCS).pathname, fullPage: true });
		}

		// a revocation: the feed's last propagation time appears in the header
		await page.click("#btn-logout-all");
		await page.waitForSelector("#login-panel:not([hidden])");
		await page.waitForFunction(
			() =>
				/reached this instance in \d+ ms/.test(
					document.getElementById("feed-propagation")?.textContent ?? "",
				),
			undefined,
			{ timeout: 10_000 },
		);
		expect(problems).toEqual([]);
	}, 45_000);
});
