import { describe, expect, it } from "vitest";
import { coarseClient, ipPrefix } from "./client-info";

describe("coarse client info (never the raw UA or IP)", () => {
	it("keeps /24 of IPv4 and /48 of IPv6, nothing for junk", () => {
		expect(ipPrefix("203.0.113.77")).toBe("203.0.113.0/24");
		expect(ipPrefix("::ffff:198.51.100.9")).toBe("198.51.100.0/24");
		expect(ipPrefix("2001:db8:1:2::9")).toBe("2001:db8:1::/48");
		expect(ipPrefix("2001:0DB8:0001:0002:0003:0004:0005:0006")).toBe("2001:db8:1::/48");
		expect(ipPrefix("::1")).toBe("0:0:0::/48");
		for (const bad of [
			"",
			"256.1.1.1",
			"1.2.3",
			"1:2:3:4:5:6:7:8:9",
			"1::2::3",
			"fe80::1%eth0",
			"x",
		]) {
			expect(ipPrefix(bad)).toBe("");
		}
	});

	it("maps a User-Agent to a browser/OS pair", () => {
		const chrome =
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
		const edge = `${chrome} Edg/131.0.0.0`;
		const safari =
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
		expect(coarseClient({ userAgent: chrome })).toEqual({
			browser: "Chrome",
			os: "Windows",
			ip: "",
		});
		expect(coarseClient({ userAgent: edge }).browser).toBe("Edge");
		expect(coarseClient({ userAgent: safari })).toEqual({ browser: "Safari", os: "iOS", ip: "" });
		expect(coarseClient({ userAgent: "curl/8.5.0", ip: "10.1.2.3" })).toEqual({
			browser: "curl",
			os: "",
			ip: "10.1.2.0/24",
		});
		expect(coarseClient(undefined)).toEqual({ browser: "", os: "", ip: "" });
	});
});
