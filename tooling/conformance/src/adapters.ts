/**
 * The apps under test: the same options served by each adapter on a real server (port 0).
 * Each adapter serves two apps: an issuer (the routes, `/api/me`, `/api/admin`) and a resource
 * server (`/orders`, its own key set, `isRevoked` and clock).
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { xshlErrorHandler as expressErrors, xshl as xshlExpress } from "@xshl/express";
import { xshlErrorHandler as fastifyErrors, xshl as xshlFastify } from "@xshl/fastify";
import { type XshlEnv, xshl as xshlHono } from "@xshl/hono";
import { xshl as xshlHonoResource } from "@xshl/hono/resource";
import type { AuthenticatorOptions, SessionServerOptions } from "@xshl/http";
import express from "express";
import { version as expressVersion } from "express/package.json";
import Fastify from "fastify";
import { Hono } from "hono";

/** A running app. */
export interface Served {
	readonly base: string;
	close(): Promise<void>;
}

/** An adapter: builds the issuer app and the resource app from the same options. */
export interface Adapter {
	readonly name: string;
	issuer(options: SessionServerOptions): Promise<Served>;
	resource(options: AuthenticatorOptions): Promise<Served>;
}

const fastify: Adapter = {
	name: "fastify",
	async issuer(options) {
		const app = Fastify();
		app.setErrorHandler(fastifyErrors);
		await app.register(xshlFastify, options);
		app.get("/api/me", { onRequest: app.xshl.authenticate }, async (request) => ({
			sub: request.session?.sub,
		}));
		app.get("/api/admin", { preHandler: app.xshl.requireScopes("admin") }, async () => ({
			ok: true,
		}));
		const base = await app.listen({ port: 0, host: "127.0.0.1" });
		return { base, close: () => app.close() };
	},
	async resource(options) {
		const app = Fastify();
		app.setErrorHandler(fastifyErrors);
		await app.register(xshlFastify, options);
		app.get("/orders", { onRequest: app.xshl.authenticate }, async (request) => ({
			sub: request.session?.sub,
		}));
		const base = await app.listen({ port: 0, host: "127.0.0.1" });
		return { base, close: () => app.close() };
	},
};

function serveHono(app: Hono<XshlEnv>): Promise<Served> {
	return new Promise((resolve) => {
		const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (addr) => {
			resolve({
				base: `http://127.0.0.1:${addr.port}`,
				close: () => new Promise<void>((r) => server.close(() => r())),
			});
		});
	});
}

const hono: Adapter = {
	name: "hono",
	async issuer(options) {
		const auth = xshlHono(options);
		const app = new Hono<XshlEnv>()
			.route("/", auth.routes)
			.get("/api/me", auth, (c) => c.json({ sub: c.var.session.sub }))
			.get("/api/admin", auth.requireScopes("admin"), (c) => c.json({ ok: true }));
		return serveHono(app);
	},
	async resource(options) {
		const auth = xshlHono(options);
		return serveHono(
			new Hono<XshlEnv>().get("/orders", auth, (c) => c.json({ sub: c.var.session.sub })),
		);
	},
};

/** `@xshl/hono/resource` for the resource app (the issuer app is `@xshl/hono`'s). */
const honoResource: Adapter = {
	name: "hono/resource",
	issuer: hono.issuer,
	async resource(options) {
		const auth = xshlHonoResource(options);
		return serveHono(
			new Hono<XshlEnv>().get("/orders", auth, (c) => c.json({ sub: c.var.session.sub })),
		);
	},
};

function serveExpress(app: express.Express): Promise<Served> {
	return new Promise((resolve) => {
		const server = app.listen(0, "127.0.0.1", () => {
			resolve({
				base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
				close: () =>
					new Promise<void>((r) => {
						server.closeAllConnections();
						server.close(() => r());
					}),
			});
		});
	});
}

const expressAdapter: Adapter = {
	// "express 5", or "express 4" in the project that aliases Express 4 (vitest.config.ts)
	name: `express ${expressVersion.split(".")[0]}`,
	async issuer(options) {
		const auth = xshlExpress(options);
		const app = express();
		app.set("etag", false); // the app's own choice, like Fastify's and Hono's default
		if (auth.router) app.use(auth.router);
		app.get("/api/me", auth, (req, res) => {
			res.json({ sub: req.session?.sub });
		});
		app.get("/api/admin", auth.requireScopes("admin"), (_req, res) => {
			res.json({ ok: true });
		});
		app.use(expressErrors());
		return serveExpress(app);
	},
	async resource(options) {
		const auth = xshlExpress(options);
		const app = express();
		app.set("etag", false); // the app's own choice, like Fastify's and Hono's default
		app.get("/orders", auth, (req, res) => {
			res.json({ sub: req.session?.sub });
		});
		app.use(expressErrors());
		return serveExpress(app);
	},
};

const ALL: readonly Adapter[] = [fastify, hono, honoResource, expressAdapter];
const only = process.env.XSHL_CONFORMANCE_ADAPTERS?.split(",");

/**
 * Every adapter the conformance table runs on (`XSHL_CONFORMANCE_ADAPTERS=express,hono` keeps
 * some). A new adapter only has to be added here.
 */
export const ADAPTERS: readonly Adapter[] = ALL.filter(
	(a) => only === undefined || only.includes(a.name.split(" ")[0] as string),
);
