// Types of the mocks, all derived from the operations openapi-typescript generates (src/schema.d.ts), so an
// example or a custom answer that the document would not allow fails to compile.
import type { components, operations } from "../schema";

/** An operation of the document, by its operationId (`logIn`, `getCurrentUser`, …). */
export type OperationId = keyof operations;

type Responses<Op extends OperationId> = operations[Op]["responses"];

/** The statuses the document gives an operation, wildcards (`4XX`, `default`) included. */
export type DocumentedStatus<Op extends OperationId> = keyof Responses<Op> & (number | string);

/** The numeric statuses the document gives an operation: those a custom answer may use. */
export type Status<Op extends OperationId> = Extract<keyof Responses<Op>, number>;

type ErrorBody = components["schemas"]["ErrorBody"];

/**
 * The error body as an object literal can be: openapi-typescript writes `ErrorBody` as its named fields and an
 * index signature of field errors (`string[]`), which `code: string` itself breaks, so no literal fits it. Here
 * the named fields keep their types and the field errors are the other keys.
 */
export type ErrorBodyLiteral = { [K in keyof ErrorBody as string extends K ? never : K]: ErrorBody[K] } & {
  [field: string]: string[] | string | number | null | undefined;
};

type Literal<Body> = [Body] extends [ErrorBody] ? ErrorBodyLiteral : Body;

/** The body of an answer: what its one content type holds, or `null` for an answer without content. */
export type ResponseBody<Op extends OperationId, S extends DocumentedStatus<Op>> = Responses<Op>[S] extends {
  content: infer Content;
}
  ? Literal<Content[keyof Content]>
  : null;

/** One answer of the document: content type, its example body, and the headers it sets. */
export interface Example<Op extends OperationId, S extends DocumentedStatus<Op>> {
  contentType: string | null;
  body: ResponseBody<Op, S>;
  /** The status sent for a wildcard answer (`4XX`, `default`). */
  status?: number;
  /** The body is base64 of bytes (a picture), not text. */
  base64?: boolean;
  headers?: Record<string, string>;
}

/** The document's examples, by operationId and status; the generated module must fit this type. */
export type OperationExamples = {
  [Op in OperationId]: { [S in DocumentedStatus<Op>]?: Example<Op, S> };
};
