// @ts-nocheck: bundled by esbuild for each runtime (test/runtimes.test.ts), as a user deploys it:
// the README's Worker (examples/worker.ts) importing the built dist of @xshl/hono/resource,
// @xshl/keys and @xshl/keys/revocations; bindings ISSUER_URL, ISSUER and AUDIENCE.
export { default as app } from "../../examples/worker.ts";
