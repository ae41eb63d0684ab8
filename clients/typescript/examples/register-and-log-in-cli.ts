// The registration journey of register-and-log-in.ts run once from the command line, against a development
// server or the mock server (`npm run mock`):
//   npm run journey -- <base URL>          a development server: a random new user
//   npm run journey -- <base URL> --mock   the mock server: the document's example user, captcha and code
// prints the signed-in user as JSON, or the failed step on stderr with exit code 1.
import { examples } from "../src/mocks";
import { registerAndLogIn } from "./register-and-log-in";

// Node's own globals, declared here so that the examples need no @types/node.
declare const process: { argv: string[]; exit(code: number): never };

const [baseUrl, mode] = process.argv.slice(2);
if (!baseUrl || (mode !== undefined && mode !== "--mock")) {
  console.error("usage: register-and-log-in-cli <base URL> [--mock]");
  process.exit(2);
}

function journey() {
  if (mode === "--mock") {
    // A mock server answers the document's examples: the outbox shows its example captcha and SMS code, so the
    // journey asks for exactly those, with the example user's name.
    const outbox = examples.getDevOutbox[200]?.body;
    const captcha = outbox?.captchas[0];
    const message = outbox?.messages[0];
    const user = examples.getCurrentUser[200]?.body;
    if (!captcha || !message?.to || !user) throw new Error("the document has no outbox or user example");
    return registerAndLogIn(baseUrl!, message.to, user.username, "correct-horse", captcha.id);
  }
  const suffix = Math.floor(Math.random() * 1e8).toString().padStart(8, "0");
  return registerAndLogIn(baseUrl!, `139${suffix}`, `journey_${suffix}`, "correct-horse");
}

try {
  console.log(JSON.stringify(await journey()));
} catch (failure) {
  console.error(String(failure));
  process.exit(1);
}
