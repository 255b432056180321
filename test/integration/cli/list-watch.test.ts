// `list rollouts` with kubectl's listing flags, and `list -w` / `get --watch` following the apiserver's
// watch on the real control plane: a change shows up, and while nothing changes no request is sent
// (counted from the plugin's own -v 6 log). No controller runs: the objects change only when the test
// changes them.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { binaries } from "../../../dev/cluster/paths.ts";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { kubectlRamp, pluginEnv } from "../../support/plugin.ts";

/** `kubectl ramp ARGS` left running; its output so far, and Ctrl-C. */
class Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number>;
  constructor(args: string[]) {
    this.child = spawn(binaries().kubectl, ["ramp", ...args], { env: pluginEnv() });
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => {
      this.stdout += d;
    });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => this.child.once("close", (code) => resolve(code ?? 128)));
  }
  /** The requests the plugin logged with -v 6. */
  requests(): string[] {
    return this.stderr.split("\n").filter((l) => / in \d+ milliseconds$/.test(l));
  }
  until(what: string, ok: (r: Running) => boolean): Promise<void> {
    return waitFor(async () => (ok(this) ? true : undefined), {
      what: `${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
      timeoutMs: 30_000,
      intervalMs: 100,
    }).then(() => {});
  }
  async interrupt(): Promise<number> {
    this.child.kill("SIGINT");
    return this.exited;
  }
}

describe("kubectl ramp list: -l, --no-headers, --sort-by, and watches that do not poll", () => {
  let f: Fixture;
  const rollout = (name: string, order: string) => ({
    name,
    vars: { NAME: name, IMAGE: "app:1", PAUSE1: "1h", PAUSE2: "{}", DEADLINE: "600" },
    order,
  });
  const all = [rollout("lw-b", "1"), rollout("lw-a", "3"), rollout("lw-c", "2")];

  before(async () => {
    f = await Fixture.create("cli-listwatch");
    for (const r of all) {
      await f.applyFixture("canary/three-steps.yaml", r.vars);
      const tier = r.name === "lw-c" ? "cache" : "web";
      const label = await kubectl([
        "label",
        "-n",
        f.namespace,
        "rollout.ramp.dev",
        r.name,
        `tier=${tier}`,
        `order=${r.order}`,
      ]);
      assert.equal(label.code, 0, label.stderr);
    }
  });
  after(() => f?.cleanup());

  const names = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[0]);

  test("-l selects by label, as the apiserver reads the selector", async () => {
    const web = await kubectlRamp(["list", "rollouts", "-n", f.namespace, "-l", "tier=web"]);
    assert.equal(web.code, 0, web.stderr);
    assert.deepEqual(names(web.stdout), ["NAME", "lw-a", "lw-b"]);
    const notWeb = await kubectlRamp(["list", "-n", f.namespace, "--selector=tier!=web", "-o", "name"]);
    assert.equal(notWeb.stdout, "rollout.ramp.dev/lw-c\n");
    const none = await kubectlRamp(["get", "rollouts", "-n", f.namespace, "-l", "tier=nothing"]);
    assert.equal(none.stdout, "");
    assert.match(none.stderr, /No resources found in cli-listwatch-\S+ namespace\./);
  });

  test("--no-headers leaves the header row out", async () => {
    const r = await kubectlRamp(["list", "rollouts", "-n", f.namespace, "--no-headers"]);
    assert.deepEqual(names(r.stdout), ["lw-a", "lw-b", "lw-c"]);
  });

  test("--sort-by orders the table and -o json by a field", async () => {
    const table = await kubectlRamp([
      "list",
      "rollouts",
      "-n",
      f.namespace,
      "--sort-by",
      ".metadata.labels.order",
    ]);
    assert.deepEqual(names(table.stdout), ["NAME", "lw-b", "lw-c", "lw-a"]);
    const json = await kubectlRamp([
      "get",
      "rollouts",
      "-n",
      f.namespace,
      "--sort-by={.metadata.labels.order}",
      "-o",
      "json",
    ]);
    const items = JSON.parse(json.stdout).items as { metadata: { name: string } }[];
    assert.deepEqual(
      items.map((i) => i.metadata.name),
      ["lw-b", "lw-c", "lw-a"],
    );
  });

  test("list -w prints a row per change, and sends nothing while nothing changes", async () => {
    const w = new Running(["list", "rollouts", "-n", f.namespace, "-w", "-v", "6"]);
    try {
      await w.until(
        "the list and the open watch",
        (r) => r.requests().length >= 2 && names(r.stdout).length === 4,
      );
      await sleep(3000);
      const idle = w.requests();
      assert.equal(idle.length, 2, `one list and one watch, no polling:\n${idle.join("\n")}`);
      assert.match(idle[0] ?? "", /^GET \S+\/namespaces\/cli-listwatch-\S+\/rollouts 200 /);
      assert.match(idle[1] ?? "", /^GET \S+\/rollouts\?.*watch=true.* 200 /);

      const label = await kubectl(["label", "-n", f.namespace, "rollout.ramp.dev", "lw-b", "seen=yes"]);
      assert.equal(label.code, 0, label.stderr);
      await w.until("a row for the change", (r) => names(r.stdout).length === 5);
      assert.equal(names(w.stdout)[4], "lw-b");
      assert.equal(w.requests().length, 2, "the change came through the open watch");
    } finally {
      assert.equal(await w.interrupt(), 130);
    }
  });

  test("get rollout --watch redraws on a change through watches, with no request while idle", async () => {
    const w = new Running(["get", "rollout", "lw-a", "-n", f.namespace, "--watch", "-v", "6"]);
    try {
      await w.until("the first frame", (r) => /^Name: +lw-a$/m.test(r.stdout));
      // The first read, then each watch's list and watch (their lists can trigger one more read).
      await w.until(
        "four watches open",
        (r) => r.requests().filter((l) => l.includes("watch=true")).length === 4,
      );
      await sleep(3000);
      const settled = w.requests().length;
      await sleep(3000);
      assert.equal(
        w.requests().length,
        settled,
        `no request while nothing changes:\n${w.requests().join("\n")}`,
      );

      const patch = await kubectl(
        [
          "patch",
          "rollout.ramp.dev",
          "lw-a",
          "-n",
          f.namespace,
          "--subresource=status",
          "--type=merge",
        ].concat([
          "-p",
          JSON.stringify({ status: { phase: "Paused", message: "set by the list-watch test" } }),
        ]),
      );
      assert.equal(patch.code, 0, patch.stderr);
      await w.until("the frame with the new status", (r) => r.stdout.includes("set by the list-watch test"));
      assert.ok(
        w.requests().every((l, i) => i < settled || !l.includes("watch=true")),
        "the watches stayed open",
      );
    } finally {
      assert.equal(await w.interrupt(), 130);
    }
  });
});
