// AnalysisRuns created directly (no Rollout), for tests of one analysis field on the real control plane:
// the controller measures any run in its namespace.
import assert from "node:assert/strict";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import type { AnalysisRun } from "../../../src/api/index.ts";
import type { Fixture } from "./fixture.ts";

const DONE = new Set(["Successful", "Failed", "Error", "Inconclusive"]);

/** Server-side applies objects (JSON) into the fixture's namespace. */
export async function applyObjects(f: Fixture, objects: object[]): Promise<void> {
  const res = await kubectl(["apply", "--server-side", "-n", f.namespace, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
  assert.equal(res.code, 0, res.stderr);
}

export const secretObject = (name: string, data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name },
  stringData: data,
});

export async function createRun(f: Fixture, name: string, spec: object): Promise<void> {
  await applyObjects(f, [{ apiVersion: "ramp.dev/v1alpha1", kind: "AnalysisRun", metadata: { name }, spec }]);
}

/** Waits until the run has ended; `seen` gets every status read on the way (for phase-by-phase checks). */
export function waitRunDone(
  f: Fixture,
  name: string,
  timeoutMs = 60_000,
  seen?: (run: AnalysisRun) => void,
): Promise<AnalysisRun> {
  return waitFor(
    async () => {
      const run = await f.analysisRun(name);
      seen?.(run);
      return DONE.has(run.status?.phase ?? "") ? run : undefined;
    },
    { what: `AnalysisRun ${name} to end`, timeoutMs, intervalMs: 100 },
  );
}

/**
 * Two Services, an AnalysisTemplate and a canary labelled team=payments at app:1, whose steps are 20% →
 * an analysis step (`analysis`, e.g. its templates and args) → 100%.
 */
export function analysisCanary(
  name: string,
  template: { name: string; spec: object },
  analysis: object,
): object[] {
  const service = (role: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-${role}` },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  });
  return [
    service("stable"),
    service("canary"),
    {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: template.name },
      spec: template.spec,
    },
    {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name, labels: { team: "payments" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "app:1" }] },
        },
        strategy: {
          canary: {
            canaryService: `${name}-canary`,
            stableService: `${name}-stable`,
            steps: [{ setWeight: 20 }, { analysis }],
          },
        },
      },
    },
  ];
}
