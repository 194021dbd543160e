import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliFileExistsError, CliInputInvalidError } from "../src/errors";
import { restoreRing } from "../src/internal/ring-file";
import { generateKeys } from "../src/keys-generate";
import { ringJwks } from "../src/keys-jwks";
import { rotateKeys } from "../src/keys-rotate";
import { run } from "../src/run";
import { memoryIO } from "./helpers/io";

const tmp = () => mkdtemp(join(tmpdir(), "xshl-cli-keys-"));

describe("keys generate", () => {
	it("writes a private snapshot with mode 0600 and returns the public JWKS", async () => {
		const out = join(await tmp(), "ring.json");
		const report = await generateKeys({ alg: "EdDSA", out });
		expect((await stat(out)).mode & 0o777).toBe(0o600);
		expect(report.mode).toBe("0600");
		expect(report.keys.map((k) => [k.use, k.alg, k.state])).toEqual([
			["sig", "EdDSA", "active"],
			["sig", "EdDSA", "next"],
		]);
		expect(report.jwks.keys.map((k) => k.kid)).toEqual(report.keys.map((k) => k.kid));
		for (const k of report.jwks.keys) {
			expect(Object.keys(k).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
		}
		const ring = await restoreRing(JSON.parse(await readFile(out, "utf8")));
		expect(ring.signingKey().kid).toBe(report.keys[0]!.kid);
	});

	it("--alg Ed25519: EdDSA on Ed25519 under its RFC 9864 name", async () => {
		const report = await generateKeys({ alg: "Ed25519", out: join(await tmp(), "ring.json") });
		expect(report.jwks.keys.map((k) => [k.kty, k.crv, k.alg])).toEqual([
			["OKP", "Ed25519", "Ed25519"],
			["OKP", "Ed25519", "Ed25519"],
		]);
	});

	it("--enc adds encryption keys (ECDH-ES+A256KW for EC, RSA-OAEP-256 for RSA)", async () => {
		const dir = await tmp();
		const ec = await generateKeys({ alg: "ES256", enc: true, out: join(dir, "ec.json") });
		expect(ec.keys.map((k) => `${k.use}:${k.alg}:${k.state}`)).toEqual([
			"sig:ES256:active",
			"sig:ES256:next",
			"enc:ECDH-ES+A256KW:active",
			"enc:ECDH-ES+A256KW:next",
		]);
		const rsa = await generateKeys({ alg: "PS256", enc: true, out: join(dir, "rsa.json") });
		expect(rsa.keys.filter((k) => k.use === "enc").map((k) => k.alg)).toEqual([
			"RSA-OAEP-256",
			"RSA-OAEP-256",
		]);
	});

	it("refuses to overwrite without --force (exit 1, ERR_CLI_FILE_EXISTS); --force replaces it, still 0600", async () => {
		const out = join(await tmp(), "ring.json");
		await writeFile(out, "keep me", { mode: 0o644 });
		await expect(generateKeys({ alg: "ES256", out })).rejects.toThrow(CliFileExistsError);
		expect(await readFile(out, "utf8")).toBe("keep me");

		const m = memoryIO();
		expect(await run(["keys", "generate", "--alg", "ES256", "--out", out], m.io)).toBe(1);
		expect(m.err()).toBe(
			`xshl: ${out} exists; pass --force to overwrite it (ERR_CLI_FILE_EXISTS)\n`,
		);
		expect(m.out()).toBe("");

		const f = memoryIO();
		expect(await run(["keys", "generate", "--alg", "ES256", "--out", out, "--force"], f.io)).toBe(
			0,
		);
		expect((await stat(out)).mode & 0o777).toBe(0o600);
		const jwks = JSON.parse(f.out());
		expect(jwks.keys).toHaveLength(2);
		expect(f.err()).toContain(`Wrote ${out} (mode 0600, private: keep it secret)`);
	});
});

describe("keys generate: an unwritable --out", () => {
	it("a missing directory: ERR_CLI_INPUT_INVALID with the errno, exit 1", async () => {
		const out = join(await tmp(), "missing", "ring.json");
		await expect(generateKeys({ alg: "ES256", out })).rejects.toMatchObject({
			code: "ERR_CLI_INPUT_INVALID",
			message: `cannot write ${out}: ENOENT`,
		});
		const m = memoryIO();
		expect(await run(["keys", "generate", "--alg", "ES256", "--out", out], m.io)).toBe(1);
		expect(m.err()).toBe(`xshl: cannot write ${out}: ENOENT (ERR_CLI_INPUT_INVALID)\n`);
	});
});

describe("keys rotate and keys jwks", () => {
	it("rotate: the next key becomes active, the old one is retired and still published", async () => {
		const out = join(await tmp(), "ring.json");
		const generated = await generateKeys({ alg: "ES256", out });
		const [active, next] = generated.keys;
		const report = await rotateKeys({ in: out });
		expect(report.rotated).toEqual([
			{ use: "sig", retired: active!.kid, active: next!.kid, next: report.keys[1]!.kid },
		]);
		expect(report.keys.map((k) => [k.kid, k.state])).toEqual([
			[next!.kid, "active"],
			[report.keys[1]!.kid, "next"],
			[active!.kid, "retired"],
		]);
		expect((await stat(out)).mode & 0o777).toBe(0o600);
		const ring = await restoreRing(JSON.parse(await readFile(out, "utf8")));
		expect(ring.signingKey().kid).toBe(next!.kid);

		const m = memoryIO();
		expect(await run(["keys", "jwks", "--in", out], m.io)).toBe(0);
		expect(JSON.parse(m.out())).toEqual(report.jwks);
		expect(m.err()).not.toContain("chmod");
	});

	it("a second rotation within KeyRing's 1 h minimum: ERR_KEYS_ROTATION_TOO_SOON, exit 1, the file unchanged", async () => {
		const out = join(await tmp(), "ring.json");
		await generateKeys({ alg: "ES256", out });
		await rotateKeys({ in: out });
		const before = await readFile(out, "utf8");
		await expect(rotateKeys({ in: out })).rejects.toMatchObject({
			code: "ERR_KEYS_ROTATION_TOO_SOON",
		});
		const m = memoryIO();
		expect(await run(["keys", "rotate", "--in", out], m.io)).toBe(1);
		expect(m.err()).toMatch(/ \(ERR_KEYS_ROTATION_TOO_SOON\)\n$/);
		expect(await readFile(out, "utf8")).toBe(before);
	});

	it("jwks warns when the snapshot is readable by others", async () => {
		const out = join(await tmp(), "ring.json");
		await generateKeys({ alg: "ES256", out });
		await chmod(out, 0o644);
		const report = await ringJwks({ in: out });
		expect(report.mode).toBe("0644");
		expect(report.modeTooOpen).toBe(true);
		const m = memoryIO();
		expect(await run(["keys", "jwks", "--in", out], m.io)).toBe(0);
		expect(m.err()).toContain(`! ${out} has mode 0644: it holds private keys, chmod 600 it`);
	});

	it("a file that is not a ring snapshot: ERR_CLI_INPUT_INVALID, exit 1", async () => {
		const dir = await tmp();
		const bad = join(dir, "bad.json");
		await writeFile(bad, JSON.stringify({ keys: [{ kty: "EC" }] }));
		await expect(rotateKeys({ in: bad })).rejects.toThrow(CliInputInvalidError);
		await expect(ringJwks({ in: join(dir, "missing.json") })).rejects.toMatchObject({
			code: "ERR_CLI_INPUT_INVALID",
			message: `cannot read ring snapshot ${join(dir, "missing.json")}: ENOENT`,
		});
		const m = memoryIO();
		expect(await run(["keys", "rotate", "--in", bad, "--json"], m.io)).toBe(1);
		expect(JSON.parse(m.out()).error.code).toBe("ERR_CLI_INPUT_INVALID");
	});
});
