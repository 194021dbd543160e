/**
 * Entry point: `node dist/main.js` (root: `pnpm demo`). Settings come from the environment;
 * see the README for every variable.
 */
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createDeps } from "./wiring.js";

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
	const address = await app.listen({ host: config.host, port: config.port });
	// On port 0 the page's origin is only known now: allow it for the CSRF Origin check.
	const actual = new URL(address).origin;
	if (!config.allowedOrigins.includes(actual)) config.allowedOrigins.push(actual);
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
