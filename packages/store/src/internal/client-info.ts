// Coarse client info: browser and OS names from a User-Agent, and an IP prefix.

export interface CoarseClient {
	browser: string;
	os: string;
	ip: string;
}

const BROWSERS: [RegExp, string][] = [
	[/Edg(e|A|iOS)?\//, "Edge"],
	[/OPR\/|Opera/, "Opera"],
	[/Firefox\/|FxiOS\//, "Firefox"],
	[/Chrome\/|CriOS\//, "Chrome"],
	[/Safari\//, "Safari"],
	[/curl\//i, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
	[/Android/, "Android"],
	[/iPhone|iPad|iPod/, "iOS"],
	[/Windows/, "Windows"],
	[/Mac OS X|Macintosh/, "macOS"],
	[/CrOS/, "ChromeOS"],
	[/Linux/, "Linux"],
];

function pick(ua: string, table: [RegExp, string][]): string {
	for (const [re, name] of table) if (re.test(ua)) return name;
	return "";
}

/** IPv4 → a.b.c.0/24; IPv6 → first 3 hextets ::/48; anything else → "". */
export function ipPrefix(ip: string): string {
	const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
	if (v4) {
		const parts = v4.slice(1, 4).map(Number);
		if (parts.some((n) => n > 255) || Number(v4[4]) > 255) return "";
		return `${parts.join(".")}.0/24`;
	}
	if (!/^[0-9a-f:]+$/i.test(ip) || !ip.includes(":") || ip.length > 39) return "";
	const [head = "", tail] = ip.split("::");
	if (ip.split("::").length > 2) return "";
	const left = head === "" ? [] : head.split(":");
	const right = tail === undefined || tail === "" ? [] : tail.split(":");
	const missing = 8 - left.length - right.length;
	if (tail === undefined ? left.length !== 8 : missing < 1) return "";
	const groups = [...left, ...Array<string>(Math.max(missing, 0)).fill("0"), ...right];
	if (groups.some((g) => g.length === 0 || g.length > 4)) return "";
	return `${groups
		.slice(0, 3)
		.map((g) => Number.parseInt(g, 16).toString(16))
		.join(":")}::/48`;
}

export function coarseClient(input: { userAgent?: string; ip?: string } | undefined): CoarseClient {
	const ua = typeof input?.userAgent === "string" ? input.userAgent.slice(0, 1024) : "";
	const ip = typeof input?.ip === "string" ? ipPrefix(input.ip.trim()) : "";
	return { browser: ua ? pick(ua, BROWSERS) : "", os: ua ? pick(ua, SYSTEMS) : "", ip };
}
