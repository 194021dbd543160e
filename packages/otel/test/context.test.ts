// Spans made from events are children of the span active where the call was made (with
// Node's AsyncLocalStorage context manager, as the OTel Node SDK registers it): a request
// span sees its `xshl.verify` and `xshl.store.<op>` children.

import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { KeyRing } from "@xshl/keys/ring";
import { createSessionVerifier, Trace } from "@xshl/session-core";
import { MemoryStore } from "@xshl/session-store";
import { afterEach, describe, expect, it } from "vitest";
import { instrument } from "../src/index";
import { type Sdk, sdk } from "./helpers/otel";
import { issue, NAME, SALT, UA } from "./helpers/tokens";

let otel: Sdk | undefined;
afterEach(async () => {
	context.disable();
	trace.disable();
	metrics.disable();
	await otel?.shutdown();
});

describe("span parents", () => {
	it("xshl.verify and xshl.store.rotate are children of the request span active at the call", async () => {
		context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
		otel = sdk();
		const ring = await KeyRing.generate({ signing: "ES256" });
		const verifier = createSessionVerifier({
			keys: ring.keySet(NAME),
			audience: ["service-api"],
		});
		const store = new MemoryStore({ pepper: "context-test-pepper-0123456789abcdef" });
		const detach = instrument(
			{ verifier, store },
			{
				tracerProvider: otel.tracerProvider,
				meterProvider: otel.meterProvider,
			},
		);
		const token = await issue(ring);
		const login = await store.login({ sub: "user-123", trace: "T" });
		const tracer = otel.tracerProvider.getTracer("test");
		await tracer.startActiveSpan("GET /api/me", async (request) => {
			await verifier.verify(token, { trace: new Trace(UA, SALT) });
			await store.rotate(login.refreshToken, { trace: "T" });
			request.end();
		});
		detach();
		const spans = otel.spans();
		const request = spans.find((s) => s.name === "GET /api/me");
		const parentOf = (name: string) =>
			spans.find((s) => s.name === name)?.parentSpanContext?.spanId;
		expect(request).toBeDefined();
		expect(parentOf("xshl.verify")).toBe(request?.spanContext().spanId);
		expect(parentOf("xshl.store.rotate")).toBe(request?.spanContext().spanId);
		// the login ran outside the request: a root span
		expect(parentOf("xshl.store.login")).toBeUndefined();
		expect(trace.getActiveSpan()).toBeUndefined();
	});

	it("without options, instrument() reports through the global providers", async () => {
		otel = sdk();
		trace.setGlobalTracerProvider(otel.tracerProvider);
		metrics.setGlobalMeterProvider(otel.meterProvider);
		const store = new MemoryStore({ pepper: "context-test-pepper-0123456789abcdef" });
		const detach = instrument({ store });
		await store.login({ sub: "user-123", trace: "T" });
		detach();
		expect(otel.spans().map((s) => s.name)).toEqual(["xshl.store.login"]);
		const calls = await otel.points("xshl.store.call.duration");
		expect(calls.points.map((p) => p.attributes)).toEqual([
			{ "xshl.store.operation": "login", "xshl.store.outcome": "ok" },
		]);
	});
});
