import express from "express";
import { version } from "express/package.json";
import { describe, expect, it } from "vitest";
import { xshl } from "../src/index";
import { issuerOptions } from "./helpers/index";

// The suites run twice (vitest.config.ts): on Express 5 and, aliased, on Express 4.
const major = process.env.XSHL_EXPRESS_MAJOR;

describe("the Express under test", () => {
	it(`is major ${major}, for the tests and for the package's own Router`, () => {
		expect(version.split(".")[0]).toBe(major);
		const { router } = xshl(issuerOptions());
		// Express 4's routers inherit from the Router function itself; Express 5's are instances
		if (major === "4") expect(Object.getPrototypeOf(router)).toBe(express.Router);
		else expect(router).toBeInstanceOf(express.Router);
	});
});
