/**
 * A remote key set whose URL is built from an XSHL target and a URL template joined to a
 * trust URL (the original's `ReferenceKeys`).
 *
 * Import from `@xshl/keys`.
 *
 * @module
 */

import * as z from "zod/v4/mini";
import { KeysConfigError } from "./errors";
import { configIssue, zodIssues } from "./internal/config-error";
import { PARSE } from "./internal/zod-parse";
import { RemoteKeySet } from "./remote-key-set";
import type { RemoteKeySetOptions } from "./remote-key-set-options";

/**
 * The default URL template (the original's `API_REFERENCE`). Placeholders: `{version}`,
 * `{source}`, `{path}`, `{ext}` (from `@context`), `{spot}`, `{entity}`, `{base}`, `{id}`
 * (`@id`), `{type}` (`@type`).
 */
export const API_REFERENCE = "/{version}/{source}/{path}{ext}?target={spot}:{entity}@{base}";

/** An XSHL target: where the keys of an entity live. */
export interface XshlTarget {
	/** The spot (namespace) of the entity. Required. */
	spot: string;
	/** The base the entity belongs to. Required. */
	base: string;
	/** The entity. Required. */
	entity: string;
	/** Optional id. */
	"@id"?: string;
	/** Optional type. */
	"@type"?: string;
	/** Where the key document lives. */
	"@context"?: {
		/** Source segment. */
		source?: string;
		/** Path; `/` separates segments, each encoded on its own; `.` and `..` are refused. */
		path?: string;
		/** Extension, e.g. `.json`. @default "" */
		ext?: string;
	};
}

/** Options of {@link ReferenceKeys}: every {@link RemoteKeySetOptions} except `url`. */
export interface ReferenceKeysOptions extends Omit<RemoteKeySetOptions, "url"> {
	/** The XSHL target, validated with zod. */
	target: XshlTarget;
	/** Base URL the template is joined to; the final URL must keep its origin. */
	trustUrl: string | URL;
	/** URL template. @default API_REFERENCE */
	template?: string;
	/** Value of `{version}`. @default "1" */
	version?: string | number;
}

const required = (field: string) =>
	z
		.string({ error: `target.${field} is required (a non-empty string)` })
		.check(z.minLength(1, `target.${field} is required (a non-empty string)`));

const Target = z.object({
	spot: required("spot"),
	base: required("base"),
	entity: required("entity"),
	"@id": z.optional(z.string()),
	"@type": z.optional(z.string()),
	"@context": z.optional(
		z.object({
			source: z.optional(z.string()),
			path: z.optional(z.string()),
			ext: z.optional(z.string()),
		}),
	),
});

function fail(message: string, path: string): never {
	throw configIssue(message, path);
}

/**
 * Build the JWKS URL of an XSHL target: every substituted value is encoded with
 * `encodeURIComponent` (a `path` is encoded per segment), and the result must keep the
 * trust URL's origin.
 *
 * @param target - the XSHL target.
 * @param trustUrl - the base URL.
 * @param template - the URL template. @default API_REFERENCE
 * @param version - value of `{version}`. @default "1"
 * @returns the URL.
 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` naming the missing field, an unknown
 *   placeholder, a placeholder without a value, or a URL that leaves the trust origin.
 * @example
 * ```ts
 * import { referenceUrl } from '@xshl/keys'
 * referenceUrl({ spot: 'acme', base: 'prod', entity: 'auth', '@context': { source: 'keys', path: 'session', ext: '.json' } },
 *   'https://trust.example')
 * // https://trust.example/1/keys/session.json?target=acme:auth@prod
 * ```
 */
export function referenceUrl(
	target: XshlTarget,
	trustUrl: string | URL,
	template: string = API_REFERENCE,
	version: string | number = "1",
): URL {
	const parsed = Target.safeParse(target, PARSE);
	if (!parsed.success) {
		const issues = zodIssues(parsed.error, "target");
		throw new KeysConfigError(issues.map((i) => i.message).join("; "), issues, {
			cause: parsed.error,
		});
	}
	let base: URL;
	try {
		base = new URL(trustUrl);
	} catch {
		fail("trustUrl must be an absolute URL", "trustUrl");
	}
	if (base.protocol !== "https:" && base.protocol !== "http:")
		fail("trustUrl must be an http(s) URL", "trustUrl");
	const t = parsed.data;
	const ctx = t["@context"] ?? {};
	const values: Record<string, string | undefined> = {
		version: String(version),
		source: ctx.source,
		path: ctx.path,
		ext: ctx.ext ?? "",
		spot: t.spot,
		entity: t.entity,
		base: t.base,
		id: t["@id"],
		type: t["@type"],
	};
	const expanded = template.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
		if (!Object.hasOwn(values, name))
			fail(`template has an unknown placeholder {${name}}`, "template");
		const v = values[name];
		if (v === undefined)
			fail(
				`template uses {${name}} but the target has no value for it`,
				name === "id" || name === "type" ? `target.@${name}` : `target.@context.${name}`,
			);
		if (name === "path") {
			const segs = v.split("/");
			if (segs.some((s) => s === "." || s === ".."))
				fail("target @context.path must not contain . or .. segments", "target.@context.path");
			return segs.map(encodeURIComponent).join("/");
		}
		return encodeURIComponent(v);
	});
	const root = base.href.endsWith("/") ? base : new URL(`${base.href}/`);
	const url = new URL(expanded.replace(/^\/+/, ""), root);
	if (url.origin !== base.origin)
		fail("the reference URL must keep the trust URL's origin", "template");
	return url;
}

/**
 * A {@link RemoteKeySet} whose URL comes from an XSHL target (see {@link referenceUrl}).
 * All remote-set options and behaviour are inherited.
 *
 * @example
 * ```ts
 * import { ReferenceKeys } from '@xshl/keys'
 * const keys = new ReferenceKeys({
 *   name: 'session_name',
 *   trustUrl: 'https://trust.example',
 *   target: { spot: 'acme', base: 'prod', entity: 'auth', '@context': { source: 'keys', path: 'session', ext: '.json' } },
 * })
 * await keys.load()
 * ```
 */
export class ReferenceKeys extends RemoteKeySet {
	/** The validated target. */
	readonly target: XshlTarget;

	/**
	 * @param options - the target, trust URL, template, version and remote-set options.
	 * @throws KeysConfigError `ERR_KEYS_CONFIG_INVALID` (see {@link referenceUrl} and
	 *   {@link RemoteKeySet}).
	 */
	constructor(options: ReferenceKeysOptions) {
		const { target, trustUrl, template, version, ...rest } =
			options ?? ({} as ReferenceKeysOptions);
		const url = referenceUrl(target, trustUrl, template, version);
		super({ ...rest, url });
		this.target = structuredClone(target);
	}
}
