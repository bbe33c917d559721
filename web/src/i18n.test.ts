import { tables, translate } from "./i18n";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("both languages have every string, with the same placeholders", () => {
  const en = tables.en as Record<string, string>;
  const zh = tables.zh as Record<string, string>;
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    expect(en[key]?.trim(), key).not.toBe("");
    expect(zh[key]?.trim(), key).not.toBe("");
    expect(placeholders(zh[key] ?? ""), key).toEqual(placeholders(en[key] ?? ""));
  }
});

test("placeholders are filled, and a missing value shows itself", () => {
  expect(translate("en", "record.title", { who: "ada" })).toBe("@ada's record");
  expect(translate("zh", "record.title", { who: "ada" })).toBe("@ada 的贡献记录");
  expect(translate("en", "record.title")).toBe("@{who}'s record");
});
