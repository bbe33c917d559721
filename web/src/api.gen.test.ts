// src/api.gen.ts is what `npm run gen:api` makes of the server's OpenAPI document
// today: a change to src/http/openapi.json needs the file made again.
import { readFileSync } from "node:fs";
import { generate, outputPath } from "../scripts/gen-api.mjs";

test("src/api.gen.ts is generated from the current src/http/openapi.json", async () => {
  const fresh = await generate();
  expect(readFileSync(outputPath, "utf8") === fresh, "run `npm run gen:api` in web/").toBe(true);
});
