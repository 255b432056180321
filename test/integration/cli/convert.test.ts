// `kubectl ramp convert` against the real apiserver: every output of the Argo Rollouts corpus is accepted by
// a server-side dry run with strict field validation (no field pruned, no CEL rule broken) and passes lint;
// --from-cluster reads Argo objects the apiserver stores (Argo's own CRDs installed) and converts them.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { installCrds } from "../../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubectl } from "../../../dev/kube.ts";
import { installMigrationCrds } from "../../../dev/migration-crds.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { lint } from "../../../src/cli/lint/lint.ts";
import { kubectlRamp } from "../../support/plugin.ts";

const corpus = join(repoRoot, "test", "fixtures", "convert", "argo");
const fixtures = readdirSync(corpus)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

/** A server-side dry run with strict field validation: an unknown field is an error, not a warning. */
const dryRun = (namespace: string, yaml: string) =>
  kubectl(["apply", "--server-side", "--dry-run=server", "--validate=strict", "-n", namespace, "-f", "-"], {
    input: yaml,
  });

describe("kubectl ramp convert on the real apiserver", () => {
  let ns: string;
  let live: string;
  const clusterTemplate = `convert-fleet-${process.pid}`;

  before(async () => {
    await Promise.all([installCrds(), installUpstreamCrds(), installMigrationCrds()]);
    ns = await createTestNamespace("convert-corpus");
    live = await createTestNamespace("convert-live");
  });
  after(async () => {
    await kubectl(["delete", "clusteranalysistemplates.argoproj.io", clusterTemplate, "--ignore-not-found"]);
    await Promise.all([
      ns && deleteTestNamespace(ns, { wait: false }),
      live && deleteTestNamespace(live, { wait: false }),
    ]);
  });

  for (const name of fixtures) {
    test(`${name}: the output passes a server-side dry run and lint`, async () => {
      const res = await kubectlRamp(["convert", "-f", join(corpus, name)]);
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(lint([{ file: name, text: res.stdout }]), []);
      if (res.stdout.trim() === "") return;
      const applied = await dryRun(ns, res.stdout);
      assert.equal(applied.code, 0, `${applied.stderr}\n${res.stdout}`);
      assert.doesNotMatch(applied.stderr, /unknown field|Warning/, "no field was pruned");
    });
  }

  test("--from-cluster: Argo objects as the apiserver stores them convert, without what the server wrote", async () => {
    const argo = (file: string) =>
      kubectl(["apply", "--server-side", "-n", live, "-f", join(corpus, file)]).then((r) => {
        assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      });
    // Only the Argo objects: Services, routes and Ingresses are not what --from-cluster reads.
    await argo("canary-nginx.yaml");
    await argo("bluegreen.yaml");
    const cat = await kubectl(["apply", "--server-side", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ClusterAnalysisTemplate",
        metadata: { name: clusterTemplate },
        spec: {
          metrics: [
            {
              name: "up",
              successCondition: "result[0] == 1",
              provider: { prometheus: { address: "http://prometheus:9090", query: "up" } },
            },
          ],
        },
      }),
    });
    assert.equal(cat.code, 0, cat.stderr);

    const res = await kubectlRamp(["convert", "--from-cluster", "-n", live]);
    assert.equal(res.code, 0, res.stderr);
    const objects = parseAllDocuments(res.stdout).map(
      (d) => d.toJS() as { apiVersion: string; kind: string; metadata: Record<string, unknown> },
    );
    const kinds = objects.map((o) => `${o.kind}/${String(o.metadata.name)}`);
    for (const want of [
      `ClusterAnalysisTemplate/${clusterTemplate}`,
      "AnalysisTemplate/shop-success-rate",
      "AnalysisTemplate/smoke",
      "Rollout/docs",
      "Rollout/shop",
      "Rollout/web",
    ])
      assert.ok(kinds.includes(want), `${want} in ${kinds.join(", ")}`);
    for (const o of objects) {
      assert.equal(o.apiVersion, "ramp.dev/v1alpha1");
      for (const key of ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"])
        assert.equal(o.metadata[key], undefined, `${o.kind}/${String(o.metadata.name)} metadata.${key}`);
      assert.equal((o as { status?: unknown }).status, undefined);
    }
    assert.match(
      res.stderr,
      new RegExp(`^cluster:Rollout/${live}/shop: spec\\.strategy\\.canary\\.replicaProgressThreshold: `, "m"),
    );
    assert.match(
      res.stderr,
      new RegExp(`^cluster:Rollout/${live}/web: metadata\\.annotations\\[notifications`, "m"),
    );
    // Schema and CEL findings: none. (The Services they name are not read from the cluster.)
    const findings = lint([{ file: "live", text: res.stdout }]).filter(
      (f) => !/not in the files/.test(f.message),
    );
    assert.deepEqual(findings, []);
    const applied = await dryRun(live, res.stdout);
    assert.equal(applied.code, 0, applied.stderr);

    const out = mkdtempSync(join(tmpdir(), "ramp-convert-"));
    try {
      const strict = await kubectlRamp(["convert", "--from-cluster", "-n", live, "--strict", "-o", out]);
      assert.equal(strict.code, 1, "something was dropped: --strict fails");
      assert.ok(readdirSync(out).includes("rollout-shop.yaml"), "-o DIR still writes what converted");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }

    const all = await kubectlRamp(["convert", "--from-cluster", "-A"]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`^ {2}namespace: ${live}$`, "m"), "-A reads every namespace");
  });
});
