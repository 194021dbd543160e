import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type Served } from "../src/adapters";
import { normalize } from "../src/normalize";
import {
	FRAMEWORK_BODY,
	issuerOptions,
	type Login,
	page,
	type ResourceControl,
	ROWS,
	resourceOptions,
	type Target,
} from "../src/table";

for (const adapter of ADAPTERS) {
	describe(`${adapter.name}`, () => {
		const control: ResourceControl = { revoked: new Set(), feed: new Set(), skewMs: 0 };
		let issuer: Served;
		let resource: Served;
		let target: Target;
		beforeAll(async () => {
			issuer = await adapter.issuer(issuerOptions());
			resource = await adapter.resource(resourceOptions(control));
			target = {
				issuer: issuer.base,
				resource: resource.base,
				control,
				async login(username = "alice"): Promise<Login> {
					const res = await fetch(`${issuer.base}/auth/login`, {
						method: "POST",
						headers: page,
						body: JSON.stringify({ username, password: "pw" }),
					});
					if (res.status !== 200) throw new Error(`login: ${res.status}`);
					const body = (await res.json()) as { access_token: string; sid: string };
					const cookie = res.headers
						.getSetCookie()
						.map((c) => c.split(";")[0])
						.join("; ");
					return { token: body.access_token, sid: body.sid, cookie };
				},
			};
		});
		afterAll(async () => {
			await issuer?.close();
			await resource?.close();
		});
		for (const row of ROWS) {
			it(row.name, async () => {
				const got = await normalize(await row.run(target));
				if (row.expect.body === FRAMEWORK_BODY)
					expect({ ...got, body: FRAMEWORK_BODY }).toEqual(row.expect);
				else expect(got).toEqual(row.expect);
			});
		}
	});
}
