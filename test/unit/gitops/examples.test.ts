// examples/argocd and examples/flux against the code they describe: the names ramp uses (API version,
// field manager, the argocd-cm key for ramp.dev/Rollout) and the generated files being current. The
// integration tests apply them to the real apiserver and run the health checks on live Rollouts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoRoot } from "../../../dev/yaml.ts";
import { API_VERSION, GROUP } from "../../../src/api/index.ts";
import { FIELD_MANAGER } from "../../../src/api/labels.ts";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const files = [
  "examples/argocd/application.yaml",
  "examples/argocd/argocd-cm.yaml",
  "examples/flux/kustomization.yaml",
];

describe("GitOps examples", () => {
  test("every file opens with a comment saying what it shows", () => {
    for (const f of [...files, "examples/argocd/health.lua"]) {
      const first = read(f).split("\n")[0] ?? "";
      assert.match(first, f.endsWith(".lua") ? /^-- \S/ : /^# \S/, f);
    }
  });

  test("generated files are current (npm run gen:integrations)", () => {
    const res = spawnSync(process.execPath, [join(repoRoot, "scripts", "gen-integrations.ts"), "--check"], {
      encoding: "utf8",
    });
    assert.equal(res.status, 0, res.stderr);
  });

  test("argocd-cm: the health check key Argo CD derives from ramp's group and kind", () => {
    const cm = parse(read("examples/argocd/argocd-cm.yaml")) as { data: Record<string, string> };
    assert.deepEqual(Object.keys(cm.data), [`resource.customizations.health.${GROUP}_Rollout`]);
    assert.equal(Object.values(cm.data)[0], read("examples/argocd/health.lua"));
  });

  test("the Application ignores exactly what ramp writes: its field manager's fields, and a workloadRef Deployment's replicas", () => {
    const app = parse(read("examples/argocd/application.yaml")) as {
      spec: {
        ignoreDifferences: { kind: string; managedFieldsManagers?: string[]; jsonPointers?: string[] }[];
        syncPolicy: { syncOptions: string[] };
      };
    };
    const kinds = app.spec.ignoreDifferences.map((d) => d.kind);
    assert.deepEqual(kinds, ["Service", "HTTPRoute", "VirtualService", "DestinationRule", "Deployment"]);
    for (const d of app.spec.ignoreDifferences.slice(0, 4))
      assert.deepEqual(d.managedFieldsManagers, [FIELD_MANAGER]);
    // A scale-subresource write leaves no field manager to match (test/integration/workload/workload-ref.test.ts).
    assert.deepEqual(app.spec.ignoreDifferences[4]?.jsonPointers, ["/spec/replicas"]);
    assert.ok(app.spec.syncPolicy.syncOptions.includes("RespectIgnoreDifferences=true"));
  });

  test("the Kustomization checks a Rollout of ramp's API version, with expressions for that kind", () => {
    const k = parse(read("examples/flux/kustomization.yaml")) as {
      spec: {
        healthChecks: { apiVersion: string; kind: string }[];
        healthCheckExprs: { apiVersion: string; kind: string; current: string }[];
      };
    };
    assert.deepEqual(
      k.spec.healthChecks.map((h) => [h.apiVersion, h.kind]),
      [[API_VERSION, "Rollout"]],
    );
    assert.deepEqual(
      k.spec.healthCheckExprs.map((h) => [h.apiVersion, h.kind]),
      [[API_VERSION, "Rollout"]],
    );
  });
});
