import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoRoot } from "../../../dev/yaml.ts";
import { CRDS, toCrd } from "../../../src/crd/definitions.ts";
import { renderCrds } from "../../../src/crd/render.ts";
import type { JsonSchema } from "../../../src/crd/structural.ts";

type Node = JsonSchema & {
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  anyOf?: Node[];
  "x-kubernetes-validations"?: { rule: string; message: string }[];
};

/** Every schema node with its path, depth first. */
function* walk(node: Node, path = ""): Generator<[string, Node]> {
  yield [path, node];
  for (const [k, v] of Object.entries(node.properties ?? {})) yield* walk(v, `${path}.${k}`);
  if (node.items) yield* walk(node.items, `${path}[]`);
  if (typeof node.additionalProperties === "object") yield* walk(node.additionalProperties, `${path}{}`);
}

const openApi = (kind: string): Node => {
  const def = CRDS.find((d) => d.kind === kind);
  assert.ok(def, kind);
  const crd = toCrd(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(schema);
  return schema;
};

describe("generated CRDs are structural", () => {
  for (const def of CRDS) {
    test(def.kind, () => {
      for (const [path, node] of walk(openApi(def.kind))) {
        const intOrString = node["x-kubernetes-int-or-string"] === true;
        const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
        assert.ok(intOrString || typeof node.type === "string", `${path} has a type`);
        assert.ok(!node.anyOf && !node.oneOf, `${path} has no anyOf/oneOf`);
        assert.ok(
          !(node.properties && node.additionalProperties),
          `${path}: properties or additionalProperties`,
        );
        if (preserve)
          assert.equal(
            node.additionalProperties,
            undefined,
            `${path}: preserve without additionalProperties`,
          );
        for (const rule of node["x-kubernetes-validations"] ?? []) {
          assert.ok(rule.message.length > 20, `${path}: rule "${rule.rule}" has a message`);
        }
      }
    });
  }
});

describe("Rollout CRD", () => {
  const crd = toCrd(CRDS[0] as (typeof CRDS)[0]) as {
    spec: {
      names: { shortNames: string[]; categories: string[] };
      versions: { subresources: JsonSchema; additionalPrinterColumns: { name: string }[] }[];
    };
  };
  const version = crd.spec.versions[0];
  test("has status and scale subresources for an HPA", () => {
    assert.deepEqual(version?.subresources, {
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
  });
  test("prints desired, ready, phase, step, weight and age", () => {
    const names = version?.additionalPrinterColumns.map((c) => c.name);
    for (const n of ["Desired", "Ready", "Phase", "Step", "Weight", "Age"]) assert.ok(names?.includes(n), n);
  });
  test("short names never clash with Argo Rollouts'", () => {
    const argo = new Set(["ro", "at", "cat", "ar", "exp"]);
    for (const def of CRDS) for (const s of def.shortNames) assert.ok(!argo.has(s), `${def.kind}: ${s}`);
  });
  test("every cross-field rule names a spec field", () => {
    for (const [path, node] of walk(openApi("Rollout"))) {
      for (const rule of node["x-kubernetes-validations"] ?? []) {
        assert.match(
          rule.message,
          /spec\.|steps\[\]|args\[\]|headers\[\]|trafficRouting|metrics\[\]/,
          `${path}: ${rule.message}`,
        );
      }
    }
  });
});

test("every field of spec, the strategies and a step is documented (kubectl explain)", () => {
  const spec = openApi("Rollout").properties?.spec;
  const strategy = spec?.properties?.strategy?.properties;
  const documented: [string, Node | undefined][] = [
    ["spec", spec],
    ["canary", strategy?.canary],
    ["blueGreen", strategy?.blueGreen],
    ["steps[]", strategy?.canary?.properties?.steps?.items],
    ["trafficRouting", strategy?.canary?.properties?.trafficRouting],
  ];
  for (const [where, node] of documented) {
    assert.ok(node?.properties, where);
    for (const [field, child] of Object.entries(node.properties)) {
      assert.ok(
        typeof child.description === "string" && child.description.length > 10,
        `${where}.${field} has no description`,
      );
    }
  }
});

test("crds/ on disk match the schemas (run `npm run gen:crds` if this fails)", () => {
  for (const [name, text] of renderCrds()) {
    assert.equal(readFileSync(join(repoRoot, "crds", name), "utf8"), text, name);
    assert.equal((parse(text) as { kind: string }).kind, "CustomResourceDefinition");
  }
});
