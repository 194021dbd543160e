/**
 * Builds the real components from the configuration.
 */
import type { AppDeps } from "./app.js";
import type { DemoConfig } from "./config.js";
import { InterimIssuer, InterimStore } from "./interim.js";
import { UserDirectory } from "./users.js";

/** Components for a config (issuer mode unless `ISSUER_JWKS_URL` is set). */
export async function createDeps(
	config: DemoConfig,
	options: { now?: () => number } = {},
): Promise<AppDeps> {
	const now = options.now ?? Date.now;
	const issuer = await new InterimIssuer({
		alg: config.signingAlg,
		issuer: config.issuer,
		audience: config.audience,
		ttl: config.accessTokenTtl,
		now,
	}).init();
	return {
		config,
		now,
		issuer,
		verifier: issuer,
		store: new InterimStore(now),
		sealer: issuer.sealer(),
		users: await UserDirectory.fromFile(config.usersFile),
	};
}
