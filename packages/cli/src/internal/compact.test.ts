import { describe, expect, it } from "vitest";
import { CliTokenMalformedError } from "../errors";
import { cleanToken, decodeCompact } from "./compact";

const b64 = (s: string): string => Buffer.from(s).toString("base64url");

describe("decodeCompact", () => {
	it("a JWS: header, JSON claims, signature length", () => {
		expect(
			decodeCompact(`${b64('{"alg":"ES256"}')}.${b64('{"sub":"u"}')}.${b64("x".repeat(64))}`),
		).toEqual({
			kind: "jws",
			header: { alg: "ES256" },
			claims: { sub: "u" },
			payloadText: undefined,
			signatureBytes: 64,
		});
	});

	it("a JWS whose payload is not a JSON object keeps it as text", () => {
		const d = decodeCompact(`${b64('{"alg":"ES256"}')}.${b64("hello")}.`);
		expect(d).toMatchObject({
			kind: "jws",
			claims: undefined,
			payloadText: "hello",
			signatureBytes: 0,
		});
		expect(decodeCompact(`${b64('{"alg":"ES256"}')}.${b64("[1]")}.`)).toMatchObject({
			payloadText: "[1]",
		});
	});

	it("a JWE: header and the decoded size of each part", () => {
		const token = [
			b64('{"alg":"RSA-OAEP-256","enc":"A256GCM"}'),
			b64("k".repeat(256)),
			b64("i".repeat(12)),
			b64("c".repeat(33)),
			b64("t".repeat(16)),
		].join(".");
		expect(decodeCompact(token)).toEqual({
			kind: "jwe",
			header: { alg: "RSA-OAEP-256", enc: "A256GCM" },
			encryptedKeyBytes: 256,
			ivBytes: 12,
			ciphertextBytes: 33,
			tagBytes: 16,
		});
	});

	it.each([
		["a.b.c.d", "expected a compact JWS (3 parts) or JWE (5 parts), got 4 parts"],
		["", "expected a compact JWS (3 parts) or JWE (5 parts), got 1 part"],
		[`${b64('{"alg":"ES256"}')}.e30.a=b`, "part 3 has characters outside base64url"],
		[`${b64("[1]")}.e30.`, "the header is not a JSON object"],
		[`${b64("{nope")}.e30.`, "the header is not base64url-encoded UTF-8 JSON"],
		[
			`${Buffer.from([0xff, 0xfe]).toString("base64url")}.e30.`,
			"the header is not base64url-encoded UTF-8 JSON",
		],
	])("%j → ERR_CLI_TOKEN_MALFORMED: %s", (token, message) => {
		let error: unknown;
		try {
			decodeCompact(token);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CliTokenMalformedError);
		expect(error).toMatchObject({
			code: "ERR_CLI_TOKEN_MALFORMED",
			status: 400,
			exitCode: 1,
			message,
		});
	});
});

describe("cleanToken", () => {
	it("trims whitespace and a Bearer prefix, nothing else", () => {
		expect(cleanToken("  Bearer abc.def.ghi \n")).toBe("abc.def.ghi");
		expect(cleanToken("bearer\tabc")).toBe("abc");
		expect(cleanToken("abc")).toBe("abc");
	});
});
