// One benchmark server per process (so autocannon never shares its event loop):
// `node bench/server.mjs demo|plugin|baseline ES256|EdDSA|RS256 [cache]` prints `{ url, headers }`
// as one JSON line. `demo` is the demo app's `/api/me`; `plugin` is Fastify + `@xshl/fastify`
// alone (issuer mode on a memory store, the route shape of the baseline: `{ claims }`), so the
// library's cost shows apart from the demo's own work; `baseline` is Fastify + `@fastify/jwt`. With `cache`, both servers cache verified tokens: the demo through session-core's
// opt-in cache (VERIFY_CACHE), the baseline through fast-jwt's own (`verify: { cache: true }`).
import fastifyJwt from "@fastify/jwt";
import { xshl } from "@xshl/fastify";
import { KeyRing } from "@xshl/keys/ring";
import { MemoryStore } from "@xshl/session-store";
import Fastify from "fastify";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { buildApp } from "../dist/app.js";
import { loadConfig } from "../dist/config.js";
import { createDeps } from "../dist/wiring.js";

const UA = "Mozilla/5.0 (X11; Linux x86_64) bench";

/** Log alice in through the app's own `/auth/login`, listen, and return the bench target. */
async function loginAndListen(app, password) {
	const login = await app.inject({
		method: "POST",
		url: "/auth/login",
		headers: { "content-type": "application/json", "x-xshl-request": "1", "user-agent": UA },
		payload: { username: "alice", password },
	});
	const { access_token: token } = login.json();
	const cookie = [login.headers["set-cookie"]]
		.flat()
		.map((c) => c.split(";")[0])
		.join("; ");
	const url = await app.listen({ host: "127.0.0.1", port: 0 });
	return {
		app,
		url: `${url}/api/me`,
		headers: { authorization: `Bearer ${token}`, "user-agent": UA, cookie },
	};
}

async function demoServer(alg, cache) {
	const config = loadConfig({
		HOST: "127.0.0.1",
		PORT: "0",
		SIGNING_ALG: alg,
		LOG_LEVEL: "silent",
		ACCESS_TOKEN_TTL: "900",
		VERIFY_CACHE: cache ? "8" : "0",
	});
	const app = await buildApp(await createDeps(config));
	return loginAndListen(app, "alice-demo-pass");
}

async function pluginServer(alg, cache) {
	const app = Fastify({ logger: false });
	await app.register(xshl, {
		ring: await KeyRing.generate({ signing: alg }),
		store: new MemoryStore(),
		issuer: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		audience: "xshl-demo",
		authenticate: async ({ username }) => ({ sub: username, scope: ["demo"] }),
		accessTokenTtlMs: 900_000,
		cookies: { secure: false },
		...(cache ? { verifyCache: { maxEntries: 8 } } : {}),
	});
	app.get("/api/me", { onRequest: app.xshl.authenticate }, async (req) => ({
		claims: req.session,
	}));
	return loginAndListen(app, "any");
}

async function baselineServer(alg, cache) {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
	const app = Fastify({ logger: false });
	await app.register(fastifyJwt, {
		secret: { private: await exportPKCS8(privateKey), public: await exportSPKI(publicKey) },
		sign: { algorithm: alg, expiresIn: 900 },
		verify: { algorithms: [alg], ...(cache ? { cache: true } : {}) },
	});
	app.get("/api/me", { onRequest: (req) => req.jwtVerify() }, async (req) => ({
		claims: req.user,
	}));
	await app.ready();
	const now = Math.floor(Date.now() / 1000);
	// Same claim set size as the demo token.
	const token = app.jwt.sign({
		iss: "5f0c7a1e-2b3d-4c5e-8f60-7a8b9c0d1e2f",
		sub: "6f1c8a52-3d0e-4f5b-9a27-1e8b2c4d5f60",
		aud: ["xshl-demo"],
		nbf: now,
		jti: crypto.randomUUID(),
		sid: crypto.randomUUID(),
		version: 1,
		trace: crypto.randomUUID(),
		auth_time: now,
		scope: ["demo"],
		roles: ["user"],
	});
	const url = await app.listen({ host: "127.0.0.1", port: 0 });
	return {
		app,
		url: `${url}/api/me`,
		headers: { authorization: `Bearer ${token}`, "user-agent": UA },
	};
}

const [kind, alg, mode] = process.argv.slice(2);
const cache = mode === "cache";
const servers = { demo: demoServer, plugin: pluginServer, baseline: baselineServer };
if (!(kind in servers)) throw new Error(`unknown server ${kind}: demo, plugin or baseline`);
const target = await servers[kind](alg, cache);
process.stdout.write(`${JSON.stringify({ url: target.url, headers: target.headers })}\n`);
process.on("SIGTERM", () => void target.app.close().then(() => process.exit(0)));
