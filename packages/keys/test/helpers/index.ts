// Test helpers of @xshl/keys, written once: the JWKS server, test keys, clocks and waits.
export * from "./async";
export * from "./keys";
export * from "./ring";
export * from "./server";
