import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	API_REFERENCE,
	KeysConfigError,
	ReferenceKeys,
	referenceUrl,
	type XshlTarget,
} from "../src/index";
import { json, makeKey, startServer, type TestKey, type TestServer } from "./helpers";

const target: XshlTarget = {
	spot: "acme",
	base: "prod",
	entity: "auth",
	"@context": { source: "keys", path: "session/v2", ext: ".json" },
};

function configError(fn: () => unknown): KeysConfigError {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(KeysConfigError);
		expect((e as KeysConfigError).code).toBe("ERR_KEYS_CONFIG_INVALID");
		return e as KeysConfigError;
	}
	throw new Error("expected a KeysConfigError");
}

describe("referenceUrl", () => {
	it("expands API_REFERENCE joined to the trust URL (path segments kept, values encoded)", () => {
		expect(API_REFERENCE).toBe("/{version}/{source}/{path}{ext}?target={spot}:{entity}@{base}");
		expect(referenceUrl(target, "https://trust.example").href).toBe(
			"https://trust.example/1/keys/session/v2.json?target=acme:auth@prod",
		);
		expect(referenceUrl(target, "https://trust.example/api", API_REFERENCE, 2).href).toBe(
			"https://trust.example/api/2/keys/session/v2.json?target=acme:auth@prod",
		);
		expect(
			referenceUrl(
				{ ...target, spot: "a&b=c", entity: "x y", base: "p/q#r", "@id": "i?d", "@type": "T" },
				"https://trust.example/",
				"/{type}/{id}?t={spot}:{entity}@{base}",
			).href,
		).toBe("https://trust.example/T/i%3Fd?t=a%26b%3Dc:x%20y@p%2Fq%23r");
	});

	it("names a missing required field", () => {
		for (const field of ["spot", "base", "entity"] as const) {
			const { [field]: _gone, ...rest } = target;
			const e = configError(() => referenceUrl(rest as XshlTarget, "https://trust.example"));
			expect(e.issues[0]).toEqual({
				path: `target.${field}`,
				message: `target.${field} is required (a non-empty string)`,
			});
			expect(e.message).toContain(`target.${field} is required`);
		}
		expect(
			configError(() => referenceUrl({ ...target, spot: "" }, "https://t.example")).issues[0]!.path,
		).toBe("target.spot");
	});

	it("refuses unknown placeholders, missing values, dot segments and anything that leaves the trust origin", () => {
		expect(configError(() => referenceUrl(target, "https://t.example", "/{nope}")).message).toBe(
			"template has an unknown placeholder {nope}",
		);
		expect(configError(() => referenceUrl(target, "https://t.example", "/{id}")).message).toBe(
			"template uses {id} but the target has no value for it",
		);
		expect(
			configError(() =>
				referenceUrl(
					{ ...target, "@context": { source: "k", path: "../../admin" } },
					"https://t.example",
				),
			).message,
		).toBe("target @context.path must not contain . or .. segments");
		// a protocol-relative template is joined as a path, so it stays on the trust origin
		expect(referenceUrl(target, "https://t.example", "//evil.example/{spot}").href).toBe(
			"https://t.example/evil.example/acme",
		);
		expect(
			configError(() => referenceUrl(target, "https://t.example", "https://evil.example/{spot}"))
				.message,
		).toBe("the reference URL must keep the trust URL's origin");
		// a value can never smuggle a host: it is encoded
		expect(
			referenceUrl({ ...target, spot: "//evil.example" }, "https://t.example", "/{spot}").href,
		).toBe("https://t.example/%2F%2Fevil.example");
		expect(configError(() => referenceUrl(target, "ftp://t.example")).issues[0]!.path).toBe(
			"trustUrl",
		);
	});
});

describe("ReferenceKeys", () => {
	let s: TestServer;
	let A: TestKey;
	beforeAll(async () => {
		A = await makeKey("a");
		s = await startServer(json({ keys: [A.publicJwk] }));
	});
	afterAll(() => s.close());

	it("is a RemoteKeySet on the built URL", async () => {
		const keys = new ReferenceKeys({ name: "session_name", trustUrl: s.origin, target });
		expect(keys.url.href).toBe(`${s.origin}/1/keys/session/v2.json?target=acme:auth@prod`);
		await keys.load();
		expect(s.paths.at(-1)).toBe("/1/keys/session/v2.json?target=acme:auth@prod");
		expect(keys.get("a")).toBeInstanceOf(CryptoKey);
		expect(keys.target).toEqual(target);
		keys.close();
	});

	it("validates the inherited options too", () => {
		expect(
			configError(() => new ReferenceKeys({ name: "", trustUrl: s.origin, target })).issues[0]!
				.path,
		).toBe("name");
	});
});
