import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
for (const kind of ["plugin", "baseline", "demo"]) {
const child = spawn(process.execPath, ["bench/server.mjs", kind, "ES256"], { stdio: ["ignore", "pipe", "inherit"] });
const t = await new Promise((r) => createInterface({ input: child.stdout }).once("line", (l) => r(JSON.parse(l))));
const res = await fetch(t.url, { headers: t.headers });
const body = await res.text();
console.log(kind, "token", t.headers.authorization.length - 7, "cookie", (t.headers.cookie ?? "").length, "status", res.status, "body", body.length, "headers", [...res.headers].map(([k, v]) => k.length + v.length + 4).reduce((a, b) => a + b, 0));
console.log(body.slice(0, 600));
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
}
