// Generates src/api.gen.ts, the API's types, from the server's OpenAPI document
// (src/http/openapi.json): `npm run gen:api`. api.gen.test.ts checks it is current.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
export const documentPath = resolve(here, "../../src/http/openapi.json");
export const outputPath = resolve(here, "../src/api.gen.ts");

const banner =
  "// Generated from src/http/openapi.json by `npm run gen:api` (scripts/gen-api.mjs).\n" +
  "// Do not edit: change the server's document and run it again.\n\n";

export async function generate() {
  const doc = JSON.parse(readFileSync(documentPath, "utf8"));
  const ast = await openapiTS(doc, { alphabetize: false, exportType: false });
  return banner + astToString(ast);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(outputPath, await generate());
  console.log(`wrote ${outputPath}`);
}
