import { describe, expect, it } from "vitest";
import { type LockManagerLike, SessionClient, SessionClientError } from "../src/client";
import { fixture, UA } from "./helpers/server";

/** One browser's Web Locks: exclusive locks by name, granted in request order. */
function browserLocks(): LockManagerLike {
	const tails = new Map<string, Promise<unknown>>();
	return {
		request<T>(name: string, callback: () => Promise<T>): Promise<T> {
			const prev = tails.get(name) ?? Promise.resolve();
			const next = prev.then(callback, callback);
			tails.set(
				name,
				next.catch(() => {}),
			);
			return next;
		},
	};
}

/** One browser's cookie jar and same-origin fetch into the server's router. */
async function browser() {
	const f = await fixture();
	const jar = new Map<string, string>();
	const wire: string[] = [];
	const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
		const url = String(input);
		wire.push(`${init?.method ?? "GET"} ${url}`);
		const headers = new Headers(init?.headers);
		headers.set("user-agent", UA);
		headers.set("sec-fetch-site", "same-origin");
		if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
		const res = await f.server.handle(
			new Request(`https://issuer.example${url}`, { ...init, headers }),
		);
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(";");
			const at = pair!.indexOf("=");
			const v = pair!.slice(at + 1);
			if (v === "") jar.delete(pair!.slice(0, at));
			else jar.set(pair!.slice(0, at), v);
		}
		return res;
	}) as typeof fetch;
	const locks = browserLocks();
	const channelName = `xshl-test-${Math.random()}`;
	const tab = () =>
		new SessionClient({
			fetch: fetchFn,
			locks,
			channel: new BroadcastChannel(channelName) as never,
			now: () => f.clock.now,
			autoRefresh: false,
		});
	return { ...f, wire, tab, jar };
}

describe("SessionClient", () => {
	it("logs in, keeps the token in memory and sends it as a bearer", async () => {
		const b = await browser();
		const tab = b.tab();
		const t = await tab.login("alice", "correct horse");
		expect(t.expiresAt).toBe(b.clock.now + 120_000);
		expect(tab.token?.accessToken).toBe(t.accessToken);
		const res = await tab.fetch("/auth/sessions");
		expect(res.status).toBe(200);
		expect(b.wire).toEqual(["POST /auth/login", "GET /auth/sessions"]);
		tab.close();
	});

	it("five tabs refreshing together put one refresh on the wire and all get its token", async () => {
		const b = await browser();
		const tabs = Array.from({ length: 5 }, () => b.tab());
		await tabs[0]!.login("alice", "correct horse");
		b.wire.length = 0;
		const results = await Promise.all(tabs.map((t) => t.refresh()));
		expect(b.wire).toEqual(["POST /auth/refresh"]);
		expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
		for (const t of tabs) t.close();
	});

	it("a tab opened after another refreshed takes that tab's token instead of refreshing", async () => {
		const b = await browser();
		const first = b.tab();
		await first.login("alice", "correct horse");
		b.wire.length = 0;
		const late = b.tab();
		const t = await late.refresh();
		expect(t.accessToken).toBe(first.token!.accessToken);
		expect(b.wire).toEqual([]);
		first.close();
		late.close();
	});

	it("a refused refresh ends the session in every tab", async () => {
		const b = await browser();
		const [one, two] = [b.tab(), b.tab()];
		await one.login("alice", "correct horse");
		b.jar.delete("__Secure-xshl-rt");
		const ended = new Promise((r) => two.on("logout", r));
		const e = await one.refresh().catch((x: unknown) => x);
		expect(e).toBeInstanceOf(SessionClientError);
		expect((e as SessionClientError).code).toBe("ERR_HTTP_REFRESH_MISSING");
		expect(await ended).toEqual({ reason: "refresh_failed" });
		expect(one.token).toBeUndefined();
		one.close();
		two.close();
	});

	it("wrong credentials reject with the server's code", async () => {
		const b = await browser();
		const tab = b.tab();
		const e = await tab.login("alice", "nope").catch((x: unknown) => x);
		expect((e as SessionClientError).status).toBe(401);
		expect((e as SessionClientError).code).toBe("ERR_HTTP_INVALID_CREDENTIALS");
		tab.close();
	});
});
