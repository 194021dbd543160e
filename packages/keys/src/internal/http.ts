// Capped JWKS fetch: timeout over headers and body, streamed size limit, content-type check,
// same-origin redirects only, bounded retries with exponential backoff and full jitter.
import {
	KeysContentTypeError,
	KeysFetchError,
	KeysFetchTimeoutError,
	KeysHttpStatusError,
	KeysJwksInvalidError,
	KeysNetworkError,
	KeysRedirectError,
	KeysResponseTooLargeError,
	KeysTlsError,
} from "../errors";

/** The subset of `fetch` this package calls. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
	fetch: FetchLike;
	timeoutMs: number;
	maxResponseBytes: number;
	headers: Record<string, string>;
	dispatcher: unknown;
	allowRedirectOrigins: ReadonlySet<string>;
	onWarning: (message: string) => void;
	onRequest: () => void;
}

export interface Conditional {
	etag?: string | undefined;
	lastModified?: string | undefined;
}

export type FetchResult =
	| { notModified: true; headers: Headers }
	| { notModified: false; body: unknown; headers: Headers };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
const TLS_CODE =
	/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME|ERR_OSSL/i;

function errorCode(e: unknown): string | undefined {
	for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
		const code = (cur as { code?: unknown }).code;
		if (typeof code === "string") return code;
		cur = (cur as { cause?: unknown }).cause;
	}
	return undefined;
}

/** A fetch failure as the typed error (timeout, TLS, network). */
export function classify(e: unknown, timedOut: boolean, timeoutMs: number): KeysFetchError {
	if (e instanceof KeysFetchError) return e;
	if (timedOut) return new KeysFetchTimeoutError(timeoutMs);
	const code = errorCode(e);
	if (code !== undefined && TLS_CODE.test(code)) return new KeysTlsError(code, { cause: e });
	return new KeysNetworkError(code, { cause: e });
}

function retryAfterMs(value: string | null): number | undefined {
	if (value === null) return undefined;
	const s = Number(value);
	if (Number.isFinite(s) && s >= 0) return s * 1000;
	const at = Date.parse(value);
	return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function discard(res: Response): void {
	if (res.body !== null) res.body.cancel().catch(() => {});
}

function checkContentType(res: Response, onWarning: (m: string) => void): void {
	const ct = res.headers.get("content-type");
	if (ct === null || ct.trim() === "") {
		onWarning("JWKS response has no content type; parsing it as JSON");
		return;
	}
	const type = (ct.split(";")[0] ?? "").trim().toLowerCase();
	if (
		type === "application/json" ||
		type === "application/jwk-set+json" ||
		/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)
	)
		return;
	discard(res);
	throw new KeysContentTypeError(type);
}

async function readCapped(res: Response, maxResponseBytes: number): Promise<Uint8Array> {
	const cl = res.headers.get("content-length");
	if (cl !== null && Number(cl) > maxResponseBytes) {
		discard(res);
		throw new KeysResponseTooLargeError(maxResponseBytes);
	}
	if (res.body === null) return new Uint8Array(0);
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxResponseBytes) {
			reader.cancel().catch(() => {});
			throw new KeysResponseTooLargeError(maxResponseBytes);
		}
		chunks.push(value);
	}
	const out = new Uint8Array(total);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}

/** One JWKS request, following at most 3 same-origin redirects. */
export async function fetchJwksOnce(
	url: URL,
	conditional: Conditional,
	o: HttpOptions,
	outer: AbortSignal,
): Promise<FetchResult> {
	const ac = new AbortController();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		ac.abort();
	}, o.timeoutMs);
	const onOuter = (): void => ac.abort();
	outer.addEventListener("abort", onOuter);
	try {
		let current = url;
		let hops = 0;
		for (;;) {
			const headers: Record<string, string> = {
				accept: "application/jwk-set+json, application/json;q=0.9",
				...o.headers,
			};
			if (conditional.etag !== undefined) headers["if-none-match"] = conditional.etag;
			if (conditional.lastModified !== undefined)
				headers["if-modified-since"] = conditional.lastModified;
			const init: RequestInit & { dispatcher?: unknown } = {
				method: "GET",
				redirect: "manual",
				headers,
				signal: ac.signal,
			};
			if (o.dispatcher !== undefined) init.dispatcher = o.dispatcher;
			let res: Response;
			o.onRequest();
			try {
				res = await o.fetch(current.href, init);
			} catch (e) {
				throw classify(e, timedOut, o.timeoutMs);
			}
			if (REDIRECTS.has(res.status)) {
				discard(res);
				const loc = res.headers.get("location");
				if (loc === null) throw new KeysHttpStatusError(res.status);
				let next: URL;
				try {
					next = new URL(loc, current);
				} catch {
					throw new KeysRedirectError("redirect with an invalid Location refused");
				}
				if (++hops > MAX_REDIRECTS)
					throw new KeysRedirectError(`more than ${MAX_REDIRECTS} redirects refused`);
				if (next.protocol !== "https:" && next.protocol !== "http:")
					throw new KeysRedirectError(`redirect to scheme ${next.protocol} refused`);
				if (current.protocol === "https:" && next.protocol !== "https:")
					throw new KeysRedirectError("redirect from https to http refused");
				if (next.origin !== url.origin && !o.allowRedirectOrigins.has(next.origin))
					throw new KeysRedirectError(
						`redirect from ${url.origin} to another origin (${next.origin}) refused; list it in allowRedirectOrigins`,
					);
				current = next;
				continue;
			}
			if (
				res.status === 304 &&
				(conditional.etag !== undefined || conditional.lastModified !== undefined)
			) {
				discard(res);
				return { notModified: true, headers: res.headers };
			}
			if (res.status !== 200) {
				discard(res);
				throw new KeysHttpStatusError(res.status, retryAfterMs(res.headers.get("retry-after")));
			}
			checkContentType(res, o.onWarning);
			let bytes: Uint8Array;
			try {
				bytes = await readCapped(res, o.maxResponseBytes);
			} catch (e) {
				throw classify(e, timedOut, o.timeoutMs);
			}
			let text: string;
			try {
				text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
			} catch (e) {
				throw new KeysJwksInvalidError("JWKS response is not UTF-8", { cause: e });
			}
			let body: unknown;
			try {
				body = JSON.parse(text);
			} catch (e) {
				throw new KeysJwksInvalidError("JWKS response is not valid JSON", { cause: e });
			}
			return { notModified: false, body, headers: res.headers };
		}
	} finally {
		clearTimeout(timer);
		outer.removeEventListener("abort", onOuter);
	}
}

export interface RetryOptions {
	retries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Total time allowed across attempts (foreground loads), in ms. */
	budgetMs: number;
	random: () => number;
	/** Called for each failed attempt that will be retried. */
	onRetry: (attempt: number, error: KeysFetchError, retryInMs: number) => void;
	signal: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const t = setTimeout(done, ms);
		function done(): void {
			clearTimeout(t);
			signal.removeEventListener("abort", done);
			resolve();
		}
		signal.addEventListener("abort", done);
	});
}

/** Fetch with bounded retries (network, timeout, 408, 429, 5xx); returns the attempt count too. */
export async function fetchWithRetries(
	url: URL,
	conditional: Conditional,
	o: HttpOptions,
	r: RetryOptions,
): Promise<{ result: FetchResult; attempts: number }> {
	const started = Date.now();
	for (let attempt = 1; ; attempt++) {
		try {
			return { result: await fetchJwksOnce(url, conditional, o, r.signal), attempts: attempt };
		} catch (e) {
			const err = e instanceof KeysFetchError ? e : classify(e, false, o.timeoutMs);
			if (attempt > r.retries || !err.retryable || r.signal.aborted) throw err;
			let delay = Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** (attempt - 1)) * r.random();
			if (err instanceof KeysHttpStatusError && err.retryAfterMs !== undefined)
				delay = Math.min(r.maxDelayMs, Math.max(delay, err.retryAfterMs));
			delay = Math.round(delay);
			if (Date.now() - started + delay + o.timeoutMs > r.budgetMs) throw err;
			r.onRetry(attempt, err, delay);
			await sleep(delay, r.signal);
			if (r.signal.aborted) throw err;
		}
	}
}
