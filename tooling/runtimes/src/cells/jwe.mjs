// JWE seal and open (ECDH-ES+A256KW, A256GCM), and a tampered token refused.
import { deserialize, serialize } from "@xshl/jwe";

export async function jwe() {
	const { publicKey, privateKey } = await crypto.subtle.generateKey(
		{ name: "ECDH", namedCurve: "P-256" },
		false,
		["deriveBits"],
	);
	const keys = {
		getKey: async ({ kid, use }) => (kid === "enc-1" && use === "enc" ? publicKey : undefined),
	};
	const token = await serialize(
		{ hello: "world" },
		{ alg: "ECDH-ES+A256KW", enc: "A256GCM", kid: "enc-1" },
		{ keys },
	);
	const opened = await deserialize(token, { keys: [{ kid: "enc-1", privateKey }] });
	const tampered = await deserialize(`${token.slice(0, -4)}AAAA`, { keys: privateKey }).then(
		() => "accepted",
		(e) => e.code,
	);
	return {
		segments: token.split(".").length,
		payload: opened.json(),
		kid: opened.protectedHeader.kid,
		tampered,
	};
}
