import { kindName, tables, translate } from "./i18n";

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

test("a count of one takes the singular, in English", () => {
  expect(translate("en", "record.hall.entries", { n: 1 })).toBe("1 entry");
  expect(translate("en", "record.hall.entries", { n: 2 })).toBe("2 entries");
  expect(translate("en", "record.hall.entries", { n: 0 })).toBe("0 entries");
  expect(translate("zh", "record.hall.entries", { n: 1 })).toBe("1 条");
});

test("signing out and leaving a project are different words", () => {
  for (const lang of ["en", "zh"] as const) {
    expect(translate(lang, "nav.signout")).not.toBe(translate(lang, "projects.leave"));
  }
});

test("ledger kinds read in Chinese; an unknown kind stays as sent", () => {
  expect(kindName("zh", "formal-analysis")).toBe("形式分析");
  expect(kindName("en", "formal-analysis")).toBe("formal-analysis");
  expect(kindName("zh", "brand-new")).toBe("brand-new");
});
