/**
 * Entry point: `node dist/main.js` (root: `pnpm demo`). Settings come from the environment;
 * see the README for every variable.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildApp } from "./app.js";
import { ConfigError, type DemoConfig, loadConfig } from "./config.js";
import { createDeps } from "./wiring.js";

/** The seed users' passwords, as the README documents them (only for the bundled users file). */
const DOCUMENTED_PASSWORDS: Readonly<Record<string, string>> = {
	alice: "alice-demo-pass",
	bob: "bob-demo-pass",
	admin: "admin-demo-pass",
};
const BUNDLED_USERS = fileURLToPath(new URL("../data/users.json", import.meta.url));

/**
 * The first line on start, for people: where to open the page and how to log in. Names come
 * from the users file; passwords only for the bundled file (the README documents them), never
 * a hash.
 */
async function welcome(config: DemoConfig, address: string): Promise<string> {
	if (config.issuerJwksUrl) {
		return `xshl demo (resource server) at ${address}: verifies tokens of ${config.issuerJwksUrl}; log in on the issuer. Health: ${address}/healthz`;
	}
	let names: string[] = [];
	try {
		const seed = JSON.parse(await readFile(config.usersFile, "utf8")) as {
			users: { username: string; roles?: string[] }[];
		};
		names = seed.users.map((u) => {
			const password =
				config.usersFile === BUNDLED_USERS ? DOCUMENTED_PASSWORDS[u.username] : undefined;
			const admin = u.roles?.includes("admin") ? " (admin)" : "";
			return `${u.username}${password ? ` / ${password}` : ""}${admin}`;
		});
	} catch {
		// the app already loaded this file; a failure here only shortens the greeting
	}
	return `xshl demo at ${address} (open it in a browser). Demo logins: ${names.join(", ") || "see USERS_FILE"}. Health: ${address}/healthz`;
}

async function main(): Promise<void> {
	let config: ReturnType<typeof loadConfig>;
	try {
		config = loadConfig(process.env);
	} catch (err) {
		if (err instanceof ConfigError) {
			process.stderr.write(`${err.message}\n`);
			process.exit(2);
		}
		throw err;
	}
	const app = await buildApp(await createDeps(config));
	const close = async (signal: string) => {
		app.log.info({ signal }, "shutting down");
		await app.close();
		process.exit(0);
	};
	process.once("SIGINT", () => void close("SIGINT"));
	process.once("SIGTERM", () => void close("SIGTERM"));
	// Fastify's own "Server listening" line is replaced by the two lines below: the first
	// one, for people, is plain text; the second one is the machine-readable address.
	const level = app.log.level;
	if (level === "info" || level === "debug" || level === "trace") app.log.level = "warn";
	const address = await app.listen({ host: config.host, port: config.port });
	app.log.level = level;
	// On port 0 the page's origin is only known now: allow it for the CSRF Origin check.
	const actual = new URL(address).origin;
	if (!config.allowedOrigins.includes(actual)) config.allowedOrigins.push(actual);
	if (config.logLevel !== "silent") process.stdout.write(`${await welcome(config, address)}\n`);
	// One machine-readable line for scripts and tests that start the demo on port 0.
	app.log.info(
		{ address, mode: config.issuerJwksUrl ? "resource" : "issuer" },
		"xshl demo listening",
	);
}

main().catch((err: unknown) => {
	process.stderr.write(`fatal: ${(err as Error)?.message ?? String(err)}\n`);
	process.exit(1);
});
