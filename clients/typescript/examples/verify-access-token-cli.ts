// The verifier of verify-access-token.ts run once from the command line, so that a test can check it
// against a live service (tests/tests/api/signing_keys.rs):
//   node build/examples/verify-access-token-cli.js <base URL> <EdDSA|ES256> "<Authorization header>"
// prints the verified claims as JSON, or the refusal on stderr with exit code 1.
import { accessTokenVerifier } from "./verify-access-token.js";

// Node's own globals, declared here so that the examples need no @types/node.
declare const process: { argv: string[]; exit(code: number): never };

const [baseUrl, algorithm, authorization] = process.argv.slice(2);
if (!baseUrl || (algorithm !== "EdDSA" && algorithm !== "ES256")) {
  console.error("usage: verify-access-token-cli <base URL> <EdDSA|ES256> <Authorization header>");
  process.exit(2);
}
const verify = accessTokenVerifier({ baseUrl, algorithm, issuer: "meiduo-accounts", audience: "meiduo-mall" });
try {
  console.log(JSON.stringify(await verify(authorization)));
} catch (refusal) {
  console.error(String(refusal));
  process.exit(1);
}
