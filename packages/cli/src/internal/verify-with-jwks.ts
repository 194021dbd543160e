// `--jwks`: the signature (jose over the key set's resolver, naming the key) and the full
// @xshl/session-core verification, each reported with its error code.
import { createSessionVerifier, type Trace } from "@xshl/session-core";
import { compactVerify } from "jose";
import { CliInputInvalidError } from "../errors";
import type { TokenReport } from "../token-inspect";
import { openKeySet } from "./key-set";
import { reported } from "./reported";

/** What {@link verifyWithJwks} needs. */
export interface VerifyInput {
	token: string;
	header: Record<string, unknown>;
	/** A JWKS URL or file. */
	jwks: string;
	/** The key-set name (feeds the expected `sid`); `xshl` when absent. */
	name: string | undefined;
	trace: Trace | undefined;
	now: () => number;
}

/**
 * Opens the key set, checks the signature and runs the session verifier. A key set that
 * cannot be loaded is a failed signature check with its code.
 * @throws CliInputInvalidError `ERR_CLI_INPUT_INVALID` when the JWKS file cannot be read.
 */
export async function verifyWithJwks(
	input: VerifyInput,
): Promise<Pick<TokenReport, "signature" | "session">> {
	let opened: Awaited<ReturnType<typeof openKeySet>>;
	try {
		opened = await openKeySet(input.jwks, input.name ?? "xshl");
	} catch (e) {
		if (e instanceof CliInputInvalidError) throw e;
		return { signature: { valid: false, error: reported(e) } };
	}
	const out: Pick<TokenReport, "signature" | "session"> = {};
	try {
		const keys = opened.keys;
		try {
			await compactVerify(input.token, keys.resolver, { algorithms: keys.algorithms("sig") });
			const kid = typeof input.header.kid === "string" ? input.header.kid : undefined;
			const published = opened.jwks().keys;
			// a kid-less token verifies only when the set has one signing key: that one
			const jwk =
				kid !== undefined
					? published.find((k) => k.kid === kid)
					: published.find((k) => k.use !== "enc");
			out.signature = {
				valid: true,
				key: {
					kid: jwk?.kid,
					kty: jwk?.kty,
					alg: jwk?.alg ?? (input.header.alg as string),
					crv: jwk?.crv,
				},
			};
		} catch (e) {
			out.signature = { valid: false, error: reported(e) };
		}
		const verifier = createSessionVerifier({
			keys,
			...(input.trace !== undefined ? { trace: input.trace } : {}),
			now: input.now,
		});
		try {
			await verifier.verify(input.token);
			out.session = { valid: true };
		} catch (e) {
			out.session = { valid: false, error: reported(e) };
		}
	} finally {
		opened.close();
	}
	return out;
}
