import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The binary itself, not node_modules/.bin's shell wrapper (killing that leaves workerd running). */
export const workerdBinary: string = fileURLToPath(
	new URL("../../node_modules/workerd/bin/workerd", import.meta.url),
);

/** A free port on 127.0.0.1 (workerd takes its socket address from the config). */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** A running workerd. */
export interface Workerd {
	readonly url: string;
	log(): string;
	stop(): Promise<void>;
}

/**
 * Serve one ES module worker with workerd on 127.0.0.1 (no `nodejs_compat`), text bindings from
 * `bindings`, outbound network allowed (local included); resolves once it answers.
 *
 * @param dir - the directory holding `module` (the config is written there).
 * @param module - the bundled worker's file name in `dir`.
 * @param bindings - text bindings (`env.NAME`).
 * @returns the base URL, its log and a stop().
 */
export async function startWorkerd(
	dir: string,
	module: string,
	bindings: Record<string, string>,
): Promise<Workerd> {
	const port = await freePort();
	const texts = Object.entries(bindings)
		.map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`)
		.join(", ");
	writeFileSync(
		join(dir, "config.capnp"),
		`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = ${JSON.stringify(module)}, esModule = embed ${JSON.stringify(module)})],
  bindings = [${texts}],
  compatibilityDate = "2026-11-01",
  globalOutbound = "net",
);
`,
	);
	const child = spawn(workerdBinary, ["serve", join(dir, "config.capnp")], {
		cwd: dir,
		stdio: ["ignore", "pipe", "pipe"],
	});
	let log = "";
	child.stdout.on("data", (d) => {
		log += d;
	});
	child.stderr.on("data", (d) => {
		log += d;
	});
	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.on("exit", () => resolve());
			child.kill("SIGKILL");
		});
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 300; i++) {
		if (child.exitCode !== null) throw new Error(`workerd exited ${child.exitCode}: ${log}`);
		try {
			await fetch(url, { method: "HEAD" });
			return { url, log: () => log, stop };
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	await stop();
	throw new Error(`workerd did not listen on ${url}: ${log}`);
}
