// A KeyRing issuing in this runtime, and a RemoteKeySet fetching the test's JWKS (node:http).
import { RemoteKeySet } from "@xshl/keys";
import { KeyRing } from "@xshl/keys/ring";

const ECDSA = { name: "ECDSA", hash: "SHA-256" };
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

function fromBase64url(text) {
	const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
	return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) =>
		c.charCodeAt(0),
	);
}

/**
 * One verifier request. `shared` lives as long as the runtime instance (module scope on
 * workerd and edge-runtime), so the first concurrent calls meet a cold key set.
 *
 * `input.barrierUrl` answers once all three concurrent requests have arrived, so they reach
 * the cold key set together, while its first JWKS fetch is in flight.
 *
 * @param {{ jwksUrl: string, barrierUrl: string, kid: string, message: string, signature: string }} input
 * @param {{ remote?: RemoteKeySet }} shared
 */
export async function keys(input, shared) {
	await (await fetch(input.barrierUrl)).text();
	// first, as a verifier's first request does: concurrent calls meet one cold key set
	shared.remote ??= new RemoteKeySet({ name: "session_name", url: input.jwksUrl });
	const remoteKey = await shared.remote.getKey({ kid: input.kid, use: "sig" });
	const remoteVerified = await crypto.subtle.verify(
		ECDSA,
		remoteKey,
		fromBase64url(input.signature),
		new TextEncoder().encode(input.message),
	);
	const ring = await KeyRing.generate({ signing: "ES256", encryption: false });
	const { privateKey, header } = ring.signingKey();
	const data = new TextEncoder().encode("xshl runtime matrix");
	const signature = await crypto.subtle.sign(ECDSA, privateKey, data);
	const published = ring.jwks().keys;
	const localKey = await ring.keySet("session_name").getKey({ kid: header.kid, use: "sig" });
	const localVerified = await crypto.subtle.verify(ECDSA, localKey, signature, data);

	return {
		alg: header.alg,
		published: published.length,
		privateMembers: published.flatMap((k) => PRIVATE_MEMBERS.filter((m) => m in k)),
		localVerified,
		remoteVerified,
	};
}
