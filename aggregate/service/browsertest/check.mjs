// Loads the dashboard in Debian's Chromium and prints, as one JSON object,
// what the page shows: every cell, bar (with its drawn height) and quantile
// marker, the benchmark and employer tables, and any page errors. The Go
// test (browser_test.go) compares this with the store and the pool.
//
//   node check.mjs URL SCREENSHOT.png
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, shot] = process.argv.slice(2);
if (!url || !shot) {
  console.error("usage: node check.mjs URL SCREENSHOT.png");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "wageproof-chromium-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = ctx.pages()[0] || (await ctx.newPage());
  const problems = [];
  page.on("pageerror", e => problems.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("requestfailed", r => problems.push("request failed: " + r.url()));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready], body[data-error]", { timeout: 30000 });
  const shown = await page.evaluate(() => {
    const num = v => (v === null || v === "" ? null : Number(v));
    const cells = [...document.querySelectorAll(".cell")].map(c => ({
      key: c.dataset.key,
      count: num(c.dataset.count ?? null),
      suppressed: c.dataset.suppressed || "",
      text: c.innerText,
      bars: [...c.querySelectorAll("rect.bar")].map(r => ({
        lo: num(r.dataset.lo), hi: num(r.dataset.hi), count: num(r.dataset.count ?? null),
        suppressed: r.dataset.suppressed || "", height: r.getBoundingClientRect().height,
      })),
      quantiles: [...c.querySelectorAll("line.q")].map(l => ({ q: Number(l.dataset.q), value: Number(l.dataset.value) })),
    }));
    return {
      ready: document.body.dataset.ready === "1",
      error: document.body.dataset.error || "",
      period: document.body.dataset.period || "",
      periods: [...document.querySelectorAll("#period option")].map(o => o.value),
      cells,
      benchmarks: [...document.querySelectorAll("#benchmarks tbody tr")].map(r => ({ key: r.dataset.key, amount: Number(r.dataset.amount), text: r.innerText })),
      benchmarkHash: document.getElementById("bench-note").dataset.contentHash || "",
      employers: [...document.querySelectorAll("#employers tbody tr")].map(r => ({ employer: r.dataset.employer, claims: Number(r.dataset.claims) })),
    };
  });
  await page.screenshot({ path: shot, fullPage: true });
  shown.problems = problems;
  console.log(JSON.stringify(shown));
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
