// Issue 12 §3: the hostile inputs and runtimes the key sets were tried with, each with its
// control (what is still accepted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeysConfigError, RemoteKeySet } from "../src/index";
import { json, makeKey, startServer, type TestKey, type TestServer } from "./helpers";

let A: TestKey;
let s: TestServer;
beforeAll(async () => {
	A = await makeKey("a");
	s = await startServer(json({ keys: [A.publicJwk] }));
});
afterAll(() => s.close());

function urlError(url: string): KeysConfigError | undefined {
	try {
		new RemoteKeySet({ name: "n", url });
	} catch (e) {
		return e as KeysConfigError;
	}
	return undefined;
}

describe("plain http: key sources (issue 12 §3)", () => {
	it("refuses an http: URL on a host that is not loopback", () => {
		for (const url of [
			"http://idp.example/jwks.json",
			"http://10.0.0.5/jwks.json",
			"http://127.0.0.1.nip.io/jwks.json",
			"http://[::2]/jwks.json",
		]) {
			const e = urlError(url);
			expect(e).toBeInstanceOf(KeysConfigError);
			expect(e?.code).toBe("ERR_KEYS_CONFIG_INVALID");
			expect(e?.issues).toEqual([{ path: "url", message: e?.message }]);
			expect(e?.message).toMatch(/^url must be https:/);
		}
	});

	it("control: https anywhere and http on loopback (localhost, 127.0.0.0/8, [::1]) are accepted", () => {
		for (const url of [
			"https://idp.example/jwks.json",
			"http://localhost:8080/jwks.json",
			"http://127.0.0.1/jwks.json",
			"http://127.8.9.10/jwks.json",
			"http://[::1]:3000/jwks.json",
		])
			expect(urlError(url)).toBeUndefined();
	});

	it("allowInsecureHttp accepts it, and every load emits an insecure-http warning", async () => {
		const served = s.url();
		const ks = new RemoteKeySet({
			name: "n",
			url: "http://jwks.internal.example/jwks.json",
			allowInsecureHttp: true,
			// the host is not resolvable here: route it to the local server, as a proxy would
			fetch: (_input, init) => fetch(served, init),
		});
		const warnings: { code: string; message: string }[] = [];
		ks.on("warning", (w) => warnings.push(w));
		await ks.load();
		expect(ks.get("a")).toBeInstanceOf(CryptoKey);
		expect(warnings).toEqual([
			{
				code: "insecure-http",
				message:
					"JWKS loaded over plain http (allowInsecureHttp): anyone on the path can serve their own keys",
			},
		]);
		await ks.load();
		expect(warnings).toHaveLength(2);
		// control: a loopback http load warns about nothing
		const local = new RemoteKeySet({ name: "n", url: s.url() });
		const none: unknown[] = [];
		local.on("warning", (w) => none.push(w));
		await local.load();
		expect(none).toEqual([]);
	});
});
