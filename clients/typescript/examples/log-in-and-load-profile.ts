// A small piece of a page: log in, then load the signed-in user's profile. Its unit test
// (log-in-and-load-profile.test.ts) runs it against the typed MSW mocks, without a backend.
import { createAccountsClient, type components } from "../src/client";

export type Profile = components["schemas"]["UserResponse"];

export type SignIn =
  | { ok: true; profile: Profile }
  /** `code` is the service's stable error code; `retryAfter` (seconds) comes with `rate_limited`. */
  | { ok: false; code: string; message: string; retryAfter?: number };

export async function logInAndLoadProfile(baseUrl: string, username: string, password: string): Promise<SignIn> {
  let token: string | undefined;
  const api = createAccountsClient(baseUrl, { get: () => token });

  const session = await api.POST("/authorizations/", { body: { username, password } });
  if (session.error) {
    const { code, message, retry_after } = session.error;
    return typeof retry_after === "number"
      ? { ok: false, code, message, retryAfter: retry_after }
      : { ok: false, code, message };
  }
  token = session.data.token;

  const me = await api.GET("/user/");
  if (me.error) return { ok: false, code: me.error.code, message: me.error.message };
  return { ok: true, profile: me.data };
}
