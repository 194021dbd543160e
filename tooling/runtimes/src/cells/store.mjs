// A MemoryStore rotation: login, rotate, the grace replay, reuse detection, the revoked family.
import { MemoryStore } from "@xshl/session-store";

export async function store() {
	const memory = new MemoryStore();
	const events = [];
	for (const type of ["login", "refresh", "refresh.reuse_detected", "revoke"])
		memory.on(type, () => events.push(type));
	const login = await memory.login({ sub: "alice", trace: "t-browser" });
	const next = await memory.rotate(login.refreshToken, { trace: "t-browser" });
	const racing = await memory.rotate(login.refreshToken, { trace: "t-browser" });
	const reuse = await memory.rotate(login.refreshToken, { trace: "attacker" }).then(
		() => "accepted",
		(e) => e.code,
	);
	const family = await memory.rotate(next.refreshToken, { trace: "t-browser" }).then(
		() => "accepted",
		(e) => e.code,
	);
	return {
		generations: [login.generation, next.generation],
		graceReplay: racing.replay === true && racing.refreshToken === next.refreshToken,
		reuse,
		family,
		events,
	};
}
