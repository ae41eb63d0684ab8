// The classic registration journey against a development server (`cargo run`):
// captcha → SMS code → register → log in → the user page; and sign-in by SMS
// code alone, which opens an account for a mobile without one. The captcha
// answer and the code are read from the development outbox, which is on by
// default there.
import { createAccountsClient, type ErrorBody } from "../src/client";

type AccountsClient = ReturnType<typeof createAccountsClient>;

function fail(step: string, error: ErrorBody | undefined): never {
  throw new Error(`${step}: ${error?.code ?? "unknown"} ${error?.message ?? ""}`);
}

// Steps 1–3: a captcha solved from the outbox, then the SMS code it unlocks. `captchaId` is a fresh one on a real
// server; a mock server's outbox holds only the captcha of its example.
async function smsCodeFor(api: AccountsClient, mobile: string, captchaId: string = crypto.randomUUID()): Promise<string> {
  // 1. A captcha for a client-generated UUID (a PNG; a page shows it).
  const captcha = await api.GET("/image_codes/{uuid}/", { params: { path: { uuid: captchaId } }, parseAs: "blob" });
  if (captcha.error) fail("captcha", captcha.error);

  // 2. Its answer from the development outbox, instead of a person reading it.
  const outbox = await api.GET("/dev/outbox/");
  if (outbox.error) fail("outbox", outbox.error);
  const text = outbox.data.captchas.find((c) => c.id === captchaId)?.text ?? "";

  // 3. An SMS code; the captcha is spent by this call, right or wrong.
  const sent = await api.GET("/sms_codes/{mobile}/", {
    params: { path: { mobile }, query: { image_code_id: captchaId, text } },
  });
  if (sent.error) fail("sms code", sent.error);
  const queued = await api.GET("/dev/outbox/");
  if (queued.error) fail("outbox", queued.error);
  return queued.data.messages.find((m) => m.to === mobile)?.code ?? "";
}

export async function registerAndLogIn(
  baseUrl: string,
  mobile: string,
  username: string,
  password: string,
  captchaId: string = crypto.randomUUID(),
) {
  let token: string | undefined;
  const api = createAccountsClient(baseUrl, { get: () => token });
  const smsCode = await smsCodeFor(api, mobile, captchaId);

  // 4. Register: the new user is logged in at once.
  const registered = await api.POST("/users/", {
    body: { username, password, password2: password, mobile, sms_code: smsCode, allow: true },
  });
  if (registered.error) fail("register", registered.error);

  // 5. Log in with the mobile (a username or an email works too).
  const session = await api.POST("/authorizations/", { body: { username: mobile, password } });
  if (session.error) fail("log in", session.error);
  token = session.data.token;

  // 6. The signed-in user.
  const me = await api.GET("/user/");
  if (me.error) fail("user", me.error);
  return me.data;
}

// Sign-in by SMS code (another mobile than above, or a minute later: one SMS
// per mobile per minute). A mobile without an account gets one, with a
// generated username and no password: `created` says so.
export async function signInWithSms(baseUrl: string, mobile: string) {
  let token: string | undefined;
  const api = createAccountsClient(baseUrl, { get: () => token });
  const smsCode = await smsCodeFor(api, mobile);

  // 4. The code signs in; it is spent, and cannot register or sign in again.
  const session = await api.POST("/authorizations/sms/", { body: { mobile, sms_code: smsCode } });
  if (session.error) fail("sms sign-in", session.error);
  token = session.data.token;
  const created: boolean = session.data.created;

  // 5. The signed-in user.
  const me = await api.GET("/user/");
  if (me.error) fail("user", me.error);
  return { user: me.data, created };
}

// The account page's "devices" and "recent sign-ins": where the person is
// signed in, ending every other session, the history, and a copy of their data.
export async function signOutOtherDevices(baseUrl: string, token: string) {
  const api = createAccountsClient(baseUrl, { get: () => token });

  // 1. Where the person is signed in; `current` is this page's own session.
  const sessions = await api.GET("/user/sessions/");
  if (sessions.error) fail("sessions", sessions.error);

  // 2. End every other one: each stops working at once, everywhere.
  for (const session of sessions.data.filter((s) => !s.current)) {
    const ended = await api.DELETE("/user/sessions/{session_id}/", { params: { path: { session_id: session.id } } });
    if (ended.error) fail(`end session on ${session.device}`, ended.error);
  }

  // 3. The latest sign-ins, refused ones included (`outcome`), newest first.
  const history = await api.GET("/user/logins/", { params: { query: { limit: 10 } } });
  if (history.error) fail("sign-in history", history.error);

  // 4. A copy of every personal datum held, to save as a file.
  const copy = await api.GET("/user/data/");
  if (copy.error) fail("personal data", copy.error);
  return { ended: sessions.data.length - 1, history: history.data, copy: copy.data };
}

// Deleting the account (PIPL art. 47): confirmed with the password, every session ends at once and the
// account is erased after the cooling-off (`delete_after`, 15 days by default). Signing in before then
// restores it, and the sign-in's answer says so with `restored: true`.
export async function deleteAccountThenChangeMind(baseUrl: string, account: string, password: string) {
  let token: string | undefined;
  const api = createAccountsClient(baseUrl, { get: () => token });

  const session = await api.POST("/authorizations/", { body: { username: account, password } });
  if (session.error) fail("log in", session.error);
  token = session.data.token;

  // 202: scheduled. A wrong password is a 400 with `password` among the fields; an account without a
  // password sends `sms_code` instead, one with neither (WeChat only) an empty body within 5 minutes of
  // signing in (else 400 `recent_sign_in_required`).
  const deletion = await api.POST("/user/deletion/", { body: { password } });
  if (deletion.error) fail("deletion", deletion.error);
  const deleteAfter: string = deletion.data.delete_after;

  // The token is dead now; signing in again before `deleteAfter` keeps the account.
  token = undefined;
  const back = await api.POST("/authorizations/", { body: { username: account, password } });
  if (back.error) fail("log in again", back.error);
  const restored: boolean = back.data.restored;
  return { deleteAfter, restored };
}
