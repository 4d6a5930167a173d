// Headless Chromium for tests/test_preview_browser.py, through tools/ace's puppeteer (Debian's Chromium).
//   node web.js axe URL...           axe-core's WCAG 2.2 A/AA rules on each page, light and dark, at 320 CSS px
//   node web.js edit URL FILE         the preview: edit FILE, see the page change; a typo, see its finding
// Prints one JSON object.
"use strict";
const fs = require("fs");
const path = require("path");
const ace = path.resolve(__dirname, "../../tools/ace/node_modules");
const puppeteer = require(path.join(ace, "puppeteer"));
const AXE = fs.readFileSync(path.join(ace, "@daisy/axe-core-for-ace/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

async function launch() {
  return puppeteer.launch({
    executablePath: path.resolve(__dirname, "../../tools/ace/chromium.sh"),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
    headless: true,
  });
}

async function audit(browser, url, scheme) {
  const page = await browser.newPage();
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  await page.setViewport({ width: 320, height: 640 });
  await page.goto(url, { waitUntil: "load" });
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async (tags) => {
    const found = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    const root = document.documentElement;
    return {
      violations: found.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) })),
      overflow: root.scrollWidth - root.clientWidth,
      background: getComputedStyle(root).backgroundColor,
    };
  }, TAGS);
  // 200 % text at 640 px is the same reflow a 320 px screen asks for (WCAG 1.4.4 with 1.4.10)
  await page.setViewport({ width: 640, height: 640 });
  await page.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
  result.overflowAt200 = await page.evaluate(() => document.documentElement.scrollWidth
                                                  - document.documentElement.clientWidth);
  await page.close();
  return result;
}

async function edit(browser, url, file) {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelectorAll("h1").length > 0);
  await new Promise((done) => setTimeout(done, 500)); // the event stream is open
  const original = fs.readFileSync(file, "utf8");
  const result = {};
  const marker = "A sentence written with the preview open.";
  let start = Date.now();
  fs.writeFileSync(file, original.trimEnd() + "\n\n" + marker + "\n");
  await page.waitForFunction((m) => document.body.innerText.includes(m), { timeout: 15000 }, marker);
  result.editSeen = Date.now() - start;
  const typo = original.replace(/\[@([A-Za-z]+)(\d{4})\]/, "[@$1x$2]");
  result.typo = typo !== original;
  start = Date.now();
  fs.writeFileSync(file, typo);
  // waitForFunction outlives the page's reloads (a save can arrive as two changes)
  const overlay = await page.waitForFunction(() => {
    const box = document.getElementById("publish-problems");
    return box && box.open && box.innerText.includes("c-001") ? box.innerText : false;
  }, { timeout: 15000 });
  result.overlay = await overlay.jsonValue();
  result.overlaySeen = Date.now() - start;
  fs.writeFileSync(file, original);
  await page.waitForFunction(() => !document.body.innerText.includes("c-001"), { timeout: 15000 });
  result.recovered = !(await page.evaluate(() => document.body.innerText.includes("error c-001")));
  await page.close();
  return result;
}

(async () => {
  const [mode, ...rest] = process.argv.slice(2);
  const browser = await launch();
  try {
    let out;
    if (mode === "axe") {
      out = {};
      for (const url of rest) {
        out[url] = { light: await audit(browser, url, "light"), dark: await audit(browser, url, "dark") };
      }
    } else {
      out = await edit(browser, rest[0], rest[1]);
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  } finally {
    await browser.close();
  }
})().catch((error) => { console.error(error); process.exit(1); });
