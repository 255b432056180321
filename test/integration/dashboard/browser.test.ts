// The browser the dashboard's tests drive: Debian's Chromium through playwright-core opens a page that
// node:http serves on 127.0.0.1, reads its DOM after a script changed it, clicks, and takes a screenshot.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import {
  clickTestId,
  ensureChromiumInstalled,
  screenshot,
  textOf,
  withBrowser,
} from "../../support/browser.ts";

const PAGE = `<!doctype html><html><body>
<h1 data-testid="title">static</h1>
<button data-testid="go">go</button>
<p data-testid="out"></p>
<script>
  document.querySelector('[data-testid="title"]').textContent = navigator.userAgent.includes("Chrome") ? "chromium" : "other";
  document.querySelector('[data-testid="go"]').addEventListener("click", async () => {
    const r = await fetch("/api/echo", { headers: { "x-probe": "clicked" } });
    document.querySelector('[data-testid="out"]').textContent = await r.text();
  });
</script></body></html>`;

let url = "";
const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? "-"}`);
  if (req.url === "/api/echo") {
    res.end(`echo ${req.headers["x-probe"] ?? ""}`);
    return;
  }
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(PAGE);
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("ensureChromiumInstalled costs nothing when Chromium is there", () => {
  ensureChromiumInstalled();
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) ensureChromiumInstalled();
  assert.ok((performance.now() - t0) / 100 < 1, "more than a millisecond per call");
});

test("Chromium opens a page on 127.0.0.1, reads the DOM a script wrote, clicks, and saves a screenshot", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ramp-browser-"));
  try {
    await withBrowser(
      async (b) => {
        const { page, status } = await b.open(url);
        assert.equal(status, 200);
        assert.equal(await textOf(page, "title"), "chromium");
        await clickTestId(page, "go");
        await page.locator('[data-testid="out"]:has-text("echo clicked")').waitFor({ timeout: 5000 });
        assert.equal(await textOf(page, "out"), "echo clicked");
        const png = join(dir, "page.png");
        await screenshot(page, png);
        assert.deepEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
        assert.deepEqual(b.errors, []);
      },
      { headers: { authorization: "Bearer probe" } },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // extraHTTPHeaders reach the server on the page and on its fetches.
  assert.ok(seen.includes("GET / auth=Bearer probe"), seen.join("\n"));
  assert.ok(seen.includes("GET /api/echo auth=Bearer probe"), seen.join("\n"));
});
