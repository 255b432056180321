// resolveRollout: a workloadRef Rollout gets its Deployment's template, or a RampError that names the fix;
// set image and undo on such a Rollout point at the Deployment instead of writing a template it lacks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1Deployment } from "@kubernetes/client-node";
import { Rollout, type RolloutManifest } from "../../../src/api/index.ts";
import { ActionRefused } from "../../../src/cli/actions/actions.ts";
import { setImage } from "../../../src/cli/actions/spec.ts";
import { undoRollout } from "../../../src/cli/actions/undo.ts";
import { resolveRollout } from "../../../src/core/workload.ts";
import { RampError } from "../../../src/errors.ts";

const manifest = (matchLabels: Record<string, string> = { app: "web" }): RolloutManifest =>
  Rollout.parse({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "shop" },
    spec: {
      selector: { matchLabels },
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      strategy: { canary: {} },
    },
  });
const deployment: V1Deployment = {
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    },
  },
};
const refusal = (fn: () => unknown): RampError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RampError) return err;
    throw err;
  }
  throw new Error("no RampError");
};

describe("resolveRollout", () => {
  test("takes the Deployment's pod template, and the scaleDown default is never", () => {
    const r = resolveRollout(manifest(), "shop", { deployment: () => deployment });
    assert.deepEqual(r.spec.template, deployment.spec?.template);
    assert.equal(r.spec.workloadRef?.scaleDown, "never");
  });

  test("a missing Deployment: WorkloadNotFound, naming the namespace where one of that name is", () => {
    const err = refusal(() =>
      resolveRollout(manifest(), "shop", {
        deployment: () => undefined,
        deploymentNamespaces: () => ["other"],
      }),
    );
    assert.equal(err.code, "WorkloadNotFound");
    assert.match(
      err.message,
      /Deployment "web" does not exist in namespace "shop"; one of that name is in namespace "other", but a Rollout runs only a Deployment in its own namespace/,
    );
    const none = refusal(() => resolveRollout(manifest(), "shop", { deployment: () => undefined }));
    assert.match(none.message, /create it, or correct spec\.workloadRef\.name/);
  });

  test("a selector that misses the Deployment's template: WorkloadSelectorMismatch showing both", () => {
    const err = refusal(() =>
      resolveRollout(manifest({ app: "api" }), "shop", { deployment: () => deployment }),
    );
    assert.equal(err.code, "WorkloadSelectorMismatch");
    assert.match(err.message, /labels \{"app":"web"\}/);
  });
});

describe("set image and undo on a workloadRef Rollout", () => {
  const client = {
    get: async () => ({ metadata: {}, spec: { workloadRef: { name: "web-deploy" } } }),
    patch: async () => assert.fail("nothing may be written"),
    replicaSets: async () => [],
  };
  const ref = { namespace: "shop", name: "web" };

  test("set image names kubectl set image on the Deployment", async () => {
    await assert.rejects(
      setImage(client, ref, [{ container: "app", image: "app:2" }]),
      (err: unknown) =>
        err instanceof ActionRefused &&
        /change the Deployment instead \(kubectl set image deployment\/web-deploy app=app:2\)/.test(
          err.message,
        ),
    );
  });

  test("undo names kubectl rollout undo on the Deployment", async () => {
    await assert.rejects(
      undoRollout(client, ref),
      (err: unknown) =>
        err instanceof ActionRefused && /kubectl rollout undo deployment\/web-deploy/.test(err.message),
    );
  });
});
