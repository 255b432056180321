// `kubectl ramp dashboard` as a person runs it: the real plugin process on the local cluster prints a
// one-time URL on 127.0.0.1; the first visit gets a session, the same URL again and no token get 401;
// Ctrl-C stops it cleanly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { binaries } from "../../../dev/cluster/paths.ts";
import { waitFor } from "../../../dev/kube.ts";
import { pluginEnv } from "../../support/plugin.ts";

describe("kubectl ramp dashboard", () => {
  let child: ReturnType<typeof spawn>;
  let out = "";
  let exited: Promise<number | null>;

  before(async () => {
    child = spawn(binaries().kubectl, ["ramp", "dashboard", "--port", "0", "-A"], {
      env: pluginEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    await waitFor(async () => /token=/.test(out) || undefined, {
      what: "the printed URL",
      timeoutMs: 30_000,
    });
  });
  after(() => {
    child?.kill("SIGKILL");
  });

  test("a one-time URL on 127.0.0.1: a session once, 401 after, 401 without; Ctrl-C exits 0", async () => {
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out);
    assert.ok(url?.[1] && url[2], `printed: ${out}`);
    const base = url[1];
    assert.equal((await fetch(`${base}/api/me`)).status, 401, "no token, no session");

    const first = await fetch(`${base}/?token=${url[2]}`, { redirect: "manual" });
    assert.equal(first.status, 302);
    const cookie = first.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = cookie.split(";")[0] ?? "";
    const me = await fetch(`${base}/api/me`, { headers: { cookie: session } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { mode: string }).mode, "local");

    const again = await fetch(`${base}/?token=${url[2]}`, { redirect: "manual" });
    assert.equal(again.status, 401, "the token works once");

    child.kill("SIGINT");
    assert.equal(await exited, 0);
  });
});
