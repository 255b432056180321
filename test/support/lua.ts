// A Lua interpreter (Debian's lua5.4) to run examples/argocd/health.lua the way Argo CD runs it: the
// resource as the global `obj`, the script's return value as the health. Installed by the test setup
// when missing, like Prometheus (root + apt-get, non-interactive).
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const PACKAGE = "lua5.4";
const installHint = `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGE}`;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function luaPath(): string {
  const found = onPath(PACKAGE);
  if (!found) throw new Error(`ramp: '${PACKAGE}' is not on PATH. Install it: ${installHint}`);
  return found;
}

/** Installs Debian's lua5.4 when it is not on PATH; returns the interpreter's path. */
export function ensureLuaInstalled(
  log: (line: string) => void = (l) => process.stderr.write(`ramp: ${l}\n`),
): string {
  const existing = onPath(PACKAGE);
  if (existing) return existing;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `ramp: '${PACKAGE}' is not installed and installing it needs root. Run:\n  ${installHint}`,
    );
  }
  log(`installing ${PACKAGE} with apt-get (first time only)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", PACKAGE]]) {
    const res = spawnSync("apt-get", args, { env, stdio: ["ignore", 2, 2] });
    if (res.status !== 0)
      throw new Error(`ramp: apt-get ${args.join(" ")} failed (exit ${res.status ?? res.signal})`);
  }
  return luaPath();
}

/** A Lua string literal: quotes, backslashes and control characters escaped (\ddd works in Lua 5.1 too). */
function luaString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (c === "\\" || c === '"') out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${String(code).padStart(3, "0")}`;
    else out += c;
  }
  return `${out}"`;
}

/** A JSON value as a Lua table constructor: arrays 1-based, null as nil, as Argo CD hands them over. */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
    return String(value);
  }
  if (typeof value === "string") return luaString(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(", ")}}`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `[${luaString(k)}] = ${toLua(v)}`);
  return `{${fields.join(", ")}}`;
}

export type Health = { status: string; message: string };

/** Runs a health check script on `obj` with lua5.4; throws with Lua's error when the script fails. */
export function runHealthCheck(script: string, obj: unknown): Health {
  const program = [
    `obj = ${toLua(obj)}`,
    "local check = assert(load(io.read('a'), 'health.lua'))",
    "local hs = check()",
    "io.write(tostring(hs.status), '\\0', tostring(hs.message or ''))",
  ].join("\n");
  const res = spawnSync(luaPath(), ["-e", program], { input: script, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`lua: ${res.stderr}`);
  const [status = "", message = ""] = res.stdout.split("\0");
  return { status, message };
}
