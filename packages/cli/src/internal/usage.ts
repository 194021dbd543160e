// Usage texts, printed by --help and after a usage error.

export const MAIN_USAGE = `Usage: xshl <command> [options]

Commands:
  token inspect [TOKEN|-]  Decode a JWS or JWE with human times; verify it with --jwks,
                           check its sid and trace with --name and --trace
  keys generate            Generate a key ring and save its private snapshot (mode 0600)
  keys rotate              Rotate the key ring saved in a snapshot file
  keys jwks                Print the public JWKS of a snapshot file
  jwks check URL           Fetch a JWKS as RemoteKeySet does and report every key

Every command takes --json (a JSON report on stdout) and --help.
Exit status: 0 ok, 1 the thing checked is bad, 2 usage error.
`;

export const TOKEN_INSPECT_USAGE = `Usage: xshl token inspect [TOKEN|-] [--jwks URL|FILE] [--name NAME --trace PART...] [--key FILE] [--json]

  TOKEN            a compact JWS or JWE; "-" or nothing reads it from standard input
  --jwks URL|FILE  verify the signature and the session claims with this JWKS
                   (a URL is fetched with RemoteKeySet's rules)
  --name NAME      the key-set name the sid was derived from (with --trace)
  --trace PART     one trace part; repeat it for each part, in order (with --name)
  --key FILE       decrypt a JWE with a ring snapshot, a private JWK or a PKCS#8 PEM
  --json           print the report as JSON

Exit status 1 when the token is expired, not yet valid, badly signed, not a valid
session token, or its sid or trace does not match.
`;

export const KEYS_GENERATE_USAGE = `Usage: xshl keys generate --alg ES256|EdDSA|Ed25519|RS256|PS256 [--enc] --out FILE [--force] [--json]

  --alg ALG   the signing algorithm (Ed25519 is EdDSA on Ed25519 under its RFC 9864 name)
  --enc       also generate encryption keys (RSA-OAEP-256 or ECDH-ES+A256KW)
  --out FILE  the private ring snapshot to write, mode 0600
  --force     overwrite FILE when it exists
  --json      print the report as JSON (the public JWKS otherwise)
`;

export const KEYS_ROTATE_USAGE = `Usage: xshl keys rotate --in FILE [--json]

  --in FILE   the ring snapshot to rotate, replaced in place (mode 0600)
  --json      print the report as JSON (the public JWKS otherwise)
`;

export const KEYS_JWKS_USAGE = `Usage: xshl keys jwks --in FILE [--json]

  --in FILE   the ring snapshot
  --json      print the report as JSON (the public JWKS otherwise)
`;

export const JWKS_CHECK_USAGE = `Usage: xshl jwks check URL [--json]

  URL     the JWKS URL (https:, or http: for local development)
  --json  print the report as JSON

Exit status 1 when the JWKS cannot be loaded or a key is rejected.
`;
