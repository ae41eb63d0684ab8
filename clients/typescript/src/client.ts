// A thin typed client of the accounts service: every path, parameter, body and
// answer is typed from openapi/openapi.json (see `npm run generate`).
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";

export type { components, paths };
export type ErrorBody = components["schemas"]["ErrorBody"];

/** Holds the access token of the signed-in user, if any. */
export interface TokenStore {
  get(): string | undefined;
}

/**
 * A client for `baseUrl` (e.g. `http://127.0.0.1:8000`). Requests carry
 * `Authorization: JWT <token>` while `tokens` holds one; errors come back as
 * the service's one error body (`error.code` is the stable machine code).
 */
export function createAccountsClient(baseUrl: string, tokens?: TokenStore) {
  const client = createClient<paths>({ baseUrl });
  if (tokens) {
    const authorize: Middleware = {
      onRequest({ request }) {
        const token = tokens.get();
        if (token !== undefined) {
          request.headers.set("Authorization", `JWT ${token}`);
        }
        return request;
      },
    };
    client.use(authorize);
  }
  return client;
}

export type AccountsClient = ReturnType<typeof createAccountsClient>;
