// Runtime detection, as jose does it: workerd (Cloudflare Workers) and Vercel Edge forbid a
// request to await I/O started by another request.

/** Whether the current runtime isolates requests' I/O (workerd, Vercel Edge). */
export function isolatedRequestRuntime(): boolean {
	const g = globalThis as {
		WebSocketPair?: unknown;
		EdgeRuntime?: unknown;
		navigator?: { userAgent?: string };
	};
	return (
		typeof g.WebSocketPair !== "undefined" ||
		g.navigator?.userAgent === "Cloudflare-Workers" ||
		typeof g.EdgeRuntime === "string"
	);
}
