import { describe, expect, it } from "vitest";
import { isLoopbackHost, resolveRemoteOptions } from "./remote-options";

describe("isLoopbackHost", () => {
	it("is true for localhost, 127.0.0.0/8 and [::1] only", () => {
		for (const h of ["localhost", "127.0.0.1", "127.255.0.9", "[::1]"])
			expect(isLoopbackHost(h)).toBe(true);
		for (const h of [
			"localhost.example",
			"127.0.0.1.nip.io",
			"128.0.0.1",
			"[::2]",
			"10.0.0.1",
			"0.0.0.0",
		])
			expect(isLoopbackHost(h)).toBe(false);
	});
});

describe("resolveRemoteOptions", () => {
	it("fills every default (durations in ms, sizes in bytes)", () => {
		const o = resolveRemoteOptions({ name: "n", url: "https://idp.example/jwks" });
		expect(o).toMatchObject({
			ttlMs: 600_000,
			minTtlMs: 60_000,
			maxTtlMs: 86_400_000,
			maxStaleMs: 43_200_000,
			cooldownMs: 30_000,
			timeoutMs: 5_000,
			foregroundBudgetMs: 10_000,
			retries: 2,
			maxResponseBytes: 131_072,
			maxKeys: 100,
			maxUnknownKids: 1024,
			allowInsecureHttp: false,
			autoRefresh: false,
			shareInflight: undefined,
		});
		expect(o.url.href).toBe("https://idp.example/jwks");
	});

	it("names the option of every problem with a dotted path", () => {
		const issues = (f: () => unknown) => {
			try {
				f();
			} catch (e) {
				return (e as { issues: unknown }).issues;
			}
			return undefined;
		};
		expect(issues(() => resolveRemoteOptions({ name: "n", url: "http://idp.example/j" }))).toEqual([
			{
				path: "url",
				message:
					"url must be https: (plain http: is only accepted on a loopback host, or with allowInsecureHttp: anyone on the path could serve their own keys)",
			},
		]);
		expect(
			issues(() =>
				resolveRemoteOptions({
					name: "n",
					url: "https://x.example",
					allowRedirectOrigins: ["nope"],
				}),
			),
		).toEqual([
			{
				path: "allowRedirectOrigins.0",
				message: "each entry must be an origin such as https://cdn.example",
			},
		]);
	});
});
