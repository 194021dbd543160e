// Reading a RemoteKeySet snapshot back: shape only (the keys are checked like fetched ones).
import * as z from "zod/v4/mini";
import type { KeySetSnapshot } from "../remote-key-set-types";
import { zodConfigError } from "./config-error";
import { PARSE } from "./zod-parse";

const Snapshot = z.object({
	jwks: z.object({ keys: z.array(z.unknown()).check(z.maxLength(1000)) }),
	fetchedAt: z.int().check(z.nonnegative()),
	freshMs: z.int().check(z.nonnegative()),
	etag: z.optional(z.string()),
	lastModified: z.optional(z.string()),
});

/**
 * @returns the snapshot, shape-checked.
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` with the zod issues.
 */
export function parseKeySetSnapshot(snapshot: unknown): KeySetSnapshot {
	const r = Snapshot.safeParse(snapshot, PARSE);
	if (!r.success) throw zodConfigError("invalid key set snapshot", r.error);
	return r.data as KeySetSnapshot;
}
