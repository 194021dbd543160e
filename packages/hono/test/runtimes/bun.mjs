// @ts-nocheck: the Bun entry; env as JSON in argv[2], prints "PORT n".
import { app } from "./app.mjs";

const env = JSON.parse(process.argv[2]);
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => app.fetch(r, env) });
console.log(`PORT ${server.port}`);
