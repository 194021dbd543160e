// Quick start for @xshl/session-store: run with `node examples/quick-start.mjs` after `pnpm build`.
import { MemoryStore } from "@xshl/session-store";

/** @type {string[]} */
const events = [];
const store = new MemoryStore();
for (const type of /** @type {const} */ ([
	"login",
	"refresh",
	"refresh.reuse_detected",
	"revoke",
])) {
	store.on(type, () => events.push(type));
}

// Login: one family per login; hand the refresh token to the client (an HttpOnly cookie).
const login = await store.login({ sub: "alice", trace: "trace-of-this-browser" });
console.log("login generation:", login.generation);

// Refresh: every use rotates; the old token becomes the "predecessor".
const next = await store.rotate(login.refreshToken, { trace: "trace-of-this-browser" });
console.log("rotated to generation:", next.generation);

// A racing tab presenting the predecessor within 10 s gets the SAME successor, not a sibling.
const racing = await store.rotate(login.refreshToken, { trace: "trace-of-this-browser" });
console.log(
	"grace replay, same successor:",
	racing.replay && racing.refreshToken === next.refreshToken,
);

// A stolen old token used from elsewhere revokes the whole family.
try {
	await store.rotate(login.refreshToken, { trace: "attacker" });
} catch (e) {
	console.log("reuse:", /** @type {import("@xshl/session-store").StoreError} */ (e).code);
}
try {
	await store.rotate(next.refreshToken, { trace: "trace-of-this-browser" });
} catch (e) {
	console.log("family:", /** @type {import("@xshl/session-store").StoreError} */ (e).code);
}

// Critical operations check the access token online in one call (jti, sid, user epoch).
const status = await store.isRevoked({
	sub: "alice",
	sid: login.sid,
	iat: Math.floor(Date.now() / 1000),
});
console.log("access token revoked:", status.revoked, status.reason);
console.log("events:", events.join(" "));
