/**
 * `@xshl/http/client`: the browser side, without dependencies. Keeps the access token in
 * memory (never in storage), refreshes it before it expires, and lets only one tab of the
 * browser refresh at a time (Web Locks), sharing the new token with the other tabs
 * (BroadcastChannel). The refresh token stays in its HttpOnly cookie.
 *
 * @module
 */

/** The access token as the client holds it. */
export interface ClientToken {
	/** The compact JWS. */
	readonly accessToken: string;
	/** When it expires, milliseconds since the epoch (the client's clock). */
	readonly expiresAt: number;
	/** The session id. */
	readonly sid: string;
}

/** The subset of `LockManager` the client uses (`navigator.locks`). */
export interface LockManagerLike {
	request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The subset of `BroadcastChannel` the client uses. */
export interface ChannelLike {
	postMessage(message: unknown): void;
	addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
	close(): void;
}

/** Options of {@link SessionClient}. */
export interface SessionClientOptions {
	/** Where the issuer routes live (same origin). @default "/auth" */
	mountPath?: string;
	/** Refresh this long before the token expires, in milliseconds. @default 30000 */
	refreshBeforeMs?: number;
	/** Web Locks (`navigator.locks`); `null` turns cross-tab locking off. @default navigator.locks */
	locks?: LockManagerLike | null;
	/** A channel to share new tokens between tabs; `null` turns it off. @default new BroadcastChannel("xshl-session") */
	channel?: ChannelLike | null;
	/** The fetch to use. @default globalThis.fetch */
	fetch?: typeof fetch;
	/** Clock in milliseconds. @default Date.now */
	now?: () => number;
	/** Schedule the next refresh automatically. @default true */
	autoRefresh?: boolean;
	/**
	 * Before refreshing without a fresh token, ask the other tabs for theirs and wait this many
	 * milliseconds for an answer (a tab opened after another refreshed needs no refresh of its
	 * own); 0 turns it off. @default 100
	 */
	askPeersMs?: number;
}

/** Events of the client (type → payload). */
export interface SessionClientEvents {
	/** A new token, from this tab or another. */
	token: ClientToken;
	/** The session ended (logout here or elsewhere, or a refresh refused). */
	logout: { reason: "logout" | "refresh_failed" };
}

/** A failed call: the server's error code and status. */
export class SessionClientError extends Error {
	/** The server's code, e.g. `ERR_HTTP_INVALID_CREDENTIALS`. */
	readonly code: string;
	/** The HTTP status. */
	readonly status: number;
	/**
	 * @param status - the HTTP status.
	 * @param code - the server's code.
	 * @param message - the server's message.
	 */
	constructor(status: number, code: string, message: string) {
		super(message);
		this.name = "SessionClientError";
		this.status = status;
		this.code = code;
	}
}

const LOCK = "xshl-session-refresh";

/**
 * The browser session client.
 *
 * @example
 * ```ts
 * import { SessionClient } from '@xshl/http/client'
 * const session = new SessionClient()
 * await session.login('ada', 'correct horse')
 * const res = await session.fetch('/api/orders')
 * ```
 */
export class SessionClient {
	#token: ClientToken | undefined;
	#inflight: Promise<ClientToken> | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	readonly #mount: string;
	readonly #before: number;
	readonly #locks: LockManagerLike | null;
	readonly #channel: ChannelLike | null;
	readonly #fetch: typeof fetch;
	readonly #now: () => number;
	readonly #auto: boolean;
	readonly #listeners = new Map<string, Set<(payload: never) => void>>();
	readonly #askMs: number;
	readonly #waiters = new Set<() => void>();

	/** @param options - mount path, timing, locks, channel, fetch. */
	constructor(options: SessionClientOptions = {}) {
		this.#mount = (options.mountPath ?? "/auth").replace(/\/+$/, "");
		this.#before = options.refreshBeforeMs ?? 30_000;
		const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
		this.#locks = options.locks === undefined ? (nav?.locks ?? null) : options.locks;
		this.#channel =
			options.channel === undefined
				? typeof BroadcastChannel === "function"
					? (new BroadcastChannel("xshl-session") as unknown as ChannelLike)
					: null
				: options.channel;
		this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.#now = options.now ?? Date.now;
		this.#auto = options.autoRefresh ?? true;
		this.#askMs = options.askPeersMs ?? 100;
		this.#channel?.addEventListener("message", ({ data }) => {
			const m = data as { type?: unknown; token?: ClientToken; reason?: unknown };
			if (m?.type === "token" && m.token && typeof m.token.accessToken === "string") {
				this.#set(m.token, false);
				for (const w of this.#waiters) w();
			} else if (m?.type === "ask" && this.#fresh())
				this.#channel?.postMessage({ type: "token", token: this.#token });
			else if (m?.type === "logout")
				this.#clear(m.reason === "refresh_failed" ? "refresh_failed" : "logout", false);
		});
	}

	/**
	 * Subscribe to an event.
	 *
	 * @param type - `token` or `logout`.
	 * @param listener - called with the payload.
	 * @returns the unsubscribe.
	 */
	on<K extends keyof SessionClientEvents>(
		type: K,
		listener: (payload: SessionClientEvents[K]) => void,
	): () => void {
		let set = this.#listeners.get(type);
		if (!set) {
			set = new Set();
			this.#listeners.set(type, set);
		}
		const l = listener as (payload: never) => void;
		set.add(l);
		return () => set.delete(l);
	}

	#emit<K extends keyof SessionClientEvents>(type: K, payload: SessionClientEvents[K]): void {
		for (const l of this.#listeners.get(type) ?? []) {
			try {
				(l as (p: SessionClientEvents[K]) => void)(payload);
			} catch {
				// a listener never breaks the client
			}
		}
	}

	/** The current token, if any (may be close to expiry). */
	get token(): ClientToken | undefined {
		return this.#token;
	}

	#set(token: ClientToken, broadcast: boolean): void {
		if (this.#token && this.#token.expiresAt > token.expiresAt) return;
		this.#token = token;
		if (broadcast) this.#channel?.postMessage({ type: "token", token });
		this.#schedule();
		this.#emit("token", token);
	}

	#clear(reason: "logout" | "refresh_failed", broadcast: boolean): void {
		this.#token = undefined;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		this.#timer = undefined;
		if (broadcast) this.#channel?.postMessage({ type: "logout", reason });
		this.#emit("logout", { reason });
	}

	#schedule(): void {
		if (!this.#auto || !this.#token) return;
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		const wait = Math.max(0, this.#token.expiresAt - this.#before - this.#now());
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			this.refresh().catch(() => {});
		}, wait);
	}

	#fresh(): boolean {
		return this.#token !== undefined && this.#token.expiresAt - this.#before > this.#now();
	}

	async #post(path: string, body?: unknown, bearer?: string): Promise<Record<string, unknown>> {
		const headers: Record<string, string> = { "x-xshl-request": "1" };
		if (body !== undefined) headers["content-type"] = "application/json";
		if (bearer) headers.authorization = `Bearer ${bearer}`;
		const res = await this.#fetch(`${this.#mount}${path}`, {
			method: "POST",
			headers,
			credentials: "same-origin",
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
		if (!res.ok) {
			const e = (json.error ?? {}) as { code?: string; message?: string };
			throw new SessionClientError(
				res.status,
				e.code ?? "ERR_HTTP_INTERNAL",
				e.message ?? "request failed",
			);
		}
		return json;
	}

	#tokenOf(json: Record<string, unknown>): ClientToken {
		return {
			accessToken: String(json.access_token),
			expiresAt: this.#now() + Number(json.expires_in) * 1000,
			sid: String(json.sid),
		};
	}

	/**
	 * Log in.
	 *
	 * @param username - the user name.
	 * @param password - the password.
	 * @returns the token.
	 * @throws {SessionClientError} with the server's code (`ERR_HTTP_INVALID_CREDENTIALS`, …).
	 */
	async login(username: string, password: string): Promise<ClientToken> {
		const t = this.#tokenOf(await this.#post("/login", { username, password }));
		this.#token = undefined;
		this.#set(t, true);
		return t;
	}

	/**
	 * Refresh, once per browser: concurrent calls share one request; with Web Locks other tabs
	 * wait and take the token the first tab shares instead of refreshing again.
	 *
	 * @returns the new (or just shared) token.
	 * @throws {SessionClientError} when the server refuses (the session is over).
	 */
	refresh(): Promise<ClientToken> {
		if (this.#inflight) return this.#inflight;
		const seen = this.#token?.accessToken;
		const run = async (): Promise<ClientToken> => {
			// let a token another tab shared before releasing the lock arrive first
			if (this.#locks && this.#channel) await new Promise((r) => setTimeout(r, 0));
			// another tab refreshed while this one waited for the lock
			if (this.#token && this.#token.accessToken !== seen && this.#fresh()) return this.#token;
			// a tab that has a fresh token shares it instead of this tab refreshing again
			if (!this.#fresh() && (await this.#askPeers()) && this.#fresh()) return this.#token!;
			try {
				const t = this.#tokenOf(await this.#post("/refresh"));
				this.#set(t, true);
				return t;
			} catch (err) {
				if (err instanceof SessionClientError && err.status === 401)
					this.#clear("refresh_failed", true);
				throw err;
			}
		};
		const p = (this.#locks ? this.#locks.request(LOCK, run) : run()).finally(() => {
			this.#inflight = undefined;
		});
		this.#inflight = p;
		return p;
	}

	/** Ask the other tabs for a fresh token; resolves true when one arrived in time. */
	#askPeers(): Promise<boolean> {
		const channel = this.#channel;
		if (!channel || this.#askMs <= 0) return Promise.resolve(false);
		return new Promise((resolve) => {
			const done = (got: boolean) => {
				clearTimeout(timer);
				this.#waiters.delete(onToken);
				resolve(got);
			};
			const onToken = () => done(true);
			const timer = setTimeout(() => done(false), this.#askMs);
			this.#waiters.add(onToken);
			channel.postMessage({ type: "ask" });
		});
	}

	/**
	 * A usable access token: the current one, or a refreshed one when it is near expiry.
	 *
	 * @returns the compact JWS, or `undefined` when there is no session.
	 */
	async accessToken(): Promise<string | undefined> {
		if (this.#fresh()) return this.#token!.accessToken;
		try {
			return (await this.refresh()).accessToken;
		} catch {
			return undefined;
		}
	}

	/**
	 * `fetch` with `Authorization: Bearer` set.
	 *
	 * @param input - the URL.
	 * @param init - the request options.
	 * @returns the response.
	 */
	async fetch(input: string, init: RequestInit = {}): Promise<Response> {
		const token = await this.accessToken();
		const headers = new Headers(init.headers);
		if (token) headers.set("authorization", `Bearer ${token}`);
		return this.#fetch(input, { ...init, headers });
	}

	/** Log out this device (every tab). */
	async logout(): Promise<void> {
		try {
			await this.#post("/logout", undefined, this.#token?.accessToken);
		} finally {
			this.#clear("logout", true);
		}
	}

	/** Stop timers and close the channel. */
	close(): void {
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#channel?.close();
	}
}
