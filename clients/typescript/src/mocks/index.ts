// MSW handlers for every operation of the accounts service, for unit tests that run without a backend (in Node
// with `msw/node`, in the browser with `msw/browser`). By default each operation answers the document's own
// example of its success; a test overrides one operation with another documented answer (`mocks.error`,
// `mocks.example`) or a body of its own that the compiler checks against the document (`mocks.answer`), or
// writes any handler with `mocks.http`, openapi-msw's `http` typed from the generated `paths`.
import { HttpResponse, type HttpHandler, type RequestHandlerOptions } from "msw";
import { createOpenApiHttp, type OpenApiHttpHandlers } from "openapi-msw";

import type { paths } from "../schema";
import { errorCodes, examples, operationTable } from "./examples";
import type { DocumentedStatus, Example, OperationId, ResponseBody, Status } from "./types";

export { errorCodes, examples, operationTable };
export type { DocumentedStatus, ErrorBodyLiteral, OperationId, ResponseBody, Status } from "./types";

/** The error codes the document has an example of for an operation (`"invalid_credentials"`, `"rate_limited"`, …). */
export type ErrorCode<Op extends OperationId> = keyof (typeof errorCodes)[Op] & string;

export interface AccountsMocksOptions {
  /**
   * Whether operations that need a token answer their 401 example to a request without `Authorization:
   * JWT <token>` or `Bearer <token>`, as the service and a mock server do (true by default).
   */
  checkAuthorization?: boolean;
}

export interface AnswerInit {
  headers?: Record<string, string>;
  /** Answer the next request only; later ones get the handlers behind it again. */
  once?: boolean;
}

/**
 * `Authorization: JWT <token>` (the classic pages) or `Bearer <token>`: the two forms the service takes, its
 * scheme in any case, as the service reads it (adapters/http/src/auth.rs).
 */
export function isAuthorized(request: Request): boolean {
  return /^(JWT|Bearer) \S+$/i.test((request.headers.get("Authorization") ?? "").trim());
}

type AnyExample = {
  contentType: string | null;
  body: unknown;
  status?: number;
  base64?: boolean;
  headers?: Record<string, string>;
};

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function responseOf(status: number, answer: AnyExample): Response {
  const headers = new Headers(answer.headers);
  if (answer.contentType === null || answer.body === null) {
    return new HttpResponse(null, { status, headers });
  }
  headers.set("Content-Type", answer.contentType);
  if (answer.base64 && typeof answer.body === "string") {
    return new HttpResponse(bytesOf(answer.body), { status, headers });
  }
  if (answer.contentType.includes("json")) {
    return new HttpResponse(JSON.stringify(answer.body), { status, headers });
  }
  return new HttpResponse(String(answer.body), { status, headers });
}

function exampleOf(op: OperationId, status: string): AnyExample {
  const answer = (examples[op] as Record<string, AnyExample | undefined>)[status];
  if (!answer) throw new Error(`${op}: the document has no ${status} answer`);
  return answer;
}

/** The status an operation answers when all goes well: its first 2XX, else its first 3XX (the OAuth hops). */
function successStatus(op: OperationId): string {
  const statuses = Object.keys(examples[op]);
  const success = statuses.find((s) => s.startsWith("2")) ?? statuses.find((s) => s.startsWith("3"));
  if (!success) throw new Error(`${op}: the document has no success answer`);
  return success;
}

/**
 * The mocks of the service at `baseUrl`: the origin (and path prefix, if any) the client under test sends its
 * requests to, e.g. `http://accounts.test`. Not a wildcard origin: `*` then `/user/` would also match
 * `/oauth/qq/user/`.
 */
export function createAccountsMocks(baseUrl: string, options: AccountsMocksOptions = {}) {
  const checkAuthorization = options.checkAuthorization ?? true;
  const http: OpenApiHttpHandlers<paths> = createOpenApiHttp<paths>({ baseUrl });

  // One handler for an operation, through openapi-msw (its path turned into MSW's); the typed answer was
  // checked where it was made, so the resolver is built untyped here.
  function handle(op: OperationId, answer: () => Response, handlerOptions?: RequestHandlerOptions): HttpHandler {
    const { method, path, authenticated } = operationTable[op];
    const factory = http[method] as unknown as (
      path: string,
      resolver: (info: { request: Request }) => Response,
      options?: RequestHandlerOptions,
    ) => HttpHandler;
    return factory(
      path,
      ({ request }) => {
        if (authenticated && checkAuthorization && !isAuthorized(request)) {
          return responseOf(401, exampleOf(op, "401"));
        }
        return answer();
      },
      handlerOptions,
    );
  }

  /** The document's example of `status` for `op` (its success when no status is given). */
  function example<Op extends OperationId>(op: Op, status?: DocumentedStatus<Op>, handlerOptions?: RequestHandlerOptions) {
    const key = String(status ?? successStatus(op));
    const answer = exampleOf(op, key);
    const code = answer.status ?? Number(key);
    return handle(op, () => responseOf(code, answer), handlerOptions);
  }

  /** The document's error example whose `code` is `code`, with its status (e.g. `error("logIn", "rate_limited")`). */
  function error<Op extends OperationId>(op: Op, code: ErrorCode<Op>, handlerOptions?: RequestHandlerOptions) {
    const status = (errorCodes[op] as Record<string, string>)[code];
    if (status === undefined) throw new Error(`${op}: the document has no example of the error ${code}`);
    return example(op, status as DocumentedStatus<Op>, handlerOptions);
  }

  /** A body of the test's own, which must be what the document allows for `op` and `status`. */
  function answer<Op extends OperationId, S extends Status<Op>>(
    op: Op,
    status: S,
    body: ResponseBody<Op, S>,
    init: AnswerInit = {},
  ) {
    const documented = exampleOf(op, String(status));
    const custom: AnyExample = { contentType: documented.contentType, body };
    if (init.headers) custom.headers = init.headers;
    return handle(op, () => responseOf(status, custom), init.once ? { once: true } : undefined);
  }

  /** The document's example body of `status` for `op`, typed, for a test's expectations. */
  function body<Op extends OperationId, S extends DocumentedStatus<Op>>(op: Op, status: S): ResponseBody<Op, S> {
    return (exampleOf(op, String(status)) as Example<Op, S>).body;
  }

  const handlers: HttpHandler[] = (Object.keys(operationTable) as OperationId[]).map((op) => example(op));

  return { handlers, example, error, answer, body, http, operations: operationTable, examples };
}

export type AccountsMocks = ReturnType<typeof createAccountsMocks>;
