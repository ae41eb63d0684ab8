// Writes src/mocks/examples.ts from ../../openapi/openapi.json: for every operation its method, path and
// whether it needs a token, the document's example of each answer, and which error code each error example
// carries. The typed MSW handlers (src/mocks/index.ts) answer with these; the compiler checks every example
// against the types openapi-typescript generates (src/schema.d.ts).
//   node scripts/generate-mocks.mjs           rewrite src/mocks/examples.ts
//   node scripts/generate-mocks.mjs --check   fail if src/mocks/examples.ts is not what the document gives
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const documentPath = join(here, "../../../openapi/openapi.json");
const outputPath = join(here, "../src/mocks/examples.ts");
const doc = JSON.parse(readFileSync(documentPath, "utf8"));
const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

// The document draws the captcha but has no picture to show: a 1×1 transparent PNG stands in for it.
const BLANK_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function deref(schema) {
  let seen = 0;
  while (schema && typeof schema.$ref === "string") {
    if (++seen > 20) throw new Error(`a $ref loop at ${schema.$ref}`);
    const name = schema.$ref.replace("#/components/schemas/", "");
    schema = doc.components.schemas[name];
    if (!schema) throw new Error(`unknown schema ${name}`);
  }
  return schema;
}

// The example a schema gives, as Prism picks one: its own example, else one built from its parts.
function exampleOf(schema, where) {
  schema = deref(schema);
  if (!schema) throw new Error(`${where}: no schema`);
  if ("example" in schema) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ("const" in schema) return schema.const;
  if ("default" in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const choice of ["oneOf", "anyOf"]) {
    if (Array.isArray(schema[choice]) && schema[choice].length > 0) return exampleOf(schema[choice][0], where);
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, where)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "array") return [exampleOf(schema.items, `${where}[]`)];
  if (type === "object" || schema.properties) {
    const object = {};
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      object[name] = exampleOf(property, `${where}.${name}`);
    }
    return object;
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) return null;
  throw new Error(`${where}: the document has no example here; add one to the handler's annotation`);
}

function answerOf(response, where) {
  const content = response.content ?? {};
  const [contentType, media] = Object.entries(content)[0] ?? [];
  const answer = {};
  if (contentType === undefined) {
    answer.contentType = null;
    answer.body = null;
  } else if ("example" in media) {
    answer.contentType = contentType;
    answer.body = media.example;
  } else if (media.examples && Object.keys(media.examples).length > 0) {
    answer.contentType = contentType;
    answer.body = Object.values(media.examples)[0].value;
  } else if (contentType === "image/png") {
    answer.contentType = contentType;
    answer.body = BLANK_PNG;
    answer.base64 = true;
  } else {
    answer.contentType = contentType;
    answer.body = exampleOf(media.schema, where);
  }
  const headers = {};
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const schema = deref(header.schema ?? {});
    if ("example" in header) headers[name] = String(header.example);
    else if (schema && "example" in schema) headers[name] = String(schema.example);
    // The service sends Retry-After with the same seconds as the body's retry_after.
    else if (name === "Retry-After" && typeof answer.body?.retry_after === "number") {
      headers[name] = String(answer.body.retry_after);
    }
  }
  if (Object.keys(headers).length > 0) answer.headers = headers;
  return answer;
}

// A wildcard answer (`4XX`, `default`) is sent with the status its description names (`e.g. 405 …`), else the
// first of its class (`default` stands for any error: 500).
function concreteStatus(status, description) {
  const wanted = status === "default" ? /\b([45]\d\d)\b/ : new RegExp(`\\b(${status[0]}\\d\\d)\\b`);
  const named = description.match(wanted);
  if (named) return Number(named[1]);
  return status === "default" ? 500 : Number(status[0]) * 100;
}

const table = {};
const examples = {};
const errorCodes = {};
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of methods) {
    const operation = item[method];
    if (!operation) continue;
    const id = operation.operationId;
    if (!id) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
    const authenticated = (operation.security ?? doc.security ?? []).some((r) => Object.keys(r).length > 0);
    table[id] = { method, path, authenticated };
    examples[id] = {};
    errorCodes[id] = {};
    for (const [status, response] of Object.entries(operation.responses)) {
      const answer = answerOf(response, `${method.toUpperCase()} ${path} ${status}`);
      if (!/^\d{3}$/.test(status)) answer.status = concreteStatus(status, response.description ?? "");
      examples[id][status] = answer;
      const code = answer.body?.code;
      if (typeof code === "string" && /^([45]|default)/.test(status) && !(code in errorCodes[id])) {
        errorCodes[id][code] = status;
      }
    }
  }
}

const sorted = (object) => Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
const json = (value) => JSON.stringify(value, null, 2);
const output = `// Generated from openapi/openapi.json by \`npm run generate:mocks\` (scripts/generate-mocks.mjs): do not edit.
// CI fails when this file is not what the script makes of the document. The compiler checks every example
// against the types of src/schema.d.ts (\`OperationExamples\`).
import type { OperationExamples } from "./types";

/** Every operation by its operationId: method, path, and whether it needs \`Authorization\`. */
export const operationTable = ${json(sorted(table))} as const;

/** The document's example of every answer of every operation, by operationId and status. */
export const examples: OperationExamples = ${json(sorted(examples))};

/** The error code of each error example, with the status that answers it, by operationId. */
export const errorCodes = ${json(sorted(errorCodes))} as const;
`;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(outputPath, "utf8");
  } catch {
    // A missing file is stale too.
  }
  if (committed !== output) {
    console.error("src/mocks/examples.ts is stale: run `npm run generate:mocks` and commit the result");
    process.exit(1);
  }
  console.log("src/mocks/examples.ts matches openapi/openapi.json");
} else {
  writeFileSync(outputPath, output);
  console.log(`src/mocks/examples.ts: ${Object.keys(table).length} operations`);
}
