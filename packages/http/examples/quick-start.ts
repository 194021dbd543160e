// Quick start for @xshl/http: an issuer and a resource server on Web Request/Response.
import {
	createAuthenticator,
	createSessionServer,
	errorResponse,
	WEB_TRACE_RECIPE,
} from "@xshl/http";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";

const ISSUER = "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f";

// The issuer: your credentials check, a key ring, a store. Mount `handle` under /auth.
export const server = createSessionServer({
	ring: await KeyRing.generate({ signing: "EdDSA" }),
	store: new MemoryStore(),
	issuer: ISSUER,
	audience: "api",
	trace: WEB_TRACE_RECIPE,
	authenticate: async ({ username, password }) =>
		username === "ada" && password === "correct horse" ? { sub: "ada", scope: ["orders"] } : null,
});

// A resource server: the same recipe, the issuer's keys (a RemoteKeySet on another host).
const { authenticate } = createAuthenticator({
	keys: server.keys,
	issuer: ISSUER,
	audience: "api",
	trace: WEB_TRACE_RECIPE,
	requireScopes: ["orders"],
});
export async function api(request: Request): Promise<Response> {
	try {
		const { claims } = await authenticate(request);
		return Response.json({ hello: claims.sub });
	} catch (error) {
		return errorResponse(error);
	}
}

// What a browser does: log in, then call the API with the token and its cookies.
const page = { "x-xshl-request": "1", "content-type": "application/json", "user-agent": "Demo/1" };
const login = await server.handle(
	new Request("https://id.example/auth/login", {
		method: "POST",
		headers: page,
		body: JSON.stringify({ username: "ada", password: "correct horse" }),
	}),
);
const { access_token } = (await login.json()) as { access_token: string };
const cookie = login.headers
	.getSetCookie()
	.map((c) => c.split(";")[0])
	.join("; ");
const me = await api(
	new Request("https://api.example/orders", {
		headers: { authorization: `Bearer ${access_token}`, cookie, "user-agent": "Demo/1" },
	}),
);
console.log(login.status, me.status, await me.json()); // 200 200 { hello: 'ada' }
