// What the browser scripts share: a fresh lab behind a real `qiusuo serve`, and
// Debian's Chromium started the way this machine needs (no sandbox as root, no
// background connections to the outside).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

// Creates a lab (`--demo` when asked), edits its config with `configure`, serves it on
// a free port. Returns its base URL and stop(), which also removes the lab.
export async function startLab(qiusuo, { demo = false, configure = (text) => text } = {}) {
  const data = mkdtempSync(join(tmpdir(), "qiusuo-web-"));
  execFileSync(qiusuo, ["init", "--data", data, "--password-stdin", ...(demo ? ["--demo"] : [])], {
    input: "steward-password-1\n",
  });
  const config = join(data, "qiusuo.toml");
  writeFileSync(config, configure(readFileSync(config, "utf8")));
  const server = spawn(qiusuo, ["serve", "--data", data, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () => {
    server.kill("SIGTERM");
    rmSync(data, { recursive: true, force: true });
  };
  try {
    const base = await new Promise((ok, fail) => {
      let out = "";
      server.stdout.on("data", (d) => {
        out += d;
        const m = /serving (http:\/\/[0-9.:]+)/.exec(out);
        if (m) ok(m[1]);
      });
      server.on("exit", (code) => fail(new Error(`qiusuo serve exited with ${code}`)));
      setTimeout(() => fail(new Error("qiusuo serve did not start")), 15000);
    });
    return { base, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
