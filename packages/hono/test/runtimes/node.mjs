// @ts-nocheck: the Node entry (@hono/node-server); env as JSON in argv[2], prints "PORT n".
import { serve } from "@hono/node-server";
import { app } from "./app.mjs";

const env = JSON.parse(process.argv[2]);
serve({ fetch: (r) => app.fetch(r, env), port: 0, hostname: "127.0.0.1" }, (a) =>
	console.log(`PORT ${a.port}`),
);
