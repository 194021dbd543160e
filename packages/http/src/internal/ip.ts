/**
 * IP address parsing for client-IP resolution, CIDR lists and rate-limit keys: IPv4 dotted
 * quads and IPv6 (with `::`, an embedded IPv4 tail and a `%zone`), IPv4-mapped IPv6 read as
 * IPv4. No DNS, no `node:net` (runs on the edge).
 */

/** A parsed address: 4 or 16 bytes. */
export interface ParsedIp {
	readonly version: 4 | 6;
	readonly bytes: Uint8Array;
}

function parseV4(text: string): Uint8Array | undefined {
	const parts = text.split(".");
	if (parts.length !== 4) return undefined;
	const out = new Uint8Array(4);
	for (let i = 0; i < 4; i++) {
		const p = parts[i]!;
		if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
		const n = Number(p);
		if (n > 255) return undefined;
		out[i] = n;
	}
	return out;
}

function parseV6(input: string): Uint8Array | undefined {
	let text = input;
	const zone = text.indexOf("%");
	if (zone !== -1) text = text.slice(0, zone);
	if (text.length < 2 || text.length > 45) return undefined;
	const halves = text.split("::");
	if (halves.length > 2) return undefined;
	const groups = (s: string): number[] | undefined => {
		if (s === "") return [];
		const out: number[] = [];
		const items = s.split(":");
		for (let i = 0; i < items.length; i++) {
			const item = items[i]!;
			if (i === items.length - 1 && item.includes(".")) {
				const v4 = parseV4(item);
				if (!v4) return undefined;
				out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
			} else {
				if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
				out.push(Number.parseInt(item, 16));
			}
		}
		return out;
	};
	const head = groups(halves[0]!);
	const tail = halves.length === 2 ? groups(halves[1]!) : [];
	if (!head || !tail) return undefined;
	const total = head.length + tail.length;
	if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
	const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
	const out = new Uint8Array(16);
	all.forEach((g, i) => {
		out[i * 2] = g >> 8;
		out[i * 2 + 1] = g & 0xff;
	});
	return out;
}

/**
 * Parse an address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4.
 *
 * @param text - the address text (brackets allowed around IPv6).
 * @returns the parsed address, or `undefined` when it is not an IP address.
 */
export function parseIp(text: string): ParsedIp | undefined {
	let t = text.trim();
	if (t.startsWith("[") && t.endsWith("]")) t = t.slice(1, -1);
	if (t.length === 0 || t.length > 64) return undefined;
	if (!t.includes(":")) {
		const v4 = parseV4(t);
		return v4 ? { version: 4, bytes: v4 } : undefined;
	}
	const v6 = parseV6(t);
	if (!v6) return undefined;
	const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
	return mapped ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 };
}

/** The address keeping only the first `bits` bits (the rest zeroed). */
function masked(ip: ParsedIp, bits: number): Uint8Array {
	const out = ip.bytes.slice();
	for (let i = 0; i < out.length; i++) {
		const keep = Math.max(0, Math.min(8, bits - i * 8));
		out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
	}
	return out;
}

/** Canonical text of an address (IPv6 as 8 lower-case hex groups, no compression). */
function format(version: 4 | 6, bytes: Uint8Array): string {
	if (version === 4) return Array.from(bytes).join(".");
	const groups: string[] = [];
	for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
	return groups.join(":");
}

/**
 * The prefix of an address as canonical text with its length, e.g. `2001:db8:0:1:0:0:0:0/64`.
 *
 * @param ip - a parsed address.
 * @param v4Bits - prefix length for IPv4.
 * @param v6Bits - prefix length for IPv6.
 * @returns the prefix text.
 */
export function ipPrefix(ip: ParsedIp, v4Bits: number, v6Bits: number): string {
	const bits = ip.version === 4 ? v4Bits : v6Bits;
	return `${format(ip.version, masked(ip, bits))}/${bits}`;
}

/** A parsed CIDR block. */
export interface Cidr {
	readonly version: 4 | 6;
	readonly bits: number;
	readonly prefix: Uint8Array;
}

/**
 * Parse `address` or `address/bits`.
 *
 * @param text - the CIDR text.
 * @returns the block, or `undefined` when malformed.
 */
export function parseCidr(text: string): Cidr | undefined {
	const slash = text.indexOf("/");
	const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
	if (!ip) return undefined;
	const max = ip.version === 4 ? 32 : 128;
	let bits = max;
	if (slash !== -1) {
		const b = text.slice(slash + 1);
		if (!/^[0-9]{1,3}$/.test(b)) return undefined;
		bits = Number(b);
		// an IPv4-mapped block `::ffff:a.b.c.d/120` counts its bits from the IPv6 form
		if (ip.version === 4 && text.includes(":")) bits -= 96;
		if (bits < 0 || bits > max) return undefined;
	}
	return { version: ip.version, bits, prefix: masked(ip, bits) };
}

/**
 * Whether an address is inside a block.
 *
 * @param ip - the address.
 * @param cidr - the block.
 * @returns true when the first `cidr.bits` bits are equal.
 */
export function inCidr(ip: ParsedIp, cidr: Cidr): boolean {
	if (ip.version !== cidr.version) return false;
	const m = masked(ip, cidr.bits);
	for (let i = 0; i < m.length; i++) if (m[i] !== cidr.prefix[i]) return false;
	return true;
}
