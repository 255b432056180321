// Bad input that passes admission: the Rollout goes Degraded with a condition naming the field and the fix,
// every other Rollout carries on, and fixing the spec recovers it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("degraded rollouts", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-degraded");
    await f.startController();
  });
  after(() => f?.cleanup());

  const stalled = (name: string, reason: string) =>
    f.waitStatus(
      name,
      `Stalled ${reason}`,
      (s) =>
        s.phase === "Degraded" &&
        (s.conditions ?? []).some((c) => c.type === "Stalled" && c.reason === reason),
    );

  test("a missing Service: Degraded with ServiceNotFound, beside a healthy Rollout that still completes; fixed by creating it", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "good",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{duration: 1s}",
      DEADLINE: "600",
    });
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "bad",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{duration: 1s}",
      DEADLINE: "600",
    });
    await kubectl(["delete", "service", "bad-canary", "-n", f.namespace]);
    await f.waitHealthy("good");
    await f.setImage("bad", "app:2");
    const s = await stalled("bad", "ServiceNotFound");
    assert.match(
      s.message ?? "",
      /spec\.strategy\.canary\.canaryService: Service "bad-canary" does not exist in namespace/,
    );
    assert.match(s.message ?? "", /create it or correct the name/);

    await f.setImage("good", "app:2");
    await f.waitHealthy("good");

    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "bad",
      IMAGE: "app:2",
      PAUSE1: "1s",
      PAUSE2: "{duration: 1s}",
      DEADLINE: "600",
    });
    await f.waitHealthy("bad");
    const events = await kubectl([
      "get",
      "events",
      "-n",
      f.namespace,
      "--field-selector",
      "involvedObject.name=bad,reason=ServiceNotFound",
      "-o",
      "jsonpath={.items[*].count}",
    ]);
    assert.equal(
      events.stdout.trim(),
      "1",
      `one Warning Event, not one per reconcile: counts ${events.stdout}`,
    );
  });

  test("a selector whose matchExpressions exclude the template: SelectorMismatch", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "mismatch",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await kubectl(["delete", "rollout.ramp.dev", "mismatch", "-n", f.namespace]);
    const patched = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "mismatch" },
        spec: {
          selector: {
            matchLabels: { app: "mismatch" },
            matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }],
          },
          template: {
            metadata: { labels: { app: "mismatch" } },
            spec: { containers: [{ name: "a", image: "app:1" }] },
          },
          strategy: { canary: { steps: [{ setWeight: 50 }] } },
        },
      }),
    });
    assert.equal(patched.code, 0, patched.stderr);
    const s = await stalled("mismatch", "SelectorMismatch");
    assert.match(s.message ?? "", /spec\.selector does not select spec\.template\.metadata\.labels/);
    assert.deepEqual(await f.replicaSets("mismatch"), {}, "nothing created");
  });

  test("an analysis step naming a template that does not exist: AnalysisTemplateNotFound", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "notmpl",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("notmpl");
    await f.patchSpec("notmpl", {
      strategy: {
        canary: { steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: "missing" }] } }] },
      },
    });
    const s = await stalled("notmpl", "AnalysisTemplateNotFound");
    assert.match(
      s.message ?? "",
      /spec\.strategy\.canary\.steps\[1\]\.analysis: AnalysisTemplate in namespace "[^"]+" "missing" does not exist/,
    );
  });
});
