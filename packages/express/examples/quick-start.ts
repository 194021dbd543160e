// Quick start for @xshl/express: an issuer and its API in one Express app.
import type { AddressInfo } from "node:net";
import { xshl, xshlErrorHandler } from "@xshl/express";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import express from "express";

const auth = xshl({
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
	authenticate: async ({ username, password }) =>
		username === "ada" && password === "correct horse" ? { sub: "ada", scope: ["orders"] } : null,
});
const app = express();
app.use(auth.router!);
app.get("/api/orders", auth.requireScopes("orders"), (req, res) => {
	res.json({ orders: [], for: req.session?.sub });
});
app.use(xshlErrorHandler());
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));

// What a browser does: POST /auth/login, then call the API with the token and cookies.
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": "Demo/1" };
const login = await fetch(`${base}/auth/login`, {
	method: "POST",
	headers: page,
	body: JSON.stringify({ username: "ada", password: "correct horse" }),
});
const cookie = login.headers
	.getSetCookie()
	.map((c) => c.split(";")[0])
	.join("; ");
const { access_token } = (await login.json()) as { access_token: string };
const orders = await fetch(`${base}/api/orders`, {
	headers: { authorization: `Bearer ${access_token}`, cookie, "user-agent": "Demo/1" },
});
console.log(login.status, orders.status, await orders.json()); // 200 200 { orders: [], for: 'ada' }
server.closeAllConnections();
server.close();
