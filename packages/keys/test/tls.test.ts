// KEY-10: an HTTPS JWKS endpoint with a self-signed certificate (made with openssl here).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KeysConfigError, RemoteKeySet } from "../src/index";
import { createNodeFetch } from "../src/node";
import {
	json,
	makeKey,
	rejection,
	sign,
	startServer,
	type TestKey,
	type TestServer,
} from "./helpers";

let dir: string;
let cert: string;
let server: TestServer;
let plain: TestServer;
let A: TestKey;

beforeAll(async () => {
	A = await makeKey("a");
	dir = mkdtempSync(join(tmpdir(), "xshl-keys-tls-"));
	execFileSync(
		"openssl",
		[
			"req",
			"-x509",
			"-newkey",
			"ec",
			"-pkeyopt",
			"ec_paramgen_curve:P-256",
			"-nodes",
			"-keyout",
			join(dir, "key.pem"),
			"-out",
			join(dir, "cert.pem"),
			"-days",
			"1",
			"-subj",
			"/CN=127.0.0.1",
			"-addext",
			"subjectAltName=IP:127.0.0.1",
		],
		{ stdio: "ignore" },
	);
	cert = readFileSync(join(dir, "cert.pem"), "utf8");
	const tls = createServer({ key: readFileSync(join(dir, "key.pem")), cert });
	server = await startServer(json({ keys: [A.publicJwk] }), tls, "https");
	plain = await startServer(json({ keys: [A.publicJwk] }));
});

afterAll(async () => {
	await server.close();
	await plain.close();
	rmSync(dir, { recursive: true, force: true });
});

describe("KEY-10: TLS", () => {
	it("refuses a self-signed certificate by default with a typed TLS error carrying the runtime's code", async () => {
		const before = server.requests;
		const ks = new RemoteKeySet({ name: "n", url: server.url() });
		const e = await rejection(ks.load());
		expect(e.code).toBe("ERR_KEYS_UNAVAILABLE");
		expect(e.cause.code).toBe("ERR_KEYS_TLS");
		expect(e.cause.causeCode).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
		expect(e.cause.retryable).toBe(false);
		expect(server.requests).toBe(before);
		// the Node fetch without a CA refuses it too
		const viaNode = new RemoteKeySet({ name: "n", url: server.url(), fetch: createNodeFetch() });
		expect((await rejection(viaNode.load())).cause.causeCode).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
	});

	it("accepts it with the custom CA (createNodeFetch from @xshl/keys/node) and verifies tokens", async () => {
		const ks = new RemoteKeySet({
			name: "n",
			url: server.url(),
			fetch: createNodeFetch({ ca: cert }),
		});
		await ks.load();
		expect((await jwtVerify(await sign(A), ks.resolver)).payload.sub).toBe("u1");
		expect(ks.stats().requests).toBe(1);
	});

	it("never follows https -> http, even to an allowed origin", async () => {
		server.handler = (_req, res) => {
			res.writeHead(302, { location: plain.url() });
			res.end();
		};
		try {
			const before = plain.requests;
			const ks = new RemoteKeySet({
				name: "n",
				url: server.url("/redirect"),
				fetch: createNodeFetch({ ca: cert }),
				allowRedirectOrigins: [plain.origin],
			});
			const e = await rejection(ks.load());
			expect(e.cause.code).toBe("ERR_KEYS_REDIRECT_REFUSED");
			expect(e.cause.message).toBe("redirect from https to http refused");
			expect(plain.requests).toBe(before);
		} finally {
			server.handler = json({ keys: [A.publicJwk] });
		}
	});

	it("the insecure option works only under NODE_ENV=test and warns each time", async () => {
		const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
		expect(process.env.NODE_ENV).toBe("test");
		const ks = new RemoteKeySet({
			name: "n",
			url: server.url(),
			fetch: createNodeFetch({ dangerouslyDisableTlsVerification: true }),
		});
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		createNodeFetch({ dangerouslyDisableTlsVerification: true });
		expect(warn).toHaveBeenCalledTimes(2);
		expect(String(warn.mock.calls[0]![0])).toContain("TLS verification is DISABLED");
		const saved = process.env.NODE_ENV;
		process.env.NODE_ENV = "production";
		try {
			let error: unknown;
			try {
				createNodeFetch({ dangerouslyDisableTlsVerification: true });
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(KeysConfigError);
			expect((error as KeysConfigError).issues[0]!.path).toBe("dangerouslyDisableTlsVerification");
		} finally {
			process.env.NODE_ENV = saved;
		}
		expect(warn).toHaveBeenCalledTimes(2);
	});
});
