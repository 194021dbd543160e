import { describe, expect, it, vi } from "vitest";

describe("examples/quick-start.ts (the README's quick start)", () => {
	it("logs in and calls the API", { timeout: 30_000 }, async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		await import("../examples/quick-start");
		expect(log).toHaveBeenCalledWith(200, 200, { hello: "ada" });
	});
});

import { readFileSync } from "node:fs";
import { HTTP_ERROR_CODES } from "../src/errors";

describe("README error table", () => {
	it("matches the registry row for row", () => {
		const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
		const table = readme.split("<!-- errors:start -->")[1]!.split("<!-- errors:end -->")[0]!;
		const rows = table
			.trim()
			.split("\n")
			.slice(2)
			.map((r) => {
				const [code, status, meaning] = r.slice(2, -2).split(" | ");
				return [code!.replace(/`/g, ""), status, meaning];
			});
		expect(rows).toEqual(
			Object.entries(HTTP_ERROR_CODES).map(([code, v]) => [code, String(v.status), v.meaning]),
		);
	});
});
