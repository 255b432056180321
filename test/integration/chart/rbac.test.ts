// Given the chart's RBAC applied to the real apiserver, when `kubectl auth can-i --as
// system:serviceaccount:<release-ns>:<sa>` asks about every request the controller makes and a set it
// must never make, then the answers are exactly yes and no, cluster-wide and in namespaced mode.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { installCrds } from "../../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace } from "../../../dev/kube.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { applyManifests, deleteClusterScoped, find, type Manifest, render } from "../../support/chart.ts";
import { type Mode, mustAllow, mustDeny, type Namespaces, wrongAnswers } from "../../support/rbac-matrix.ts";

type Setup = { ns: Namespaces; as: string; mode: Mode; docs: Manifest[] };

/** Renders the chart into a fresh release namespace and applies it; the matrix is asked about `ns`. */
async function install(values: Record<string, unknown>, mode: Omit<Mode, "leaseName">): Promise<Setup> {
  // kubectl resolves resource names through discovery: every API the matrix names must be served.
  await Promise.all([installCrds(), installUpstreamCrds()]);
  const release = await createTestNamespace("rbac-release");
  const other = await createTestNamespace("rbac-other");
  const watched = mode.namespaced ? await createTestNamespace("rbac-watched") : other;
  const name = `rbac${randomBytes(3).toString("hex")}`;
  const docs = await render({
    release: name,
    namespace: release,
    values: mode.namespaced ? { ...values, watchNamespace: watched } : values,
  });
  await applyManifests(docs);
  const sa = find(docs, "ServiceAccount").metadata.name;
  // The Lease is named after the release (leaderElection.leaseName is empty by default).
  const leaseName = find(docs, "Deployment").metadata.name;
  return {
    ns: { watched, release, other },
    as: `system:serviceaccount:${release}:${sa}`,
    mode: { ...mode, leaseName },
    docs,
  };
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await deleteClusterScoped(s.docs);
  for (const ns of new Set(Object.values(s.ns))) await deleteTestNamespace(ns, { wait: false });
}

for (const [label, values, mode] of [
  ["cluster-wide (default values)", {}, { namespaced: false, secretNames: [] }],
  [
    "namespaced (watchNamespace, analysis.secretNames)",
    { namespaced: true, analysis: { secretNames: ["analysis-token"] } },
    { namespaced: true, secretNames: ["analysis-token"] },
  ],
] as const) {
  describe(`RBAC matrix: ${label}`, () => {
    let s: Setup | undefined;
    before(async () => {
      s = await install(values, mode);
    });
    after(() => teardown(s));

    test("the ServiceAccount can do everything the controller does", async () => {
      assert.ok(s);
      const questions = mustAllow(s.mode);
      const denied = await wrongAnswers(s.as, questions, true, s.ns);
      assert.deepEqual(denied, [], `denied to ${s.as}:\n${denied.join("\n")}`);
      assert.ok(questions.length >= 40, `asked ${questions.length} questions`);
    });

    test("control: another ServiceAccount of the release namespace gets none of it (the yeses are the chart's)", async () => {
      assert.ok(s);
      const questions = mustAllow(s.mode).filter((x) => !x.resource.startsWith("/"));
      const allowed = await wrongAnswers(
        `system:serviceaccount:${s.ns.release}:default`,
        questions,
        false,
        s.ns,
      );
      assert.deepEqual(allowed, [], `allowed without the chart's bindings:\n${allowed.join("\n")}`);
    });

    test("and nothing it must not", async () => {
      assert.ok(s);
      const questions = mustDeny(s.mode);
      const allowed = await wrongAnswers(s.as, questions, false, s.ns);
      assert.deepEqual(allowed, [], `allowed to ${s.as}:\n${allowed.join("\n")}`);
    });
  });
}
