import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "./sha256";

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

describe("sha256", () => {
	it("matches the FIPS 180-4 vectors", () => {
		expect(hex(sha256(new Uint8Array(0)))).toBe(
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		);
		expect(hex(sha256(new TextEncoder().encode("abc")))).toBe(
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		);
	});

	it("matches node:crypto for every length from 0 to 200 bytes", () => {
		for (let n = 0; n <= 200; n++) {
			const data = randomBytes(n);
			expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
		}
	});
});
