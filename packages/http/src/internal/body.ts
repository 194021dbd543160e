/**
 * Request bodies, bounded before parsing: the size while reading, the JSON nesting depth
 * before `JSON.parse`, repeated form parameters refused.
 */
import {
	HttpBadRequestError,
	HttpBodyTooDeepError,
	HttpBodyTooLargeError,
	HttpUnsupportedMediaTypeError,
} from "../errors";

/** Limits of a body. */
export interface BodyLimits {
	readonly maxBodyBytes: number;
	readonly maxJsonDepth: number;
}

/**
 * The body as text, read at most `maxBodyBytes` bytes far.
 *
 * @throws {HttpBodyTooLargeError} `ERR_HTTP_BODY_TOO_LARGE` when longer (by Content-Length or by reading).
 */
export async function readText(request: Request, maxBodyBytes: number): Promise<string> {
	const declared = request.headers.get("content-length");
	if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > maxBodyBytes)
		throw new HttpBodyTooLargeError(`The body is larger than ${maxBodyBytes} bytes`);
	if (request.body === null) return "";
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBodyBytes) {
			await reader.cancel().catch(() => {});
			throw new HttpBodyTooLargeError(`The body is larger than ${maxBodyBytes} bytes`);
		}
		chunks.push(value);
	}
	const all = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		all.set(c, at);
		at += c.byteLength;
	}
	try {
		return new TextDecoder("utf-8", { fatal: true }).decode(all);
	} catch {
		throw new HttpBadRequestError("The body is not valid UTF-8");
	}
}

/**
 * The nesting depth of a JSON text, counted without parsing (brackets outside strings).
 *
 * @returns true when the depth never exceeds `max`.
 */
export function depthWithin(text: string, max: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 92 /* \ */) i++;
			else if (c === 34 /* " */) inString = false;
		} else if (c === 34) inString = true;
		else if (c === 123 /* { */ || c === 91 /* [ */) {
			if (++depth > max) return false;
		} else if (c === 125 || c === 93) depth--;
	}
	return true;
}

/**
 * A JSON body (an empty body is `undefined`). Content-Type must be `application/json` when a
 * body is present.
 *
 * @throws {HttpBodyTooLargeError} `ERR_HTTP_BODY_TOO_LARGE`
 * @throws {HttpBodyTooDeepError} `ERR_HTTP_BODY_TOO_DEEP`
 * @throws {HttpUnsupportedMediaTypeError} `ERR_HTTP_UNSUPPORTED_MEDIA_TYPE`
 * @throws {HttpBadRequestError} `ERR_HTTP_BAD_REQUEST` for invalid JSON.
 */
export async function readJson(request: Request, limits: BodyLimits): Promise<unknown> {
	const text = await readText(request, limits.maxBodyBytes);
	if (text.trim() === "") return undefined;
	const ct = request.headers.get("content-type") ?? "";
	if (!/^application\/json\s*(;|$)/i.test(ct))
		throw new HttpUnsupportedMediaTypeError("The body must be application/json");
	if (!depthWithin(text, limits.maxJsonDepth))
		throw new HttpBodyTooDeepError(`The JSON body nests deeper than ${limits.maxJsonDepth} levels`);
	let poisoned = false;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text, (key, value) => {
			// prototype poisoning is refused, as Fastify's onProtoPoisoning/onConstructorPoisoning "error"
			if (
				key === "__proto__" ||
				(key === "constructor" &&
					value !== null &&
					typeof value === "object" &&
					"prototype" in value)
			)
				poisoned = true;
			return value;
		});
	} catch {
		throw new HttpBadRequestError("The body is not valid JSON");
	}
	if (poisoned)
		throw new HttpBadRequestError("The body has a __proto__ or constructor.prototype key");
	return parsed;
}

/**
 * An `application/x-www-form-urlencoded` body as a null-prototype record; a repeated
 * parameter is refused (RFC 6749 §3.1).
 *
 * @throws {HttpUnsupportedMediaTypeError} `ERR_HTTP_UNSUPPORTED_MEDIA_TYPE`
 * @throws {HttpBadRequestError} `ERR_HTTP_BAD_REQUEST` for a repeated parameter.
 */
export async function readForm(
	request: Request,
	limits: BodyLimits,
): Promise<Record<string, string>> {
	const ct = request.headers.get("content-type") ?? "";
	if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(ct))
		throw new HttpUnsupportedMediaTypeError("The body must be application/x-www-form-urlencoded");
	const text = await readText(request, limits.maxBodyBytes);
	const out: Record<string, string> = Object.create(null);
	for (const [k, v] of new URLSearchParams(text)) {
		if (Object.hasOwn(out, k))
			throw new HttpBadRequestError(`Parameter ${k.slice(0, 32)} is repeated`);
		out[k] = v;
	}
	return out;
}
