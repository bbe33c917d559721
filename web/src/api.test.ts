// The client calls only routes the server documents (and the server's test checks
// that its document matches its router).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROUTES } from "./api";

const doc = JSON.parse(readFileSync(resolve(__dirname, "../../src/http/openapi.json"), "utf8")) as {
  paths: Record<string, Record<string, unknown>>;
};

test.each(ROUTES.map(([m, p]) => [m, p]))("%s %s is in /api/v1/openapi.json", (method, path) => {
  expect(doc.paths[path], path).toBeDefined();
  expect(Object.keys(doc.paths[path] ?? {})).toContain(method.toLowerCase());
});

test("every URL the client builds matches one of its routes", async () => {
  const source = readFileSync(resolve(__dirname, "api.ts"), "utf8");
  const used = [...source.matchAll(/call<[^>]*>\(\s*(?:back \? "PUT" : "DELETE"|"(\w+)"),\s*`?"?(\/api\/v1\/[^`"]*)/g)];
  expect(used.length).toBeGreaterThanOrEqual(30);
  // Segment by segment: a {param} of a route, or an ${expression} of the client
  // (an id, or one of several actions), stands for anything.
  const fits = (used: string, route: string) => {
    const a = used.split("/");
    const b = route.split("/");
    return a.length === b.length && a.every((s, i) => s === "x" || /^\{\w+\}$/.test(b[i] ?? "") || s === b[i]);
  };
  for (const m of used) {
    const path = (m[2] ?? "")
      .replace(/\$\{q\(.*$/, "")
      .replace(/\?.*$/, "")
      .replace(/\$\{[^}]+\}/g, "x");
    expect(ROUTES.some(([, route]) => fits(path, route)), path).toBe(true);
  }
});
