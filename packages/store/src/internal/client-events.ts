// Bridges the ioredis client's own error events to the store's `error` event: `error`
// (connection lost, refused, reset) and, on a Cluster, `node error` (one node failed).
import type { StoreEvents } from "../contract";

interface EventSource {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	off?(event: string, listener: (...args: unknown[]) => void): unknown;
	removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

function asError(value: unknown): Error {
	return value instanceof Error ? value : new Error(String(value));
}

/** Subscribes to the client's error events; returns the function that unsubscribes. */
export function bridgeClientErrors(
	client: unknown,
	emit: (event: StoreEvents["error"]) => void,
): () => void {
	const c = client as Partial<EventSource> | null;
	if (typeof c?.on !== "function") return () => undefined;
	const source = c as EventSource;
	const onError = (error: unknown): void =>
		emit({ at: Date.now(), source: "client", error: asError(error) });
	const onNodeError = (error: unknown, address: unknown): void =>
		emit({
			at: Date.now(),
			source: "node",
			error: asError(error),
			...(typeof address === "string" ? { address } : {}),
		});
	source.on("error", onError);
	source.on("node error", onNodeError);
	return () => {
		const off = (source.off ?? source.removeListener)?.bind(source);
		off?.("error", onError);
		off?.("node error", onNodeError);
	};
}
