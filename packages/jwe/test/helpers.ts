import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** `/work/shared/vectors` in dev, `../shared/vectors` beside the checkout in CI. Never copied. */
export const VECTORS: string = fileURLToPath(
	new URL("../../../../shared/vectors/", import.meta.url),
);

export function readVector<T = unknown>(relative: string): T {
	return JSON.parse(readFileSync(VECTORS + relative, "utf8")) as T;
}

export function hexToBytes(hex: string): Uint8Array {
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return out;
}

export function b64u(input: string | Uint8Array): string {
	const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
	return Buffer.from(bytes).toString("base64url");
}

export function headerOf(token: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8"));
}

/** Replaces the protected header of a compact token (its AAD changes, so it no longer decrypts). */
export function withHeader(token: string, header: Record<string, unknown>): string {
	const parts = token.split(".");
	parts[0] = b64u(JSON.stringify(header));
	return parts.join(".");
}

/** Flips one bit in part `index` (0..4) of a compact token, at byte `at` of the decoded part. */
export function flip(token: string, index: number, at = 0): string {
	const parts = token.split(".");
	const bytes = Buffer.from(parts[index]!, "base64url");
	bytes[at] = bytes[at]! ^ 0x01;
	parts[index] = bytes.toString("base64url");
	return parts.join(".");
}

/** Awaits a rejection and asserts its exact class and code; returns the error. */
export async function rejects(
	promise: Promise<unknown>,
	cls: abstract new (...args: never[]) => Error,
	code: string,
): Promise<Error & { code: string; cause?: unknown }> {
	let caught: unknown;
	try {
		await promise;
	} catch (e) {
		caught = e;
	}
	expect(caught, `expected ${code}`).toBeInstanceOf(cls);
	expect((caught as { code: string }).code).toBe(code);
	return caught as Error & { code: string };
}
