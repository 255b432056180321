// Given values.schema.json, when helm renders values with a key the chart does not know, at every level
// of every values object the chart defines, then helm refuses it naming the key: a typo fails the install
// instead of being ignored. The only open objects are maps (labels, annotations) and Kubernetes or
// Prometheus Operator types passed through as they are, which the apiserver validates.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { chartDir, template } from "../../support/chart.ts";

type Node = {
  type?: string | string[];
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  items?: Node;
  required?: string[];
};
const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8")) as Node;

/** Every object node: its path ("a.b", "[]" for array items) and the node. */
function objects(node: Node, path: string[] = []): [string[], Node][] {
  const out: [string[], Node][] = [];
  const isObject = node.type === "object" || node.properties !== undefined;
  if (isObject) out.push([path, node]);
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...objects(v, [...path, k]));
  if (node.items) out.push(...objects(node.items, [...path, "[]"]));
  return out;
}

/** Values that put `extra` at `path`, with placeholders for what items require. */
function valuesAt(path: string[], extra: Record<string, unknown>, node: Node = schema): unknown {
  if (path.length === 0) {
    const required = Object.fromEntries((node.required ?? []).map((k) => [k, "x"]));
    return { ...required, ...extra };
  }
  const [head, ...rest] = path as [string, ...string[]];
  if (head === "[]") return [valuesAt(rest, extra, node.items ?? {})];
  return { [head]: valuesAt(rest, extra, node.properties?.[head] ?? {}) };
}

const UNKNOWN = "notAValueOfRamp";
const show = (path: string[]) => path.join(".").replaceAll(".[]", "[]") || "(top level)";

/** Open by design: free-form maps and Kubernetes/Prometheus Operator objects the apiserver validates. */
const OPEN = [
  "global",
  "serviceAccount.annotations",
  "controller.extraEnv[].valueFrom",
  "metrics.service.annotations",
  "metrics.service.labels",
  "metrics.serviceMonitor.labels",
  "metrics.serviceMonitor.relabelings[]",
  "metrics.serviceMonitor.metricRelabelings[]",
  "resources.requests",
  "resources.limits",
  "dashboard.resources.requests",
  "dashboard.resources.limits",
  "networkPolicy.metricsFrom[]",
  "networkPolicy.egress[]",
  "affinity",
  "nodeSelector",
  "tolerations[]",
  "topologySpreadConstraints[]",
  "podAnnotations",
  "deploymentAnnotations",
  "podLabels",
  "commonLabels",
  "grafana.dashboard.labels",
  "grafana.dashboard.annotations",
  "prometheusRule.labels",
  "extraVolumes[]",
  "extraVolumeMounts[]",
];

describe("values.schema.json: unknown keys", () => {
  const all = objects(schema);
  const closed = all.filter(([, n]) => n.additionalProperties === false);

  test("every values object is closed except the maps and pass-through Kubernetes types listed", () => {
    const open = all
      .filter(([, n]) => n.additionalProperties !== false)
      .map(([p]) => show(p))
      // Kubernetes' own securityContext sub-objects (seccompProfile, capabilities, …).
      .filter((p) => !/^(podSecurityContext|securityContext)\./.test(p));
    assert.deepEqual(open.sort(), [...OPEN].sort());
    for (const name of [
      "grafana",
      "grafana.dashboard",
      "prometheusRule",
      "podSecurityContext",
      "securityContext",
    ])
      assert.ok(
        closed.some(([p]) => show(p) === name),
        `${name} is closed`,
      );
  });

  test("helm refuses an unknown key in each closed object, naming it", async () => {
    assert.ok(closed.length >= 20, `only ${closed.length} closed objects`);
    for (const [path] of closed) {
      const values = valuesAt(path, { [UNKNOWN]: 1 }) as Record<string, unknown>;
      const res = await template({ release: "ramp", namespace: "ramp-system", values });
      assert.notEqual(res.code, 0, `accepted ${UNKNOWN} in ${show(path)}`);
      assert.match(res.stderr, new RegExp(UNKNOWN), `${show(path)}: ${res.stderr}`);
    }
  });

  test("control: the same values without the unknown key render", async () => {
    for (const [path] of closed) {
      const values = valuesAt(path, {}) as Record<string, unknown>;
      const res = await template({ release: "ramp", namespace: "ramp-system", values });
      assert.equal(res.code, 0, `${show(path)}: ${res.stderr}`);
    }
  });
});
