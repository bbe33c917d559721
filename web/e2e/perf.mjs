// Lighthouse-style figures for the web UI, printed, not asserted:
//   node e2e/perf.mjs path/to/qiusuo
// The bundle's size (raw and gzipped), then for each page of a demo lab (jobs
// running) loaded cold in headless Chromium: first contentful paint, time until its
// heading and data are on screen, and time to interactive, taken as Lighthouse does
// it: the end of the last long task (>50 ms) before 2 s of quiet after that.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launchChromium, startLab } from "./lab.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const qiusuo = resolve(process.argv[2] ?? "../build-release/src/cli/qiusuo");
const dist = resolve(here, "..", "dist");
let lab;
let browser;

function bundle() {
  const rows = [];
  for (const f of readdirSync(join(dist, "assets"))) {
    const bytes = readFileSync(join(dist, "assets", f));
    rows.push([f, statSync(join(dist, "assets", f)).size, gzipSync(bytes, { level: 9 }).length]);
  }
  const total = rows.reduce((a, r) => [a[0] + r[1], a[1] + r[2]], [0, 0]);
  console.log("bundle (web/dist/assets)            bytes      gzip -9");
  for (const [f, raw, gz] of rows) console.log(`  ${f.padEnd(32)} ${String(raw).padStart(8)} ${String(gz).padStart(10)}`);
  console.log(`  ${"total".padEnd(32)} ${String(total[0]).padStart(8)} ${String(total[1]).padStart(10)}`);
}

async function main() {
  bundle();
  lab = await startLab(qiusuo, {
    demo: true,
    configure: (text) => text.replace(/^web_root = .*$/m, `web_root = "${dist}"`),
  });
  const base = lab.base;
  // Some jobs on the cluster, so its page has something to draw.
  const session = await fetch(`${base}/api/v1/sessions`, {
    method: "POST",
    body: JSON.stringify({ handle: "ada", password: "qiusuo-demo-2026" }),
  }).then((r) => r.json());
  for (const gpus of [2, 4, 4]) {
    await fetch(`${base}/api/v1/jobs`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ project_id: 1, name: `run-${gpus}`, gpus, workdir: "/tmp", argv: ["sleep", "60"] }),
    });
  }
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.getByLabel("Handle").fill("ada");
  await page.getByLabel("Password").fill("qiusuo-demo-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Ideas", level: 1 }).waitFor();
  await context.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  });
  console.log("\npage (cold load, demo lab)     FCP ms   content ms    TTI ms   long tasks");
  for (const [path, ready] of [
    ["/ideas", "article"],
    ["/projects/1", ".tasks li"],
    ["/cluster", ".gpu.busy"],
    ["/members/chen-wei", ".timeline li"],
    ["/record", ".hall li"],
    ["/ledger", "tbody tr"],
  ]) {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const cold = await context.newPage();
      await cold.route("**/*", (route) => route.continue());
      await cold.goto(base + path, { waitUntil: "commit" });
      await cold.locator(ready).first().waitFor({ timeout: 15000 });
      const content = await cold.evaluate(() => performance.now());
      await cold.waitForTimeout(2000);
      const m = await cold.evaluate(() => {
        const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
        const long = window.__long ?? [];
        const lastEnd = long.reduce((a, [s, d]) => Math.max(a, s + d), 0);
        return { fcp, long: long.length, lastEnd };
      });
      runs.push({ fcp: m.fcp, content, tti: Math.max(m.fcp, m.lastEnd, content), long: m.long });
      await cold.close();
    }
    const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[1];
    console.log(
      `  ${path.padEnd(28)} ${med("fcp").toFixed(0).padStart(6)} ${med("content").toFixed(0).padStart(12)} ${med("tti").toFixed(0).padStart(9)} ${String(med("long")).padStart(12)}`,
    );
  }
  console.log("(median of 3 loads each; server, browser and this script share the machine's cores)");
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await browser?.close().catch(() => undefined);
    lab?.stop();
  });
