// The web UI end to end, in Debian's Chromium driven by playwright-core, against a
// real `qiusuo serve` on a fresh SQLite lab:
//   node e2e/run.mjs path/to/qiusuo
// Two people sign up, post and back an idea, start a project, apply and accept,
// claim a task, submit a job and watch it run and finish on the cluster page, see
// the contribution on a profile, and verify the ledger in the browser. Every page is
// screenshotted in English and in Chinese into e2e/artifacts/.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, startLab } from "./lab.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const qiusuo = resolve(process.argv[2] ?? "../build/src/cli/qiusuo");
const artifacts = join(here, "artifacts");
const dist = resolve(here, "..", "dist");
if (!existsSync(join(dist, "index.html"))) {
  console.error(`web e2e: ${dist} is not built; run \`make web\` (make test does)`);
  process.exit(1);
}
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

let lab;
let browser;
let failures = 0;
let checks = 0;
let expectNotFound = false; // while the test opens addresses of nothing on purpose
let expectConflict = false; // while the test asks for what the lab cannot do, on purpose
const check = (ok, what) => {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
};

async function main() {
  // Seconds, not minutes, so the job runs and ends within the test.
  lab = await startLab(qiusuo, {
    configure: (text) =>
      text
        .replace(/^web_root = .*$/m, `web_root = "${dist}"`)
        .replace(/^scheduler_interval_ms = .*$/m, "scheduler_interval_ms = 200")
        .replace(/^virtual_gpus = .*$/m, "virtual_gpus = 4"),
  });
  const base = lab.base;
  browser = await launchChromium();
  const shots = [];
  const shot = async (page, name, { fullPage = true } = {}) => {
    await page.waitForTimeout(150);
    const file = join(artifacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage });
    shots.push(file);
  };
  const person = async (handle, name) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    page.on("pageerror", (e) => check(false, `${handle}: page error ${e.message}`));
    page.on(
      "console",
      (m) => m.type() === "error" && !/401|403/.test(m.text()) && !(expectNotFound && /404/.test(m.text())) && !(expectConflict && /409/.test(m.text())) && check(false, `${handle}: console ${m.text()}`),
    );
    await page.goto(base + "/");
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByLabel("Handle").fill(handle);
    await page.getByLabel("Full name").fill(name);
    await page.getByLabel("Password").fill(`${handle}-password-1`);
    if (handle === "ada") await shot(page, "01-sign-up.en");
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Ideas", level: 1 }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "qs_session");
    check(session?.httpOnly === true && session.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict");
    return page;
  };

  const ada = await person("ada", "Ada Lovelace");
  const bob = await person("bob", "Bob Kahn");

  // Ada posts an idea, with a Markdown preview.
  await ada.getByLabel("Title").fill("Block-sparse attention");
  await ada.getByLabel("Pitch (Markdown)").fill("## Why\nMost heads attend to **a few** blocks.\n\n- profile\n- write a kernel");
  await ada.getByRole("tab", { name: "Preview" }).click();
  check(await ada.locator(".preview strong", { hasText: "a few" }).isVisible(), "the preview renders Markdown");
  await shot(ada, "02-idea-preview.en");
  await ada.getByRole("tab", { name: "Write" }).click();
  await ada.getByRole("button", { name: "Post an idea" }).click();
  await ada.getByRole("heading", { name: "Block-sparse attention" }).waitFor();

  // Bob finds it by search and backs it; who backs what is shown.
  await bob.reload();
  await bob.getByLabel("Search ideas").fill("sparse");
  const card = bob.locator("article", { hasText: "Block-sparse attention" });
  // By keyboard: Tab reaches the button, Enter presses it.
  await card.getByRole("button", { name: "Back" }).focus();
  await bob.keyboard.press("Enter");
  await card.getByText("Backers: @bob").waitFor();
  await shot(bob, "03-ideas.en");

  // Ada starts a project from it, looking for people.
  await ada.reload();
  await ada.locator("article", { hasText: "Block-sparse attention" }).getByRole("button", { name: "Start a project from it" }).click();
  await ada.getByLabel("Looking for (comma-separated roles)").fill("CUDA kernels, evaluation");
  await ada.getByRole("button", { name: "Start a project" }).click();
  await ada.getByRole("heading", { name: "Block-sparse attention", level: 1 }).waitFor();
  const projectUrl = ada.url();
  check(/\/projects\/\d+$/.test(projectUrl), `the project has its page: ${projectUrl}`);

  // Bob applies; Ada accepts. Nobody is assigned.
  await bob.goto(projectUrl);
  await bob.getByLabel("Why you want to join").fill("I write kernels");
  await bob.getByRole("button", { name: "Apply to join" }).click();
  await bob.getByText("bob — applied").waitFor();
  // Ada's top bar counts what waits for her answer; her inbox lists it.
  await ada.reload();
  await ada.getByTestId("inbox-count").getByText("1", { exact: true }).waitFor();
  await ada.getByTestId("inbox-link").click();
  await ada.getByTestId("inbox-mine").getByText("@bob applies to Block-sparse attention").waitFor();
  await bob.goto(base + "/inbox");
  await bob.getByTestId("inbox-asked").getByText("You applied to Block-sparse attention").waitFor();
  await bob.goto(projectUrl);
  await shot(ada, "16-inbox.en");
  await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await ada.getByRole("heading", { name: "收件箱", level: 1 }).waitFor();
  await shot(ada, "16-inbox.zh");
  await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  await ada.goto(projectUrl);
  await ada.getByRole("listitem").filter({ hasText: "@bob — applied" }).getByRole("button", { name: "Accept" }).click();
  await ada.locator("ul li a", { hasText: "@bob" }).first().waitFor();
  await ada.waitForFunction(() => !document.querySelector('[data-testid="inbox-count"]'), null, { timeout: 5000 });

  // Ada edits her idea on its page, with the preview the post form has, and sees it
  // changed; Bob, not its author, sees no edit button.
  await ada.goto(base + "/ideas");
  await ada.locator("article", { hasText: "Block-sparse attention" }).getByRole("link", { name: "Block-sparse attention" }).click();
  await ada.getByRole("heading", { name: "Block-sparse attention", level: 1 }).waitFor();
  const ideaUrl = ada.url();
  await ada.getByTestId("idea-edit").click();
  const edit = ada.getByTestId("idea-edit-form");
  await edit.getByLabel("Title").fill("Block-sparse attention, revised");
  await edit.getByLabel("Pitch (Markdown)").fill("## Why\nMost heads attend to **very few** blocks.");
  await edit.getByRole("tab", { name: "Preview" }).click();
  check(await edit.locator(".preview strong", { hasText: "very few" }).isVisible(), "the idea's edit form previews Markdown");
  await shot(ada, "21-idea-edit.en");
  await edit.getByRole("button", { name: "Save" }).click();
  await ada.getByRole("heading", { name: "Block-sparse attention, revised", level: 1 }).waitFor();
  check((await ada.getByTestId("idea-edit-form").count()) === 0, "the edit form closes once saved");
  await ada.reload();
  await ada.getByRole("heading", { name: "Block-sparse attention, revised", level: 1 }).waitFor();
  check(await ada.locator("strong", { hasText: "very few" }).first().isVisible(), "the edited pitch is shown after a reload");
  await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await ada.getByTestId("idea-edit").getByText("编辑").waitFor();
  await ada.getByTestId("idea-edit").click();
  await ada.getByRole("heading", { name: "编辑你的想法" }).waitFor();
  await shot(ada, "21-idea-edit.zh");
  await ada.getByRole("button", { name: "取消" }).click();
  await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  await bob.goto(ideaUrl);
  await bob.getByRole("heading", { name: "Block-sparse attention, revised", level: 1 }).waitFor();
  check((await bob.getByTestId("idea-edit").count()) === 0, "only the idea's author sees an edit button");
  await ada.goto(projectUrl);
  await bob.goto(projectUrl);

  // Ada adds a task; Bob claims it with one click.
  await ada.getByLabel("Task title").fill("Profile head sparsity");
  await ada.getByRole("button", { name: "Add a task" }).click();
  await ada.getByText("Profile head sparsity").waitFor();
  await bob.reload();
  await bob.getByRole("listitem").filter({ hasText: "Profile head sparsity" }).getByRole("button", { name: "Claim" }).click();
  await bob.getByText("claimed by @bob").waitFor();
  await shot(bob, "04-project.en");

  // Bob submits a job; the job page shows its output as it grows.
  await bob.getByLabel("Name", { exact: true }).fill("profile");
  await bob.getByLabel("GPUs").fill("2");
  await bob.getByLabel("Command (run with sh -c)").fill("for i in $(seq 1 12); do echo step $i; sleep 0.5; done");
  await bob.getByRole("button", { name: "Submit a job" }).click();
  await bob.getByRole("heading", { name: /Job #\d+: profile/ }).waitFor();
  const jobUrl = bob.url();
  // The connection drops while the job prints: the page says so, and once back it
  // shows the output on from where it was, not again from the start.
  await bob.getByTestId("job-log").getByText("step 2").waitFor({ timeout: 20000 });
  await bob.context().setOffline(true);
  const cut = await bob
    .getByTestId("job-link")
    .getByText(/reconnecting|disconnected/)
    .waitFor({ timeout: 10000 })
    .then(() => true, () => false);
  check(cut, "the job page says when its live connection is cut");
  await bob.waitForTimeout(1500);
  await bob.context().setOffline(false);

  // Ada watches the cluster page: the job runs on two GPUs, then they are free again,
  // without a reload (server-sent events).
  await ada.goto(base + "/cluster");
  await ada.getByText("live", { exact: true }).waitFor();
  await ada.locator(".gpu.busy").first().waitFor({ timeout: 10000 });
  check((await ada.locator(".gpu.busy").count()) === 2, "two GPUs are busy while the job runs");
  await ada.getByTestId("utilization").getByText(/Utilization: \d+%/).waitFor();
  await shot(ada, "05-cluster-running.en");
  await ada.evaluate(() => document.querySelector("html")?.setAttribute("lang", "en"));
  await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await ada.getByRole("heading", { name: /集群/ }).waitFor();
  await shot(ada, "05-cluster-running.zh");
  await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  await bob.getByTestId("job-log").getByText("step 12").waitFor({ timeout: 20000 });
  await bob.getByTestId("job-state").getByText("succeeded").waitFor({ timeout: 10000 });
  const lines = (await bob.getByTestId("job-log").textContent()).trim().split("\n");
  check(
    lines.join(",") === Array.from({ length: 12 }, (_, i) => `step ${i + 1}`).join(","),
    `after a reconnect the output shows each line once: ${lines.join(",")}`,
  );
  await bob.getByTestId("job-link").getByText("live").waitFor({ timeout: 15000 });
  await shot(bob, "06-job.en");
  const freed = await ada
    .waitForFunction(() => document.querySelectorAll(".gpu.busy").length === 0, null, { timeout: 10000 })
    .then(() => true, () => false);
  check(freed, "the GPUs are free again after the job, without a reload");

  // Bob records what the run taught.
  await bob.goto(jobUrl);
  await bob.getByLabel("What happened").fill("Heads 3-7 put 90% of their mass in 4 blocks.");
  await bob.getByRole("button", { name: "Save" }).click();
  await bob.getByText("Heads 3-7 put 90%").waitFor();
  // Its output downloads as a file, whole.
  const [download] = await Promise.all([
    bob.waitForEvent("download"),
    bob.getByRole("button", { name: "Download the output" }).click(),
  ]);
  const saved = readFileSync(await download.path(), "utf8");
  check(download.suggestedFilename().endsWith(".stdout.txt") && saved.includes("step 1\n") && saved.includes("step 12\n"), "the job's output downloads whole");

  // The contributions are on Bob's record.
  await bob.goto(base + "/members/bob");
  await bob.getByRole("heading", { name: "@bob's record" }).waitFor();
  for (const kind of ["backing", "joined", "investigation", "formal-analysis"]) {
    check((await bob.locator(`.timeline li[data-kind="${kind}"]`).count()) >= 1, `bob's record holds a ${kind} entry`);
  }
  check(await bob.getByRole("img", { name: "Contributions over the year" }).isVisible(), "the heat map is drawn");
  // Bob edits his own profile; nobody else sees the form on his page.
  await bob.getByText("Edit your profile").click();
  await bob.getByLabel("Skills (comma-separated)").fill("CUDA, profiling");
  await bob.getByRole("form", { name: "Edit your profile" }).getByRole("button", { name: "Save" }).click();
  await bob.getByText("Skills: CUDA, profiling").waitFor();
  await ada.goto(base + "/members/bob");
  await ada.getByText("Skills: CUDA, profiling").waitFor();
  check((await ada.getByText("Edit your profile").count()) === 0, "only the member edits their own profile");
  // Ada vouches for bob's outcome note; the confirmation is itself an entry, and
  // nobody is offered to confirm their own.
  const note = ada.locator('.timeline li[data-kind="formal-analysis"]').first();
  await note.getByRole("button", { name: "Confirm" }).click();
  await note.getByRole("status").getByText(/Confirmed \(entry #\d+\)/).waitFor();
  check((await bob.locator(".timeline li").getByRole("button", { name: "Confirm" }).count()) === 0, "nobody confirms their own entries");
  await shot(bob, "07-profile.en");
  await bob.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await bob.getByRole("heading", { name: "@bob 的贡献记录" }).waitFor();
  await shot(bob, "07-profile.zh");
  await bob.getByRole("button", { name: "将界面语言切换为英文" }).click();

  // The ledger: the checkpoint's signature and every entry's inclusion proof are
  // checked in the browser.
  await ada.goto(base + "/ledger");
  await ada.getByTestId("signature").getByText("Signature checks out").waitFor();
  await ada.getByRole("button", { name: "Verify in this browser" }).click();
  await ada.getByTestId("verify-result").getByText(/All \d+ entries checked/).waitFor({ timeout: 30000 });
  check((await ada.locator("tbody tr").filter({ hasText: "confirmation" }).count()) >= 1, "the confirmation is on the ledger");
  await shot(ada, "08-ledger.en");

  // The steward, in the browser: grants a boost in the open, and opens a reward
  // round; Ada gives Bob points (never to herself); the steward closes the round.
  const stewardContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const steward = await stewardContext.newPage();
  steward.on("pageerror", (e) => check(false, `steward: page error ${e.message}`));
  await steward.goto(base + "/");
  await steward.getByLabel("Handle").fill("steward");
  await steward.getByLabel("Password").fill("steward-password-1");
  await steward.getByRole("button", { name: "Sign in" }).click();
  await steward.getByRole("heading", { name: "Ideas", level: 1 }).waitFor();
  const projectId = new URL(projectUrl).pathname.split("/").pop();
  await steward.goto(base + "/cluster");
  const grant = steward.getByRole("form", { name: "Grant a boost (stewards)" });
  await grant.getByLabel("Project #").fill(projectId);
  await grant.getByLabel("Weight factor").fill("1.5");
  await grant.getByLabel("Reason (shown to everyone)").fill("paper deadline");
  await grant.getByRole("button", { name: "Grant a boost (stewards)" }).click();
  await steward.getByText(/×1\.5 for #\d+ until .*: paper deadline \(by @steward\)/).waitFor();
  check((await ada.getByRole("form", { name: "Grant a boost (stewards)" }).count()) === 0, "only stewards see the boost form");
  await steward.goto(base + "/rewards");
  const open = steward.getByRole("form", { name: "Open a round (stewards)" });
  await open.getByLabel("Title").fill("November");
  await open.getByLabel("Pool (in units, e.g. 1000.00)").fill("1000");
  await open.getByLabel("Period from").fill(new Date(Date.now() - 86400_000).toISOString().slice(0, 10));
  await open.getByRole("button", { name: "Open a round (stewards)" }).click();
  await steward.getByRole("heading", { name: "Round #1: November" }).waitFor();

  await ada.goto(base + "/rewards");
  const form = ada.getByRole("form", { name: "Give your 100 points" });
  await form.getByLabel("To (handle)").fill("ada");
  await form.getByText("Points go to others, never to yourself.").waitFor();
  check(await form.getByRole("button", { name: "Save" }).isDisabled(), "points to oneself cannot be saved");
  await form.getByLabel("To (handle)").fill("bob");
  await form.getByLabel("Points").fill("60");
  await form.getByLabel("Why").fill("profiled the heads");
  await form.getByText("40 points left").waitFor();
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Saved.").waitFor();
  await ada.getByRole("row", { name: /@bob/ }).getByRole("cell", { name: /EUR/ }).waitFor();
  await steward.reload();
  await steward.getByRole("button", { name: "Close and pay out" }).click();
  await steward.getByText(/· closed$/).waitFor();
  check((await steward.getByRole("row", { name: /@bob .* EUR/ }).count()) === 1, "the closed round shows bob's payout");
  await shot(steward, "15-rewards-closed.en");

  // Passwords and sessions. Bob signs in on a second browser too; on his page he sees
  // both sessions and ends the other one, then changes his password. The steward
  // ends all of Bob's sessions from Bob's page. Bob, locked out and in a lab that
  // sends no mail, gets a one-time code from the steward and chooses a new password
  // with it himself: the steward never sees it.
  const client = (await bob.context().cookies()).find((c) => c.name === "qs_client");
  check(client?.httpOnly === true && client.path === "/api/v1/sessions", "the known-client cookie is HttpOnly and sent only to sign-in");
  const bobElsewhere = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" })).newPage();
  await bobElsewhere.goto(base + "/");
  await bobElsewhere.getByLabel("Handle").fill("bob");
  await bobElsewhere.getByLabel("Password").fill("bob-password-1");
  await bobElsewhere.getByRole("button", { name: "Sign in" }).click();
  await bobElsewhere.getByRole("heading", { name: "Ideas", level: 1 }).waitFor();
  await bob.goto(base + "/members/bob");
  const sessions = bob.getByRole("region", { name: "Sessions" });
  await sessions.getByRole("listitem").nth(1).waitFor();
  check((await sessions.getByText("this one").count()) === 1, "Bob's page marks the session he is using");
  await shot(bob, "18-sessions.en");
  await sessions.getByRole("button", { name: "End my other sessions" }).click();
  await sessions.getByText("1 session or token ended.").waitFor();
  await bobElsewhere.reload();
  await bobElsewhere.getByRole("button", { name: "Sign in" }).waitFor();
  await bob.getByText("Change your password").click();
  const change = bob.getByRole("form", { name: "Change your password" });
  await change.getByLabel("Current password").fill("bob-password-1");
  await change.getByLabel("New password").fill("bob-password-2");
  await change.getByRole("button", { name: "Change password" }).click();
  await change.getByText("Password changed; 0 other sessions and tokens ended.").waitFor();
  await bobElsewhere.context().close();

  await steward.goto(base + "/members/bob");
  await steward.getByRole("region", { name: "Sessions" }).getByRole("listitem").first().waitFor();
  await ada.goto(base + "/members/bob");
  await ada.getByText("Bob Kahn").first().waitFor();
  check((await ada.getByRole("region", { name: "Sessions" }).count()) === 0, "only Bob and the stewards see Bob's sessions");
  await steward.getByRole("button", { name: "End all of @bob’s sessions" }).click();
  await steward.getByText("1 session or token ended.").waitFor();
  await bob.reload();
  await bob.getByRole("button", { name: "Forgot your password?" }).click();
  await bob.getByLabel("Handle").fill("bob");
  expectConflict = true; // the answer to asking for a mailed code in a lab without mail
  await bob.getByRole("button", { name: "Mail me a code" }).click();
  await bob.getByText("This lab sends no mail").waitFor();
  expectConflict = false;
  await steward.getByRole("button", { name: "Issue a reset code for @bob" }).click();
  const code = (await steward.getByTestId("reset-code").textContent()) ?? "";
  check(/^qsr_[0-9a-f]{64}$/.test(code), `the steward gets a one-time code: ${code}`);
  await shot(steward, "19-reset-code.en");
  await bob.getByLabel("Reset code").fill(code);
  await bob.getByLabel("New password").fill("bob-password-3");
  await bob.getByRole("button", { name: "Set the new password and sign in" }).click();
  await bob.getByRole("link", { name: "@bob" }).waitFor(); // signed in, on his page again
  await stewardContext.close();

  // Addresses of nothing: a real "not found", the top bar still there.
  expectNotFound = true;
  for (const path of ["/jobs/999999", "/projects/999999", "/ideas/999999", "/members/nobody-here", "/rewards/999", "/no/such/page", "/jobs/abc"]) {
    await ada.goto(base + path);
    await ada.getByRole("heading", { name: "Not found", level: 1 }).waitFor({ timeout: 5000 });
    check(await ada.getByRole("navigation", { name: "main" }).isVisible(), `${path}: the app around the not-found page stays`);
  }
  check((await ada.title()).startsWith("Not found"), "the tab's title says not found");
  await ada.goto(base + "/jobs/999999");
  await ada.getByTestId("not-found").waitFor();
  await shot(ada, "17-not-found.en");
  await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await ada.getByRole("heading", { name: "找不到页面", level: 1 }).waitFor();
  await shot(ada, "17-not-found.zh");
  await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  expectNotFound = false;

  // The sole member of a project is told what leaving means before it happens.
  await ada.goto(base + "/projects");
  await ada.getByLabel("Title").fill("A project of one");
  await ada.getByRole("button", { name: "Start a project" }).click();
  await ada.getByRole("heading", { name: "A project of one", level: 1 }).waitFor();
  check((await ada.title()).startsWith("A project of one"), `the tab's title names the project: ${await ada.title()}`);
  await ada.getByRole("button", { name: "Leave the project" }).click();
  const confirm = ada.getByTestId("leave-confirm");
  await confirm.getByText("You are its only member").waitFor();
  await shot(ada, "18-leave-confirm.en");
  await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
  await confirm.getByText("你是它唯一的成员").waitFor();
  await shot(ada, "18-leave-confirm.zh");
  await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  // Focus moves back in an effect after the dialog closes: wait for it, briefly.
  check(
    await ada
      .waitForFunction(() => document.activeElement?.textContent === "Leave the project", null, { timeout: 5000 })
      .then(() => true, () => false),
    "cancelling gives focus back to the Leave button",
  );
  check((await ada.getByRole("list").getByRole("link", { name: "@ada" }).count()) === 1, "ada is still a member after cancelling");
  await ada.getByRole("button", { name: "Leave the project" }).click();
  await confirm.getByRole("button", { name: "Yes, leave" }).click();
  await ada.getByRole("button", { name: "Apply to join" }).waitFor();
  await ada.waitForTimeout(1200);
  check(
    await ada.evaluate(() => document.activeElement !== document.body && document.activeElement !== null),
    "after leaving, focus is on a control, not lost",
  );

  // Past the first 30 ideas: "Load more" brings the rest; a long pitch stays in its card.
  await ada.evaluate(async () => {
    const csrf = /qs_csrf=([0-9a-f]+)/.exec(document.cookie)?.[1] ?? "";
    for (let i = 1; i <= 34; i++) {
      const pitch = i === 34 ? `${"Unbrokenwordwithoutanyspace".repeat(20)}\n\n${"a line\n".repeat(200)}` : "more";
      await fetch("/api/v1/ideas", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ title: `Idea number ${i}`, pitch }),
      });
    }
  });
  await ada.goto(base + "/ideas");
  await ada.getByRole("heading", { name: "Idea number 34" }).waitFor();
  check((await ada.locator("article.idea").count()) === 30, "the ideas page shows the first 30");
  const wide = await ada.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wide <= 1, `a long unbroken word does not widen the ideas page (${wide}px)`);
  await ada.getByRole("button", { name: "Load more" }).click();
  await ada.getByRole("heading", { name: "Block-sparse attention" }).waitFor();
  check((await ada.locator("article.idea").count()) === 35, "Load more shows the rest");
  await ada.getByRole("link", { name: "Idea number 34" }).click();
  await ada.getByRole("heading", { name: "Idea number 34", level: 1 }).waitFor();

  // The remaining pages, in both languages.
  for (const [path, name] of [
    ["/ideas", "09-ideas"],
    [new URL(projectUrl).pathname, "10-project"],
    ["/record", "11-hall-of-fame"],
    ["/rewards", "12-rewards"],
    [new URL(jobUrl).pathname, "13-job"],
  ]) {
    await ada.goto(base + path);
    await ada.locator("main h1").first().waitFor();
    // Every form control has a name a screen reader can say.
    const unnamed = await ada.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea")]
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    check(unnamed.length === 0, `${path}: controls without a label: ${unnamed.join(" ")}`);
    await shot(ada, `${name}.en`);
    await ada.getByRole("button", { name: "Switch the language to Chinese" }).click();
    await ada.getByRole("button", { name: "将界面语言切换为英文" }).waitFor();
    await shot(ada, `${name}.zh`);
    await ada.getByRole("button", { name: "将界面语言切换为英文" }).click();
  }

  // Phone width: the project page still works.
  await ada.setViewportSize({ width: 390, height: 844 });
  await ada.goto(projectUrl);
  await ada.getByRole("heading", { name: "Block-sparse attention", level: 1 }).waitFor();
  const overflow = await ada.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no sideways scrolling at phone width (${overflow}px)`);
  await shot(ada, "14-project-phone.en");
  await ada.goto(base + "/ledger");
  await ada.getByTestId("signature").getByText("Signature checks out").waitFor();
  const ledgerOverflow = await ada.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(ledgerOverflow <= 1, `the ledger does not scroll sideways at phone width (${ledgerOverflow}px)`);
  await shot(ada, "19-ledger-phone.en");
  for (const path of ["/ideas", "/inbox", "/record", new URL(jobUrl).pathname]) {
    await ada.goto(base + path);
    await ada.locator("main h1").first().waitFor();
    await ada.waitForTimeout(200);
    const wide = await ada.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 1, `${path}: no sideways scrolling at phone width (${wide}px)`);
  }
  await ada.goto(base + "/ideas");
  await ada.getByRole("heading", { name: "Idea number 34" }).scrollIntoViewIfNeeded();
  await shot(ada, "20-ideas-phone.en", { fullPage: false });

  // Bob runs the same job again, in one click.
  await bob.goto(jobUrl);
  await bob.getByRole("button", { name: "Submit again" }).click();
  await bob.waitForURL((url) => /\/jobs\/\d+$/.test(url.pathname) && url.href !== jobUrl);
  await bob.getByRole("heading", { name: /Job #\d+: profile/ }).waitFor();
  check(bob.url() !== jobUrl, "resubmitting makes a new job");

  // Signing out ends the session.
  await ada.getByRole("button", { name: "Sign out" }).click();
  await ada.getByRole("heading", { name: "Sign in" }).waitFor();

  console.log(`web e2e: ${checks} checks, ${failures} failed; ${shots.length} screenshots in ${artifacts}`);
}

main()
  .catch((e) => {
    failures++;
    console.error(e);
  })
  .finally(async () => {
    await browser?.close().catch(() => undefined);
    lab?.stop();
    process.exit(failures ? 1 : 0);
  });
