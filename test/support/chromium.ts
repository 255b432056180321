// Debian's Chromium as a project-installed component, like Lua (test/support/lua.ts): the test setup
// calls ensureChromiumInstalled(), which runs scripts/browser/ensure-chromium.sh (apt-get, root,
// non-interactive) only when /usr/bin/chromium is missing. Kept apart from browser.ts so the setup does
// not load playwright-core.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../dev/yaml.ts";

export const CHROMIUM = "/usr/bin/chromium";
const ensureScript = join(repoRoot, "scripts", "browser", "ensure-chromium.sh");

/** Installs Debian's chromium when /usr/bin/chromium is missing; when present it is one stat, no process. */
export function ensureChromiumInstalled(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const res = spawnSync("bash", [ensureScript], { stdio: ["ignore", "pipe", 2], encoding: "utf8" });
  if (res.status !== 0) {
    throw new Error(`ramp: ${ensureScript} failed (exit ${res.status ?? res.signal}); see its output above`);
  }
  return res.stdout.trim() || CHROMIUM;
}
