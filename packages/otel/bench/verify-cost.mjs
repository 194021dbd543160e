// "No cost when nobody listens": uncached verify ops/s of one @xshl/session-core verifier with
// no listener, then with instrument() attached (the global no-op API, and the real SDK with a
// span processor and a metric reader), then detached again. Rounds alternate the modes so
// machine load hits each alike; the median per mode is printed with its ratio to "none".
// Run after `pnpm build`: `node bench/verify-cost.mjs [rounds] [msPerRound]`.

import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { instrument } from "@xshl/otel";
import { createSessionVerifier, Session, SessionConfig, Trace } from "@xshl/session-core";
import { generateKeyPair } from "jose";

const rounds = Number(process.argv[2] ?? 7);
const msPerRound = Number(process.argv[3] ?? 1000);

const { privateKey, publicKey } = await generateKeyPair("ES256");
/** @type {import("@xshl/session-core").SessionKeySet} */
const keys = {
	name: "session_name",
	resolver: async () => publicKey,
	algorithms: () => ["ES256"],
	getKey: async () => publicKey,
};
const config = await SessionConfig.create({
	keys,
	audience: ["service-api"],
	header: { alg: "ES256", kid: "k1" },
	key: privateKey,
});
const trace = new Trace("Mozilla/5.0 (X11; Linux x86_64)", "salt");
const session = new Session(config, trace);
session.aud = "service-api";
session.sub = "user-123";
const token = await session.jwt();
// no cache: every call checks the signature
const verifier = createSessionVerifier({ keys, audience: ["service-api"] });

/** A real SDK pipeline whose exporter drops spans (the export itself is not under test). */
const tracerProvider = new BasicTracerProvider({
	spanProcessors: [
		new SimpleSpanProcessor({
			export: (_spans, done) => done({ code: 0 }),
			shutdown: async () => {},
		}),
	],
});
class PullReader extends MetricReader {
	async onForceFlush() {}
	async onShutdown() {}
}
const meterProvider = new MeterProvider({ readers: [new PullReader()] });

/** @type {Record<string, () => () => void>} */
const modes = {
	none: () => () => {},
	"instrument(), no SDK (global no-op API)": () => instrument({ verifier }),
	"instrument(), SDK spans only": () => instrument({ verifier }, { tracerProvider }),
	"instrument(), SDK metrics only": () => instrument({ verifier }, { meterProvider }),
	"instrument(), SDK spans + metrics": () =>
		instrument({ verifier }, { tracerProvider, meterProvider }),
};

/**
 * Sequential verifies for `ms` of wall time.
 * @param {number} ms
 * @returns {Promise<{ ops: number, cpuUs: number }>} ops/s and this process's CPU µs per verify
 */
async function run(ms) {
	let n = 0;
	const cpu = process.cpuUsage();
	const start = performance.now();
	const end = start + ms;
	while (performance.now() < end) {
		for (let i = 0; i < 50; i++) await verifier.verify(token, { trace });
		n += 50;
	}
	const wall = performance.now() - start;
	const used = process.cpuUsage(cpu);
	return { ops: (n * 1000) / wall, cpuUs: (used.user + used.system) / n };
}

await run(300); // warm-up
/** @type {Record<string, Array<{ ops: number, cpuUs: number }>>} */
const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let r = 0; r < rounds; r++) {
	for (const [name, attach] of Object.entries(modes)) {
		const detach = attach();
		results[name]?.push(await run(msPerRound));
		detach();
	}
}
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const baseOps = median((results.none ?? []).map((x) => x.ops));
const baseCpu = median((results.none ?? []).map((x) => x.cpuUs));
console.log(
	`uncached verify, ES256, engine ${verifier.engine}, ${rounds} rounds × ${msPerRound} ms, medians`,
);
console.log(`${"mode".padEnd(40)}   ops/s  ratio   CPU µs/verify  ratio`);
for (const [name, xs] of Object.entries(results)) {
	const ops = median(xs.map((x) => x.ops));
	const cpu = median(xs.map((x) => x.cpuUs));
	console.log(
		`${name.padEnd(40)} ${Math.round(ops).toString().padStart(7)}  ×${(ops / baseOps).toFixed(2)}  ${cpu.toFixed(1).padStart(12)}  ×${(cpu / baseCpu).toFixed(2)}`,
	);
}
await tracerProvider.shutdown();
await meterProvider.shutdown();
