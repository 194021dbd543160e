// KeyRing events → span `xshl.ring.rotate`, counters of rotations, withdrawals, expiries.
import type { KeyRingLike } from "../sources";
import type { Telemetry } from "./telemetry";

export function attachRing(ring: KeyRingLike, t: Telemetry): Array<() => void> {
	const m = t.meter;
	const rotations = m.createCounter("xshl.ring.rotations", {
		description: "Key ring rotations, one per key use switched.",
		unit: "{rotation}",
	});
	const withdrawals = m.createCounter("xshl.ring.withdrawals", {
		description: "Keys withdrawn from the ring at once, by use and state.",
		unit: "{key}",
	});
	const expirations = m.createCounter("xshl.ring.expirations", {
		description: "Retired keys that left the JWKS at the end of their grace.",
		unit: "{key}",
	});
	return [
		ring.on("rotate", (e) => {
			for (const r of e.rotations) rotations.add(1, { "xshl.key.use": r.use });
			const now = Date.now();
			t.span("xshl.ring.rotate", now, now, {
				"xshl.ring.uses": e.rotations.map((r) => r.use),
				// kids are public (RFC 7638 thumbprints, in the JWKS)
				"xshl.ring.active_kids": e.rotations.map((r) => r.activeKid),
				"xshl.ring.switch_at": e.at,
			});
		}),
		ring.on("withdraw", (e) =>
			withdrawals.add(1, { "xshl.key.use": e.use, "xshl.key.state": e.state }),
		),
		ring.on("expire", (e) => expirations.add(1, { "xshl.key.use": e.use })),
	];
}
