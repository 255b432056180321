// Headless Chromium for the dashboard's tests: Debian's /usr/bin/chromium (installed by
// scripts/browser/ensure-chromium.sh; Playwright's own browser download does not work here) driven by
// playwright-core. Every launch gets a fresh profile (Playwright makes a new --user-data-dir per launch and
// deletes it on close) and the flags a closed network needs (.library env doc: without
// --disable-background-networking Chromium keeps dialling Google and its connections are refused).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, ensureChromiumInstalled } from "./chromium.ts";

export { CHROMIUM, ensureChromiumInstalled };

const FLAGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

export type BrowserOptions = {
  /** Headers sent with every request of this context, e.g. `Authorization: Bearer …`. */
  headers?: Record<string, string>;
  viewport?: { width: number; height: number };
  /** Collects the page's console errors and uncaught exceptions into `errors`. */
  captureErrors?: boolean;
};

/** One browser, one context: open pages, find testids, read, click, screenshot. Close it (or use `withBrowser`). */
export class TestBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly errors: string[] = [];
  /** Every answer any page got: URL and status. */
  readonly responses: { url: string; status: number }[] = [];
  readonly #capture: boolean;

  private constructor(browser: Browser, context: BrowserContext, capture: boolean) {
    this.browser = browser;
    this.context = context;
    this.#capture = capture;
  }

  static async launch(opts: BrowserOptions = {}): Promise<TestBrowser> {
    ensureChromiumInstalled();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // The sandbox cannot start as root; elsewhere keep it.
      chromiumSandbox: process.getuid?.() !== 0,
      args: FLAGS,
      timeout: 30_000,
    });
    try {
      const context = await browser.newContext({
        viewport: opts.viewport ?? { width: 1280, height: 800 },
        ...(opts.headers ? { extraHTTPHeaders: opts.headers } : {}),
      });
      return new TestBrowser(browser, context, opts.captureErrors ?? true);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** Another context of the same browser (its own cookies and headers): a second user. */
  async newContext(opts: BrowserOptions = {}): Promise<BrowserContext> {
    return this.browser.newContext({
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      ...(opts.headers ? { extraHTTPHeaders: opts.headers } : {}),
    });
  }

  /** Opens `url` in a new page and waits for its load event; returns the page and the HTTP status. */
  async open(url: string, context = this.context): Promise<{ page: Page; status: number | undefined }> {
    const page = await context.newPage();
    page.on("response", (r) => this.responses.push({ url: r.url(), status: r.status() }));
    if (this.#capture) {
      page.on("pageerror", (e) => this.errors.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        // The browser asks for /favicon.ico by itself; a 404 there is no error of the page's.
        if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico"))
          this.errors.push(`console: ${m.text()}`);
      });
    }
    const res = await page.goto(url, { waitUntil: "load" });
    return { page, status: res?.status() };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Launches a browser, runs `fn`, and always closes the browser. */
export async function withBrowser<T>(
  fn: (b: TestBrowser) => Promise<T>,
  opts: BrowserOptions = {},
): Promise<T> {
  const b = await TestBrowser.launch(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Waits until an element with this testid is visible. */
export async function waitForTestId(page: Page, id: string, timeoutMs = 10_000): Promise<void> {
  await page.locator(byTestId(id)).first().waitFor({ state: "visible", timeout: timeoutMs });
}

/** The text of the first element with this testid (waits for it). */
export async function textOf(page: Page, id: string, timeoutMs = 10_000): Promise<string> {
  await waitForTestId(page, id, timeoutMs);
  return (await page.locator(byTestId(id)).first().textContent()) ?? "";
}

/** The text of `inner` inside the first `outer` (both testids), e.g. a row's phase. */
export async function textWithin(
  page: Page,
  outer: string,
  inner: string,
  timeoutMs = 10_000,
): Promise<string> {
  const loc = page.locator(byTestId(outer)).first().locator(byTestId(inner)).first();
  await loc.waitFor({ state: "attached", timeout: timeoutMs });
  return (await loc.textContent()) ?? "";
}

export async function clickTestId(page: Page, id: string, timeoutMs = 10_000): Promise<void> {
  await page.locator(byTestId(id)).first().click({ timeout: timeoutMs });
}

export async function hasTestId(page: Page, id: string): Promise<boolean> {
  return (await page.locator(byTestId(id)).count()) > 0;
}

/** Saves a PNG of the page (full page) to `path`, creating its folder. */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}
