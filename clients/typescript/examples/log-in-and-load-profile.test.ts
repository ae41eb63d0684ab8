// The login-then-profile function against the typed mocks: the document's examples by default, one operation
// overridden per test with a documented error (by its code) or a body of the test's own.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { createAccountsMocks, isAuthorized } from "../src/mocks";
import { logInAndLoadProfile } from "./log-in-and-load-profile";

const baseUrl = "http://accounts.test";
const mocks = createAccountsMocks(baseUrl);
const server = setupServer(...mocks.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("logInAndLoadProfile", () => {
  it("logs in and loads the profile with the token it got", async () => {
    const signIn = await logInAndLoadProfile(baseUrl, "alice", "correct-horse");

    // The default /user/ mock answers 401 without `Authorization: JWT <token>`, so this also says the token was sent.
    expect(signIn).toEqual({ ok: true, profile: mocks.body("getCurrentUser", 200) });
  });

  it("reports a wrong password as invalid_credentials", async () => {
    server.use(mocks.error("logIn", "invalid_credentials"));

    const signIn = await logInAndLoadProfile(baseUrl, "alice", "wrong");

    expect(signIn).toEqual({ ok: false, code: "invalid_credentials", message: "用户名或密码错误" });
  });

  it("reports a lock as rate_limited with the seconds to wait", async () => {
    server.use(mocks.error("logIn", "rate_limited"));

    const signIn = await logInAndLoadProfile(baseUrl, "alice", "wrong");

    expect(signIn).toMatchObject({ ok: false, code: "rate_limited", retryAfter: 900 });
  });

  it("shows the profile the service gives, whatever it holds", async () => {
    const alice = mocks.body("getCurrentUser", 200);
    server.use(mocks.answer("getCurrentUser", 200, { ...alice, nickname: "小爱", email: "alice@example.com" }));

    const signIn = await logInAndLoadProfile(baseUrl, "alice", "correct-horse");

    expect(signIn.ok && signIn.profile.nickname).toBe("小爱");
  });

  it("reports a session that ends between the two calls", async () => {
    server.use(mocks.example("getCurrentUser", 401));

    const signIn = await logInAndLoadProfile(baseUrl, "alice", "correct-horse");

    expect(signIn).toMatchObject({ ok: false, code: "not_authenticated" });
  });
});

describe("the mocks", () => {
  it("answer a call without a token with the document's 401", async () => {
    const answer = await fetch(`${baseUrl}/user/`);

    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual(mocks.body("getCurrentUser", 401));
  });

  it("take the token in either header form the service takes", () => {
    const withHeader = (value: string) => new Request(`${baseUrl}/user/`, { headers: { Authorization: value } });

    expect(isAuthorized(withHeader("JWT eyJ.x.y"))).toBe(true);
    expect(isAuthorized(withHeader("Bearer eyJ.x.y"))).toBe(true);
    expect(isAuthorized(withHeader("jwt eyJ.x.y"))).toBe(true);
    expect(isAuthorized(withHeader("Basic YWxpY2U6eA=="))).toBe(false);
    expect(isAuthorized(withHeader("JWT "))).toBe(false);
  });

  it("answer every operation of the document with its documented success", async () => {
    const operations = Object.entries(mocks.operations);
    expect(mocks.handlers).toHaveLength(operations.length);
    for (const [op, { method, path }] of operations) {
      const url = `${baseUrl}${path.replace(/\{[^}]+\}/g, "x")}`;
      const answer = await fetch(url, {
        method: method.toUpperCase(),
        headers: { Authorization: "Bearer x" },
        redirect: "manual",
      });
      const documented = Object.keys(mocks.examples[op as keyof typeof mocks.examples]);
      expect(answer.status, `${method} ${path}`).toBe(Number(documented.find((s) => /^[23]/.test(s))));
    }
  });

  it("send a wildcard answer with the status its description names", async () => {
    server.use(mocks.error("qqLoginStart", "method_not_allowed"));

    const answer = await fetch(`${baseUrl}/oauth/qq/start/`, { redirect: "manual" });

    expect(answer.status).toBe(405);
    expect(await answer.json()).toMatchObject({ code: "method_not_allowed" });
  });

  it("refuse at compile time what the document does not allow", () => {
    // `npm run typecheck` fails if these lines compile; at run time the unknown code throws.
    // @ts-expect-error logIn has no example of this error
    expect(() => mocks.error("logIn", "no_such_code")).toThrow();
    // @ts-expect-error a username is a string
    mocks.answer("getCurrentUser", 200, { ...mocks.body("getCurrentUser", 200), username: 7 });
    // @ts-expect-error logIn never answers 404
    expect(() => mocks.answer("logIn", 404, { code: "not_found", message: "", non_field_errors: [] })).toThrow();
  });
});
