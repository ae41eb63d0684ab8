// The classic registration journey against a development server (`cargo run`):
// captcha → SMS code → register → log in → the user page. The captcha answer and
// the code are read from the development outbox, which is on by default there.
import { createAccountsClient, type ErrorBody } from "../src/client";

function fail(step: string, error: ErrorBody | undefined): never {
  throw new Error(`${step}: ${error?.code ?? "unknown"} ${error?.message ?? ""}`);
}

export async function registerAndLogIn(
  baseUrl: string,
  mobile: string,
  username: string,
  password: string,
  // A fresh one on a real server; a mock server's outbox holds only the captcha of its example.
  captchaId: string = crypto.randomUUID(),
) {
  let token: string | undefined;
  const api = createAccountsClient(baseUrl, { get: () => token });

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
  const smsCode = queued.data.messages.find((m) => m.to === mobile)?.code ?? "";

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
