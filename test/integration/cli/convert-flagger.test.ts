// The Flagger converter on the real apiserver: every input of the corpus is a valid Flagger object (Flagger's
// own CRDs accept it), every converted output (with a workloadRef and with --inline) passes a server-side
// dry run against ramp's, Istio's and Gateway API's CRDs, and FIELDS.txt is exactly the fields of Flagger's
// Canary and MetricTemplate CRDs, so the unit test's coverage check cannot drift from the API.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { fetchCrds, installCrds } from "../../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubectl } from "../../../dev/kube.ts";
import { installMigrationCrds } from "../../../dev/migration-crds.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { convertText, DIR } from "../../unit/cli/convert/flagger/support.ts";

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

/** Every document of a YAML stream moved into `namespace`, as one stream. */
function inNamespace(
  text: string,
  namespace: string,
  keep: (kind: string, apiVersion: string) => boolean,
): string {
  return parseAllDocuments(text)
    .filter((d) => keep(String(d.get("kind")), String(d.get("apiVersion"))))
    .map((d) => {
      d.setIn(["metadata", "namespace"], namespace);
      return d.toString({ lineWidth: 0 });
    })
    .join("---\n");
}

async function dryRun(stream: string, namespace: string): Promise<void> {
  const res = await kubectl(
    [
      "apply",
      "--server-side",
      "--dry-run=server",
      "--field-manager=flagger-convert-test",
      "-n",
      namespace,
      "-f",
      "-",
    ],
    { input: stream },
  );
  assert.equal(res.code, 0, `${res.stderr}\n${stream}`);
}

/** Field paths of a CRD's spec, as FIELDS.txt writes them. */
function crdFields(kind: string, schema: { properties?: Record<string, unknown> }): string[] {
  type Node = { properties?: Record<string, Node>; type?: string; items?: Node };
  const out: string[] = [];
  const walk = (node: Node, path: string) => {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      out.push(`${path}.${k}`);
      if (v.properties) walk(v, `${path}.${k}`);
      if (v.type === "array" && v.items?.properties) walk(v.items, `${path}.${k}[]`);
    }
  };
  walk((schema.properties?.spec ?? {}) as Node, `${kind}.spec`);
  return out;
}

describe("kubectl ramp convert (Flagger): the converted corpus on the real apiserver", () => {
  let ns = "";
  before(async () => {
    await installCrds();
    await installUpstreamCrds();
    await installMigrationCrds();
    ns = await createTestNamespace("flagger-convert");
  });
  after(async () => {
    if (ns) await deleteTestNamespace(ns, { wait: false });
  });

  for (const name of fixtures) {
    const file = join(DIR, name);
    const text = readFileSync(file, "utf8");

    test(`${name}: Flagger's CRDs accept the input`, async () => {
      await dryRun(
        inNamespace(text, ns, (_, apiVersion) => apiVersion.startsWith("flagger.app/")),
        ns,
      );
    });

    for (const inline of /^kind: Deployment$/m.test(text) ? [false, true] : [false]) {
      test(`${name}${inline ? " --inline" : ""}: the apiserver accepts every converted object`, async () => {
        const { yaml, result } = convertText(file, inline);
        assert.ok(result.outputs.length > 0);
        await dryRun(
          inNamespace(yaml, ns, () => true),
          ns,
        );
      });
    }
  }

  test("FIELDS.txt lists exactly the fields of Flagger's Canary and MetricTemplate CRDs", () => {
    const kinds: Record<string, string> = {
      "canaries.flagger.app": "Canary",
      "metrictemplates.flagger.app": "MetricTemplate",
    };
    const fields: string[] = [];
    for (const f of fetchCrds("migration-crds.sh").files)
      for (const doc of parseAllDocuments(readFileSync(f, "utf8"))) {
        const crd = doc.toJS() as {
          kind?: string;
          metadata?: { name?: string };
          spec?: {
            versions?: {
              storage?: boolean;
              schema?: { openAPIV3Schema?: { properties?: Record<string, unknown> } };
            }[];
          };
        } | null;
        const kind = kinds[crd?.metadata?.name ?? ""];
        const schema = crd?.spec?.versions?.find((v) => v.storage)?.schema?.openAPIV3Schema;
        if (crd?.kind === "CustomResourceDefinition" && kind && schema)
          fields.push(...crdFields(kind, schema));
      }
    const listed = readFileSync(join(DIR, "FIELDS.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    assert.deepEqual(listed, fields.sort());
  });
});
