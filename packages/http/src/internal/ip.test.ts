import { describe, expect, it } from "vitest";
import { ipRateLimitKey } from "../client-ip";
import { inCidr, ipPrefix, parseCidr, parseIp } from "./ip";

describe("parseIp", () => {
	it.each([
		["203.0.113.7", 4, "203.0.113.7/32"],
		["::ffff:203.0.113.7", 4, "203.0.113.7/32"],
		["[2001:db8::1]", 6, "2001:db8:0:0:0:0:0:1/128"],
		["fe80::1%eth0", 6, "fe80:0:0:0:0:0:0:1/128"],
		["::", 6, "0:0:0:0:0:0:0:0/128"],
	])("%s", (text, version, full) => {
		const ip = parseIp(text)!;
		expect(ip.version).toBe(version);
		expect(ipPrefix(ip, 32, 128)).toBe(full);
	});

	it.each([
		"256.0.0.1",
		"1.2.3",
		"01.2.3.4",
		"1::2::3",
		"2001:db8::g",
		"",
		"x".repeat(70),
		"1:2:3:4:5:6:7:8:9",
	])("refuses %s", (text) => {
		expect(parseIp(text)).toBeUndefined();
	});
});

describe("CIDR", () => {
	it("matches inside the block only", () => {
		const c = parseCidr("10.0.0.0/8")!;
		expect(inCidr(parseIp("10.255.1.2")!, c)).toBe(true);
		expect(inCidr(parseIp("11.0.0.1")!, c)).toBe(false);
		expect(inCidr(parseIp("::ffff:10.0.0.1")!, c)).toBe(true);
		const v6 = parseCidr("2001:db8::/32")!;
		expect(inCidr(parseIp("2001:db8:ffff::1")!, v6)).toBe(true);
		expect(inCidr(parseIp("2001:db9::1")!, v6)).toBe(false);
		expect(parseCidr("10.0.0.0/33")).toBeUndefined();
	});

	it("rate-limit keys group IPv6 by /64 and keep IPv4 whole", () => {
		expect(ipRateLimitKey("2001:db8:1:2:aaaa::1")).toBe("ip:2001:db8:1:2:0:0:0:0/64");
		expect(ipRateLimitKey("198.51.100.9")).toBe("ip:198.51.100.9/32");
		expect(ipRateLimitKey("not-an-ip")).toBe("ip:unknown");
	});
});
