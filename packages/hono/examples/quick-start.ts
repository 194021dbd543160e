// Quick start for @xshl/hono: an issuer and its API in one Hono app.
import { type XshlEnv, xshl } from "@xshl/hono";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import { Hono } from "hono";

const auth = xshl({
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
	authenticate: async ({ username, password }) =>
		username === "ada" && password === "correct horse" ? { sub: "ada", scope: ["orders"] } : null,
});
export const app = new Hono<XshlEnv>()
	.route("/", auth.routes)
	.get("/api/orders", auth.requireScopes("orders"), (c) =>
		c.json({ orders: [], for: c.var.session.sub }),
	);

// What a browser does: POST /auth/login, then call the API with the token and cookies.
const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": "Demo/1" };
const login = await app.request("/auth/login", {
	method: "POST",
	headers: page,
	body: JSON.stringify({ username: "ada", password: "correct horse" }),
});
const cookie = login.headers
	.getSetCookie()
	.map((c) => c.split(";")[0])
	.join("; ");
const { access_token } = (await login.json()) as { access_token: string };
const orders = await app.request("/api/orders", {
	headers: { authorization: `Bearer ${access_token}`, cookie, "user-agent": "Demo/1" },
});
console.log(login.status, orders.status, await orders.json()); // 200 200 { orders: [], for: 'ada' }
