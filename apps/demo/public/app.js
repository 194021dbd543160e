// xshl demo page. No build step: plain ES module, served by the demo with a strict CSP.
// The access token is kept in memory; the refresh token is an HttpOnly cookie the page
// never sees. Cookie routes get the custom CSRF header `X-XSHL-Request: 1`.

import { SessionClient } from "/xshl-client.js";

const $ = (id) => document.getElementById(id);
const state = {
	token: "",
	claims: null,
	header: null,
	kid: "",
	refreshTimer: 0,
	refreshes: 0,
	name: "",
};
// Set while this browser has a session: a first visit never probes the refresh cookie (a 401
// would be logged in the console); the cookie itself is HttpOnly and invisible here.
const SESSION_HINT = "xshl-demo.session";

// One line per claim: what it is for. trace, sid, version and auth_time are xshl's own.
const NOTES = {
	iss: "issuer: the app (a UUID) that signed the token",
	sub: "subject: the user's id",
	aud: "audience: the services that accept this token",
	exp: "expiry: refused from this second on",
	nbf: "not before: refused until this second",
	iat: "issued at",
	jti: "token id: one per token, the key of the denylist",
	sid: "session id: derived from the key set name and the trace; every token of this login on this browser has it",
	trace:
		"binds the token to this browser (per-login salt cookie + user agent): a copied token fails elsewhere",
	version:
		"token format version: a token of another version is refused (raise it to retire every token)",
	auth_time:
		"when the password was last entered: critical operations ask for a new login when it is too old",
	scope: "what the token may be used for",
	roles: "the user's roles (admin may rotate keys)",
	trp: "trace parts: the recipe and a short digest of each part (which part changed, when a trace fails)",
	alg: "signature algorithm",
	kid: "key id: the JWKS key that verifies the signature",
	typ: "token type: only xshl session tokens are accepted",
};
const TIME_CLAIMS = new Set(["exp", "nbf", "iat", "auth_time"]);

const pad = (n) => String(n).padStart(2, "0");
/** Local date and time, `2026-12-02 09:45:12`. */
function absolute(seconds) {
	const d = new Date(seconds * 1000);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
/** `in 1 min 58 s`, `3 s ago`, `now`. */
function relative(seconds, nowMs = Date.now()) {
	const diff = seconds - Math.floor(nowMs / 1000);
	if (diff === 0) return "now";
	let left = Math.abs(diff);
	const parts = [];
	for (const [unit, size] of [
		["d", 86400],
		["h", 3600],
		["min", 60],
	]) {
		if (left >= size) {
			parts.push(`${Math.floor(left / size)} ${unit}`);
			left %= size;
		}
	}
	if (left > 0 || parts.length === 0) parts.push(`${left} s`);
	return diff > 0 ? `in ${parts.join(" ")}` : `${parts.join(" ")} ago`;
}

function log(text, cls = "") {
	const li = document.createElement("li");
	li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
	if (cls) li.className = cls;
	$("log").prepend(li);
}

function b64urlJson(part) {
	const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
	const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
	const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
	return JSON.parse(new TextDecoder().decode(bytes));
}

async function cookieRoute(path, body) {
	return fetch(path, {
		method: "POST",
		credentials: "same-origin",
		headers: {
			"content-type": "application/json",
			"x-xshl-request": "1",
			...(state.token ? { authorization: `Bearer ${state.token}` } : {}),
		},
		body: JSON.stringify(body ?? {}),
	});
}

async function errorText(res) {
	try {
		const j = await res.json();
		return j.error ? `${res.status} ${j.error.code}: ${j.error.message}` : `${res.status}`;
	} catch {
		return `${res.status}`;
	}
}

function el(tag, className, text) {
	const e = document.createElement(tag);
	if (className) e.className = className;
	if (text !== undefined) e.textContent = text;
	return e;
}

// The compact JWS in three colours: header . payload . signature.
function renderEncoded(token) {
	const [h, p, sig] = token.split(".");
	$("token-encoded").replaceChildren(
		el("span", "seg-header", h),
		el("span", "dot", "."),
		el("span", "seg-payload", p),
		el("span", "dot", "."),
		el("span", "seg-signature", sig),
	);
}

function valueCell(name, value) {
	const td = el("td");
	const line = el("div", "value");
	if (TIME_CLAIMS.has(name) && typeof value === "number") {
		line.append(
			el("code", "", String(value)),
			" ",
			el("span", "abs", absolute(value)),
			" ",
			el("span", "rel", relative(value)),
		);
		line.dataset.time = String(value);
	} else if (name === "sub") {
		line.append(el("code", "", String(value)));
		if (state.name) line.append(" ", el("span", "user-name", state.name));
	} else {
		line.append(el("code", "", typeof value === "string" ? value : JSON.stringify(value)));
	}
	td.append(line);
	if (NOTES[name]) td.append(el("div", "note", NOTES[name]));
	return td;
}

function renderTable(id, object) {
	const tbody = $(id).querySelector("tbody");
	tbody.replaceChildren();
	for (const [name, value] of Object.entries(object)) {
		const tr = el("tr");
		tr.dataset.claim = name;
		const th = el("th");
		th.scope = "row";
		th.append(el("code", "", name));
		tr.append(th, valueCell(name, value));
		tbody.append(tr);
	}
}

function renderTables() {
	renderTable("header-table", state.header);
	renderTable("claims-table", state.claims);
}

// The server verifies the signature (and the trace): GET /api/me answering 200 is the proof.
async function checkSignature() {
	const token = state.token;
	const badge = $("verified");
	badge.className = "badge pending";
	badge.textContent = "checking the signature…";
	const res = await fetch("/api/me", { headers: { authorization: `Bearer ${token}` } });
	if (token !== state.token) return;
	if (res.ok) {
		const me = await res.json();
		badge.className = "badge ok";
		badge.textContent = "✓ signature verified by the server";
		if (me.user?.name && me.user.name !== state.name) {
			state.name = me.user.name;
			renderTables();
		}
	} else {
		badge.className = "badge bad";
		badge.textContent = `✗ not verified: ${await errorText(res)}`;
	}
}

function setToken(body) {
	const previousKid = state.kid;
	state.token = body.access_token;
	const [h, p] = state.token.split(".");
	state.header = b64urlJson(h);
	state.claims = b64urlJson(p);
	state.kid = state.header.kid ?? "";
	localStorage.setItem(SESSION_HINT, "1");
	$("token-header").textContent = JSON.stringify(state.header, null, 2);
	$("token-claims").textContent = JSON.stringify(state.claims, null, 2);
	renderEncoded(state.token);
	renderTables();
	void checkSignature();
	$("sid").textContent = state.claims.sid;
	$("trace").textContent = state.claims.trace;
	$("auth-time").textContent = new Date(state.claims.auth_time * 1000).toLocaleTimeString();
	$("kid").textContent = state.kid;
	if (previousKid && previousKid !== state.kid) {
		$("kid-changed").hidden = false;
		log(`key id changed: ${previousKid.slice(0, 8)}… → ${state.kid.slice(0, 8)}…`);
	}
	$("status").textContent = "logged in";
	$("login-panel").hidden = true;
	$("session-panel").hidden = false;
	scheduleRefresh();
}

function loggedOut(reason) {
	clearTimeout(state.refreshTimer);
	Object.assign(state, { token: "", claims: null, header: null, name: "" });
	localStorage.removeItem(SESSION_HINT);
	$("status").textContent = "logged out";
	$("countdown").textContent = "–";
	$("login-panel").hidden = false;
	$("session-panel").hidden = true;
	if (reason) log(reason);
}

// Refresh a little before expiry: at 2/3 of the lifetime, at most 20 s early.
function scheduleRefresh() {
	clearTimeout(state.refreshTimer);
	const ttl = state.claims.exp - state.claims.iat;
	const lead = Math.min(20, Math.max(2, Math.floor(ttl / 3)));
	const due = (state.claims.exp - lead) * 1000 - Date.now();
	state.refreshTimer = setTimeout(() => void silentRefresh(), Math.max(1000, due));
}

// @xshl/http's browser client: one refresh per browser (Web Locks), and the new token reaches
// the other tabs of this page over BroadcastChannel. The page keeps its own timer.
// the page schedules refreshes itself (at most 20 s, at least 2 s before expiry)
const session = new SessionClient({ autoRefresh: false, refreshBeforeMs: 2_000 });
session.on("token", (t) => {
	if (t.accessToken !== state.token) setToken({ access_token: t.accessToken });
});
session.on("logout", ({ reason }) => {
	if (state.token && reason === "logout") loggedOut("logged out in another tab");
});

async function refresh(quiet = false) {
	try {
		await session.refresh();
		return true;
	} catch (err) {
		loggedOut(quiet ? "" : `refresh failed: ${err.status ?? ""} ${err.code ?? ""}: ${err.message}`);
		return false;
	}
}

async function silentRefresh() {
	if (await refresh()) {
		state.refreshes += 1;
		$("refresh-count").textContent = String(state.refreshes);
		log("silent refresh: new access token");
		void loadSessions();
	}
}

// Bearer call; on 401 refresh once and retry.
async function api(method, path, body) {
	const call = () =>
		fetch(path, {
			method,
			headers: {
				authorization: `Bearer ${state.token}`,
				...(body ? { "content-type": "application/json" } : {}),
			},
			body: body ? JSON.stringify(body) : undefined,
		});
	let res = await call();
	if (res.status === 401 && state.token) {
		log(`${method} ${path}: 401, refreshing and retrying`);
		if (await refresh()) res = await call();
	}
	return res;
}

async function loadSessions() {
	if (!state.token) return;
	const res = await api("GET", "/auth/sessions");
	if (!res.ok) return log(`sessions: ${await errorText(res)}`, "error");
	const { sessions } = await res.json();
	const tbody = $("sessions").querySelector("tbody");
	tbody.replaceChildren();
	for (const s of sessions) {
		const tr = document.createElement("tr");
		if (s.current) tr.className = "current";
		const cells = [
			s.sid.slice(0, 8) + (s.current ? " (this device)" : ""),
			[s.browser, s.os, s.ipPrefix].filter(Boolean).join(" · ") || "–",
			new Date(s.createdAt).toLocaleTimeString(),
			new Date(s.lastUsedAt).toLocaleTimeString(),
		];
		for (const c of cells) {
			const td = document.createElement("td");
			td.textContent = c;
			tr.append(td);
		}
		const td = document.createElement("td");
		const btn = document.createElement("button");
		btn.type = "button";
		btn.textContent = "log out this device";
		btn.addEventListener("click", async () => {
			const r = await api("DELETE", `/auth/sessions/${encodeURIComponent(s.sid)}`);
			log(
				`end session ${s.sid.slice(0, 8)}: ${r.ok ? "ok" : await errorText(r)}`,
				r.ok ? "" : "error",
			);
			if (s.current && r.ok) return loggedOut("this session ended");
			void loadSessions();
		});
		td.append(btn);
		tr.append(td);
		tbody.append(tr);
	}
}

function tick() {
	if (state.claims) {
		const left = Math.max(0, state.claims.exp - Math.floor(Date.now() / 1000));
		$("countdown").textContent = String(left);
		for (const v of document.querySelectorAll(".claims .value[data-time]")) {
			v.querySelector(".rel").textContent = relative(Number(v.dataset.time));
		}
	}
}

// The revocation feed this instance follows: its state and the last propagation time.
async function loadFeed() {
	const res = await fetch("/api/feed-status");
	if (!res.ok) return;
	const status = await res.json();
	$("feed").hidden = false;
	$("feed-state").textContent = status.health?.state ?? "unknown";
	const last = status.lastRevocation;
	$("feed-propagation").textContent = last
		? `· last revocation reached this instance in ${last.propagationMs} ms (${absolute(Math.floor(last.seenAt / 1000))})`
		: "· no revocation seen since start";
}

$("login-form").addEventListener("submit", async (ev) => {
	ev.preventDefault();
	state.refreshes = 0;
	$("refresh-count").textContent = "0";
	$("kid-changed").hidden = true;
	try {
		// the client keeps the token (and shares it with the other tabs); its "token" event sets it here
		await session.login($("username").value, $("password").value);
	} catch (err) {
		return log(`login failed: ${err.status} ${err.code}: ${err.message}`, "error");
	}
	log(`logged in as ${$("username").value}`);
	void loadSessions();
});

$("btn-me").addEventListener("click", async () => {
	const res = await api("GET", "/api/me");
	log(
		`GET /api/me: ${res.ok ? "200 verified offline" : await errorText(res)}`,
		res.ok ? "" : "error",
	);
	if (res.ok) void checkSignature();
});
$("btn-transfer").addEventListener("click", async () => {
	const res = await api("POST", "/api/transfer", { to: "bob", amount: 10 });
	log(
		`POST /api/transfer: ${res.ok ? "200 (store checked)" : await errorText(res)}`,
		res.ok ? "" : "error",
	);
});
$("btn-refresh").addEventListener("click", async () => {
	if (await refresh()) log("refreshed");
});
$("btn-rotate").addEventListener("click", async () => {
	const res = await api("POST", "/admin/keys/rotate");
	if (!res.ok) return log(`rotate: ${await errorText(res)}`, "error");
	const r = await res.json();
	log(`keys rotated: new kid ${r.kid.slice(0, 8)}…; refreshing to get a token signed with it`);
	await refresh();
});
$("btn-logout").addEventListener("click", async () => {
	const res = await cookieRoute("/auth/logout");
	loggedOut(`logout: ${res.ok ? "ok" : await errorText(res)}`);
});
$("btn-logout-all").addEventListener("click", async () => {
	const res = await cookieRoute("/auth/logout-all");
	loggedOut(`logout everywhere: ${res.ok ? "ok" : await errorText(res)}`);
});

setInterval(tick, 250);
void loadFeed();
setInterval(() => void loadFeed(), 3000);
// Restore a session from the refresh cookie, when this browser had one.
if (localStorage.getItem(SESSION_HINT)) {
	void refresh(true).then((ok) => {
		if (ok) {
			log("session restored from the refresh cookie");
			void loadSessions();
		}
	});
}
