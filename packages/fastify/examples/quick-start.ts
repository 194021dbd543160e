// Quick start for @xshl/fastify: an issuer and its API in one Fastify app.
import { xshl, xshlErrorHandler } from "@xshl/fastify";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import Fastify from "fastify";

export const app = Fastify();
app.setErrorHandler(xshlErrorHandler);
await app.register(xshl, {
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
	audience: "api",
	authenticate: async ({ username, password }) =>
		username === "ada" && password === "correct horse" ? { sub: "ada", scope: ["orders"] } : null,
});
app.get("/api/orders", { preHandler: app.xshl.requireScopes("orders") }, async (request) => ({
	orders: [],
	for: request.session?.sub,
}));

// What a browser does: POST /auth/login, then call the API with the token and cookies.
const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": "Demo/1" };
const login = await app.inject({
	method: "POST",
	url: "/auth/login",
	headers: page,
	payload: { username: "ada", password: "correct horse" },
});
const cookie = (login.headers["set-cookie"] as string[]).map((c) => c.split(";")[0]).join("; ");
const orders = await app.inject({
	url: "/api/orders",
	headers: { authorization: `Bearer ${login.json().access_token}`, cookie, "user-agent": "Demo/1" },
});
console.log(login.statusCode, orders.statusCode, orders.json()); // 200 200 { orders: [], for: 'ada' }
await app.close();
