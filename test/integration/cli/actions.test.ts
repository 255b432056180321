// `kubectl ramp` on a live canary, through the real kubectl: each action has the effect the controller
// expects, actions that go through status leave spec (metadata.generation) alone, and `status` exits
// 0 for a Healthy rollout, 1 for an aborted one and 2 for one that is stuck past --timeout.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { binaries } from "../../../dev/cluster/paths.ts";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { History } from "../../support/e2e/history.ts";
import { kubectlRamp, pluginDir, pluginEnv } from "../../support/plugin.ts";

const run = promisify(execFile);
const INDEFINITE = { PAUSE1: "3s", PAUSE2: "{}", DEADLINE: "600" };

describe("kubectl ramp: actions through kubectl", () => {
  let f: Fixture;
  const ramp = (...args: string[]) => kubectlRamp(["-n", f.namespace, ...args]);
  const generation = async (name: string) => (await f.rollout(name)).metadata.generation ?? 0;

  before(async () => {
    f = await Fixture.create("cli-actions");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** A Healthy rollout of app:1 shipping app:2, waiting in the indefinite pause (step 4 of 5). */
  async function atIndefinitePause(name: string): Promise<void> {
    await f.applyFixture("canary/three-steps.yaml", { NAME: name, IMAGE: "app:1", ...INDEFINITE });
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
    await f.waitStatus(name, "paused at step 4", (s) => s.phase === "Paused" && s.currentStepIndex === 3);
  }

  test("kubectl finds the plugin on PATH and runs it", async () => {
    const { stdout } = await run(binaries().kubectl, ["plugin", "list"], { env: pluginEnv() });
    assert.match(stdout, new RegExp(`^${pluginDir}/kubectl-ramp$`, "m"));
    const version = await kubectlRamp(["version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(
      version.stdout,
      /^Plugin version: \d+\.\d+\.\d+\nController version: .+\nKubernetes version: v1\.\d+/,
    );
  });

  test("promote goes on from the indefinite pause; status exits 0 once Healthy; spec untouched", async () => {
    await atIndefinitePause("wait");
    const gen = await generation("wait");
    const res = await ramp("promote", "wait");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'rollout "wait" promoted: step 4/5 → 5/5\n');
    const status = await ramp("status", "wait", "--timeout", "2m");
    assert.equal(status.code, 0, `${status.stdout}${status.stderr}`);
    assert.match(status.stdout, /^Healthy: version \S+ promoted to stable|Healthy: version \S+ is stable/m);
    assert.equal(await generation("wait"), gen, "promote did not touch spec");
    const refused = await ramp("promote", "wait");
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'error: rollout "wait" has no rollout in progress: nothing to promote\n');
  });

  test("abort: traffic back to stable, status exits 1 with the reason; retry starts again", async () => {
    await atIndefinitePause("undo");
    const gen = await generation("undo");
    const stable = (await f.rollout("undo")).status?.stableRS;
    const res = await ramp("abort", "undo", "--reason", "checkout errors");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'rollout "undo" aborted: traffic goes back to stable\n');
    const aborted = await f.waitStatus(
      "undo",
      "aborted",
      (s) => s.phase === "Degraded" && s.availableReplicas === 5,
    );
    assert.equal(aborted.abort?.reason, "AbortedByUser");
    assert.match(aborted.abort?.message ?? "", /checkout errors/);
    assert.equal(aborted.stableRS, stable);
    const status = await ramp("status", "undo", "--timeout", "1m");
    assert.equal(status.code, 1, `${status.stdout}${status.stderr}`);
    assert.match(
      status.stderr,
      /rollout "undo" failed: Degraded \(AbortedByUser\): aborted by .*checkout errors/,
    );
    assert.equal(await generation("undo"), gen, "abort did not touch spec");
    assert.equal((await ramp("abort", "undo")).code, 1, "a second abort is refused");

    const retried = await ramp("retry", "undo");
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(retried.stdout, 'rollout "undo" retried: steps start again at 1/5\n');
    await f.waitStatus(
      "undo",
      "retried: paused at step 2",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1 && !s.abort,
    );
    assert.equal(await generation("undo"), gen, "retry did not touch spec");
  });

  test("pause holds the rollout (status: 2 on --timeout, 1 with --fail-on-pause); resume releases it", async () => {
    // A 1h pause, so nothing but the user's requests moves it while the test looks.
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "hold",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("hold");
    await f.setImage("hold", "app:2");
    await f.waitStatus("hold", "in the 1h pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    const gen = await generation("hold");
    const res = await ramp("pause", "hold");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'rollout "hold" paused at step 2/5\n');
    await f.waitStatus("hold", "paused by a user", (s) => s.machine?.context.userPaused === true);
    assert.equal((await ramp("pause", "hold")).code, 1, "a second pause is refused");
    // Stuck: it does not move, so status gives up after the timeout with exit code 2.
    const stuck = await ramp("status", "hold", "--timeout", "4s");
    assert.equal(stuck.code, 2, `${stuck.stdout}${stuck.stderr}`);
    assert.match(stuck.stderr, /rollout "hold" is not done after the timeout: Paused: step 2\/5/);
    const failOnPause = await ramp("status", "hold", "--fail-on-pause");
    assert.equal(failOnPause.code, 1);
    assert.match(failOnPause.stderr, /rollout "hold" failed: Paused: step 2\/5/);
    const once = await ramp("status", "hold", "--watch=false");
    assert.equal(once.code, 2);
    assert.equal(await generation("hold"), gen, "pause did not touch spec");

    const resumed = await ramp("resume", "hold");
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, 'rollout "hold" resumed at step 2/5\n');
    await f.waitStatus("hold", "no longer held by a user", (s) => s.machine?.context.userPaused === false);
    assert.equal((await ramp("promote", "hold")).code, 0);
    await f.waitStatus("hold", "on past the pause", (s) => (s.currentStepIndex ?? 0) >= 3);
    assert.equal(await generation("hold"), gen, "resume did not touch spec");
  });

  test("set image ships a new version with a GitOps warning; undo goes back to the stable one", async () => {
    await f.applyFixture("canary/three-steps.yaml", { NAME: "img", IMAGE: "app:1", ...INDEFINITE });
    const v1 = await f.waitHealthy("img");
    const bad = await ramp("set", "image", "img", "nope=app:9");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /rollout "img" has no container "nope" \(containers: app\)/);

    const res = await ramp("set", "image", "img", "app=app:2");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'rollout "img" image updated: app=app:2 (was app:1)\n');
    assert.match(res.stderr, /^warning: .*GitOps.*Git/);
    const r = await f.rollout("img");
    const containers = (r.spec.template as { spec: { containers: { image: string }[] } }).spec.containers;
    assert.equal(containers[0]?.image, "app:2");
    const v2 = await f.waitStatus(
      "img",
      "shipping v2, paused at step 4",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    assert.notEqual(v2.currentPodHash, v1.currentPodHash);

    const undo = await ramp("undo", "img");
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /^rollout "img" rolled back to revision 1 \(app=app:1\): the stable version/);
    assert.match(undo.stderr, /^warning: /);
    // The template is restored exactly: its hash is the stable version's, so no new version starts.
    const back = await f.waitHealthy("img");
    assert.equal(back.currentPodHash, v1.currentPodHash);
    await f.waitStatus("img", "v2 scaled away", (s) => s.updatedReplicas === 5);
    const scales = await f.replicaSets("img");
    assert.equal(scales[`img-${v1.currentPodHash}`], 5);
    assert.equal(scales[`img-${v2.currentPodHash}`], 0);

    const again = await ramp("undo", "img", "--to-revision", "2");
    assert.equal(again.code, 0, again.stderr);
    const redo = await f.waitStatus("img", "v2 again", (s) => s.currentPodHash !== v1.currentPodHash);
    assert.equal(redo.currentPodHash, v2.currentPodHash, "revision 2's own template, same hash");
    const missing = await ramp("undo", "img", "--to-revision", "9");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /has no revision 9 \(revisions kept: /);
  });

  test("restart replaces every pod, at most maxUnavailable at a time, and records restartedAt", async (t) => {
    await f.applyFixture("canary/three-steps.yaml", { NAME: "boot", IMAGE: "app:1", ...INDEFINITE });
    const healthy = await f.waitHealthy("boot");
    await f.waitStatus("boot", "5 ready", (s) => s.readyReplicas === 5);
    const podsOf = async () => {
      const res = await kubectl([
        "get",
        "pods",
        "-n",
        f.namespace,
        "-l",
        `ramp.dev/pod-template-hash=${healthy.currentPodHash}`,
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      ]);
      return res.stdout.split("\n").filter(Boolean);
    };
    // Ready in status can run ahead of the pod list the apiserver serves: wait for the five pods themselves.
    const five = async () => {
      const pods = await podsOf();
      return pods.length === 5 ? pods : undefined;
    };
    const before = await waitFor(five, {
      what: "the five pods of the stable version",
    });
    // Its own record of the ReplicaSets from now on, to check the pace of the restart afterwards.
    const seen = await History.start(f.kc, f.namespace);
    // Stopped whatever happens: a watch left open keeps the test file's process alive for good.
    t.after(() => seen.stop());

    const res = await ramp("restart", "boot");
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^rollout "boot" restarting: pods created before \S+Z are replaced, maxUnavailable at a time\n$/,
      `stdout: ${res.stdout}\nstderr: ${res.stderr}`,
    );
    assert.match(res.stderr, /^warning: /, `stderr: ${res.stderr}`);
    const restartAt = (await f.rollout("boot")).spec.restartAt as string;
    assert.ok(restartAt, "spec.restartAt was set");

    const status = await ramp("status", "boot", "--timeout", "3m");
    assert.equal(status.code, 0, `${status.stdout}${status.stderr}`);
    const done = await f.waitStatus("boot", "restartedAt recorded", (s) => s.restartedAt === restartAt);
    assert.equal(done.phase, "Healthy");
    seen.stop();
    const after = await podsOf();
    assert.equal(after.length, 5);
    assert.deepEqual(
      after.filter((p) => before.includes(p)),
      [],
      "every pod was replaced",
    );
    // maxUnavailable is 1: the ReplicaSet never had fewer than 4 available pods while it restarted.
    const available = seen.replicaSets
      .filter((s) => s.obj.metadata?.labels?.["ramp.dev/pod-template-hash"] === healthy.currentPodHash)
      .map((s) =>
        Number((s.obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0),
      );
    assert.ok(available.length > 0, `ReplicaSet versions seen: ${seen.replicaSets.length}`);
    assert.ok(Math.min(...available) >= 4, `available pods during the restart: ${available.join(",")}`);
  });
});
