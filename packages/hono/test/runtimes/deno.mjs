// @ts-nocheck: the Deno entry; env as JSON in the first argument, prints "PORT n".
import { app } from "./app.mjs";

const env = JSON.parse(Deno.args[0]);
Deno.serve(
	{ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`PORT ${port}`) },
	(r) => app.fetch(r, env),
);
