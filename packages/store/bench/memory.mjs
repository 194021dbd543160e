// Memory held by MemoryStore per 100 000 families (run on the built package:
// `node --expose-gc bench/memory.mjs`). Measures heapUsed after a full GC, before and after.
import { MemoryStore } from "@xshl/session-store";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const gc = /** @type {() => void} */ (globalThis.gc);
const N = 100_000;
const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

function heap() {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

const store = new MemoryStore();
const before = heap();
const tokens = [];
for (let i = 0; i < N; i++) {
	const r = await store.login({
		sub: `user-${i % 20_000}`,
		trace: "3f0c2d7e-8a41-5b9e-9c1d-6e2f4a7b8c90",
		client: { userAgent: UA, ip: "203.0.113.9" },
	});
	tokens.push(r.refreshToken);
}
const tokenBytes = tokens.reduce((n, t) => n + t.length, 0);
const afterLogin = heap();
for (let i = 0; i < N; i++) {
	tokens[i] = (
		await store.rotate(/** @type {string} */ (tokens[i]), {
			trace: "3f0c2d7e-8a41-5b9e-9c1d-6e2f4a7b8c90",
		})
	).refreshToken;
}
const afterRotate = heap();
const mib = (/** @type {number} */ b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
// the test harness keeps the tokens array alive; subtract its approximate size (2 bytes/char + header)
const tokensHeld = tokenBytes + N * 32;
console.log(`families: ${store.stats().families}, users: ${store.stats().users}`);
console.log(
	`after login (generation 0): ${mib(afterLogin - before - tokensHeld)} per ${N} families`,
);
console.log(
	`after one rotation each (+ previous hash, sealed successor): ${mib(afterRotate - before - tokensHeld)} per ${N} families`,
);

// Hostile volume (issue 12 §4): 100 000 logins of ONE user. Only the live families (the cap,
// 50) and as many tombstones stay; evicted sids sit in the denylist for AT TTL + leeway.
const flood = new MemoryStore();
const beforeFlood = heap();
for (let i = 0; i < N; i++) await flood.login({ sub: "one-user", trace: "T" });
const afterFlood = heap();
console.log(
	`100 000 logins of one user: ${mib(afterFlood - beforeFlood)}, stats ${JSON.stringify(flood.stats())}`,
);
