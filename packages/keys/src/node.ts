/// <reference types="node" />
/**
 * Node-only helper: a `fetch` built on `node:https` that trusts a custom CA (or presents a
 * client certificate), for `RemoteKeySet`'s `fetch` option. Node's global `fetch` cannot take
 * a CA without the `undici` package; this needs nothing but Node.
 *
 * Import from `@xshl/keys/node`.
 *
 * @module
 */

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import process from "node:process";
import { Readable } from "node:stream";
import * as z from "zod";
import { configIssue, zodConfigError } from "./internal/config-error";
import type { FetchLike } from "./internal/http";

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
	/** Extra trusted CA certificates (PEM). Node's default roots are replaced by these. @default undefined (Node's roots) */
	ca?: string | string[];
	/** Client certificate (PEM) for mTLS. @default undefined */
	cert?: string;
	/** Client private key (PEM) for mTLS. @default undefined */
	key?: string;
	/**
	 * Turn TLS verification off. Refused unless `NODE_ENV === "test"`, and it prints a
	 * warning (`process.emitWarning`) every time a fetch function is created with it.
	 * The original's `verify_tls=False` maps here.
	 * @default false
	 */
	dangerouslyDisableTlsVerification?: boolean;
}

const Options = z.object({
	ca: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
	cert: z.string().min(1).optional(),
	key: z.string().min(1).optional(),
	dangerouslyDisableTlsVerification: z.boolean().default(false),
});

/**
 * Create a `fetch` for {@link RemoteKeySet} that uses `node:https` with a custom CA, mTLS,
 * or (in tests only) no TLS verification. It supports what the key set needs: GET, headers,
 * an `AbortSignal`, a streamed body, and no redirect following (the key set follows
 * same-origin redirects itself).
 *
 * @param options - `ca`, `cert`/`key`, `dangerouslyDisableTlsVerification`.
 * @returns a fetch function.
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` on invalid options, or when
 *   `dangerouslyDisableTlsVerification` is set while `NODE_ENV` is not `test`.
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import { RemoteKeySet } from '@xshl/keys'
 * import { createNodeFetch } from '@xshl/keys/node'
 * const keys = new RemoteKeySet({
 *   name: 'session_name',
 *   url: 'https://idp.internal/jwks.json',
 *   fetch: createNodeFetch({ ca: readFileSync('/etc/ssl/internal-ca.pem', 'utf8') }),
 * })
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchLike {
	const parsed = Options.safeParse(options);
	if (!parsed.success) throw zodConfigError("invalid createNodeFetch options", parsed.error);
	const o = parsed.data;
	if (o.dangerouslyDisableTlsVerification) {
		if (process.env.NODE_ENV !== "test")
			throw configIssue(
				"dangerouslyDisableTlsVerification is only allowed when NODE_ENV is test",
				"dangerouslyDisableTlsVerification",
			);
		process.emitWarning(
			"@xshl/keys: TLS verification is DISABLED for a JWKS fetch (dangerouslyDisableTlsVerification). Never do this in production.",
			{ code: "XSHL_KEYS_INSECURE_TLS" },
		);
	}
	return (input, init) =>
		new Promise<Response>((resolve, reject) => {
			const url = new URL(input);
			const signal = init.signal ?? undefined;
			if (signal?.aborted) return reject(signal.reason);
			const headers: Record<string, string> = {};
			new Headers(init.headers).forEach((v, k) => {
				headers[k] = v;
			});
			const common = { method: init.method ?? "GET", headers };
			const req =
				url.protocol === "https:"
					? httpsRequest(url, {
							...common,
							ca: o.ca,
							cert: o.cert,
							key: o.key,
							rejectUnauthorized: !o.dangerouslyDisableTlsVerification,
						})
					: httpRequest(url, common);
			const onAbort = (): void => {
				req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
			};
			signal?.addEventListener("abort", onAbort, { once: true });
			req.on("error", (e) => {
				signal?.removeEventListener("abort", onAbort);
				reject(e);
			});
			req.on("response", (res) => {
				res.on("close", () => signal?.removeEventListener("abort", onAbort));
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers)) {
					if (v === undefined) continue;
					for (const item of Array.isArray(v) ? v : [v]) h.append(k, item);
				}
				const status = res.statusCode ?? 0;
				const nullBody = status === 204 || status === 304 || init.method === "HEAD";
				if (nullBody) res.resume();
				resolve(
					new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
						status,
						headers: h,
					}),
				);
			});
			req.end();
		});
}
