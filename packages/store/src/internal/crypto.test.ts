import { describe, expect, it } from "vitest";
import { b64url, fromB64url, open, randomBytes, seal } from "./crypto";

describe("internal crypto", () => {
	it("base64url matches Node's encoder for every length 0–64 and round-trips", () => {
		for (let n = 0; n <= 64; n++) {
			const bytes = randomBytes(n);
			const text = b64url(bytes);
			expect(text).toBe(Buffer.from(bytes).toString("base64url"));
			expect(fromB64url(text)).toEqual(bytes);
		}
		expect(fromB64url("a+b")).toBeUndefined();
		expect(fromB64url("abcde")).toBeUndefined();
	});

	it("seal/open: the successor opens only with the predecessor secret and the same context", async () => {
		const secret = randomBytes(32);
		const sealed = await seal(secret, "fam.3", "xrt1.successor");
		expect(await open(secret, "fam.3", sealed)).toBe("xrt1.successor");
		expect(await open(randomBytes(32), "fam.3", sealed)).toBeUndefined();
		expect(await open(secret, "fam.4", sealed)).toBeUndefined();
		expect(await open(secret, "fam.3", `${sealed.slice(0, -2)}AA`)).toBeUndefined();
		expect(await open(secret, "fam.3", "short")).toBeUndefined();
	});
});
