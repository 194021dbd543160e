// Reading a RemoteKeySet snapshot back: shape only (the keys are checked like fetched ones).
import * as z from "zod";
import type { KeySetSnapshot } from "../remote-key-set-types";
import { zodConfigError } from "./config-error";

const Snapshot = z.object({
	jwks: z.object({ keys: z.array(z.unknown()).max(1000) }),
	fetchedAt: z.number().int().nonnegative(),
	freshMs: z.number().int().nonnegative(),
	etag: z.string().optional(),
	lastModified: z.string().optional(),
});

/**
 * @returns the snapshot, shape-checked.
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues.
 */
export function parseKeySetSnapshot(snapshot: unknown): KeySetSnapshot {
	const r = Snapshot.safeParse(snapshot);
	if (!r.success) throw zodConfigError("invalid key set snapshot", r.error);
	return r.data as KeySetSnapshot;
}
