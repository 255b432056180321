// `kubectl ramp get rollout --watch` in a real terminal (tmux) redraws in place as the rollout moves;
// `get` and `list` show the live objects; `lint` passes examples/ and reports broken files with the
// same CEL messages the apiserver gives.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { binaries } from "../../../dev/cluster/paths.ts";
import { kubeconfigPath, kubectl, waitFor } from "../../../dev/kube.ts";
import { repoRoot, yamlFilesUnder } from "../../../dev/yaml.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { kubectlRamp, pluginDir } from "../../support/plugin.ts";
import { ensureTmuxInstalled, TmuxSession } from "../../support/tmux.ts";

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const stepLine = (screen: string) =>
  screen
    .split("\n")
    .find((l) => l.startsWith("  Step:"))
    ?.trim();

describe("kubectl ramp: get --watch, list and lint through kubectl", () => {
  let f: Fixture;
  before(async () => {
    ensureTmuxInstalled();
    f = await Fixture.create("cli-watch");
    await f.startController();
  });
  after(() => f?.cleanup());

  test("get rollout --watch redraws in place as the steps advance, and restores the terminal on Ctrl-C", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "tv",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("tv");
    await f.setImage("tv", "app:2");
    await f.waitStatus("tv", "in the 1h pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);

    const plugin = [
      "env",
      `PATH=${quote(`${pluginDir}:${process.env.PATH ?? ""}`)}`,
      `KUBECONFIG=${quote(kubeconfigPath())}`,
      quote(binaries().kubectl),
      "ramp get rollout tv --watch -n",
      quote(f.namespace),
    ].join(" ");
    // The shell outlives the plugin (a dead pane hides its cursor), and prints the plugin's exit status.
    const command = `sh -c ${quote(`trap : INT; ${plugin}; echo "exit status $?"; exec sleep 600`)}`;
    const tmux = await TmuxSession.start(command, { width: 160, height: 50 });
    try {
      const screenShowing = (what: RegExp, label: string) =>
        waitFor(
          async () => {
            const screen = await tmux.capture();
            return what.test(screen) ? screen : undefined;
          },
          { what: `the watch to show ${label}`, timeoutMs: 60_000, intervalMs: 200 },
        );
      const first = await screenShowing(/^ {2}Step: +2\/5 /m, "step 2/5");
      assert.equal(await tmux.cursorVisible(), false, "the cursor is hidden while watching");

      const promoted = await kubectlRamp(["-n", f.namespace, "promote", "tv"]);
      assert.equal(promoted.code, 0, promoted.stderr);
      const second = await screenShowing(/^ {2}Step: +4\/5 /m, "step 4/5");

      assert.equal(stepLine(first), "Step:          2/5 (pause 1h)");
      assert.equal(stepLine(second), "Step:          4/5 (pause (until promoted))");
      for (const frame of [first, second]) {
        assert.equal(frame.split("\n")[0], "Name:            tv", "the frame stays at the top");
        assert.match(frame, /^⟳ tv +Rollout +॥ Paused/m);
      }
      // Redrawn in place: the whole history of the pane holds one frame, nothing scrolled by.
      const history = await tmux.capture(true);
      assert.equal(history.split("\n").filter((l) => l.startsWith("Name:")).length, 1, history);

      await tmux.keys("C-c");
      // The terminal echoes ^C where the cursor is, just below the frame.
      const end = await screenShowing(/exit status \d+$/m, "the watch's exit status");
      assert.match(end, /^(\^C)?exit status 130$/m, "Ctrl-C ends the watch with 130");
      assert.equal(await tmux.cursorVisible(), true, "the cursor is shown again");
    } finally {
      await tmux.kill();
    }
  });

  test("get rollout and list rollouts show the live objects; -o name and -o json", async () => {
    // Count-only status changes reach status up to 2 s after the step's own write (status-coalesce.ts).
    await f.waitStatus("tv", "5 ready at step 4/5", (s) => s.currentStepIndex === 3 && s.readyReplicas === 5);
    const tree = await kubectlRamp(["-n", f.namespace, "get", "rollout", "tv"]);
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /^Name: +tv\nNamespace: +cli-watch-/);
    assert.match(tree.stdout, /^Images: +app:2 \(canary\)\n +app:1 \(stable\)$/m);
    assert.match(tree.stdout, /^│ {2}└──⧉ tv-\S+ +ReplicaSet +✔ Healthy +\S+ +canary,ready:3\/3$/m);
    assert.match(tree.stdout, /^ {3}└──⧉ tv-\S+ +ReplicaSet +✔ Healthy +\S+ +stable,ready:2\/2$/m);
    // At 50% of 5 replicas without a traffic router: 3 canary pods and 2 stable ones.
    assert.equal(tree.stdout.match(/ Pod +✔ Running /g)?.length, 5, "the stable and canary pods");

    const list = await kubectlRamp(["-n", f.namespace, "list", "rollouts"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^NAME +STRATEGY +PHASE +STEP +WEIGHT +READY +AGE\ntv +Canary +Paused +4\/5 +50 +5\/5 +\S+\n$/,
    );
    const names = await kubectlRamp(["-n", f.namespace, "list", "rollouts", "-o", "name"]);
    assert.equal(names.stdout, "rollout.ramp.dev/tv\n");
    const json = await kubectlRamp(["-n", f.namespace, "get", "rollout", "tv", "-o", "json"]);
    assert.equal(JSON.parse(json.stdout).status.currentStepIndex, 3);
    const missing = await kubectlRamp(["-n", f.namespace, "get", "rollout", "nope"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error from server \(NotFound\): rollouts\.ramp\.dev "nope" not found/);
  });

  test("lint passes every file in examples/", async () => {
    const res = await kubectlRamp(["lint", "-f", join(repoRoot, "examples")]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.stdout, `${yamlFilesUnder("examples").length} files checked: no findings\n`);
  });

  test("lint reports broken files, and its CEL messages are the apiserver's own", async () => {
    for (const file of yamlFilesUnder("test/fixtures/lint")) {
      const res = await kubectlRamp(["lint", "-f", file, "-o", "json"]);
      assert.equal(res.code, 1, `${file}: ${res.stdout}`);
      const findings = JSON.parse(res.stdout) as { message: string }[];
      assert.ok(findings.length > 0, file);
      const cel = findings.filter((x) => x.message.includes(": Invalid value: "));
      if (cel.length === 0) continue;
      const server = await kubectl(["apply", "--dry-run=server", "-n", f.namespace, "-f", file]);
      assert.notEqual(server.code, 0, `${file} is rejected by the apiserver`);
      for (const finding of cel)
        assert.ok(server.stderr.includes(finding.message), `${finding.message}\nnot in:\n${server.stderr}`);
    }
  });
});
