// Given the extension points argo-helm users expect (namespaceOverride, extraVolumes/extraVolumeMounts,
// extraObjects, deployment and pod annotations, priorityClassName), when the chart renders them, then
// each lands where it should; and on the real apiserver a release whose namespaceOverride differs from
// helm's --namespace runs entirely in the override, its ServiceAccount holding its Lease rights there.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { createTestNamespace, deleteTestNamespace, kubectl, waitFor } from "../../../dev/kube.ts";
import {
  applyManifests,
  canI,
  deleteClusterScoped,
  find,
  type Manifest,
  render,
} from "../../support/chart.ts";

const NS = "ramp-system";
type Pod = {
  priorityClassName?: string;
  volumes: { name: string }[];
  containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[];
};
type Meta = { annotations?: Record<string, string> };
const deployment = (docs: Manifest[]) =>
  find(docs, "Deployment") as Manifest & {
    metadata: Meta;
    spec: { template: { metadata: Meta; spec: Pod } };
  };
const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);

describe("chart: argo-helm extension points", () => {
  test("namespaceOverride: every namespaced object, binding subject, the Lease flag and the ServiceMonitor's selector", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: { namespaceOverride: "delivery", metrics: { serviceMonitor: { enabled: true } } },
    });
    for (const d of docs) {
      if (CLUSTER_SCOPED.has(d.kind))
        assert.equal(d.metadata.namespace, undefined, `${d.kind}/${d.metadata.name}`);
      else assert.equal(d.metadata.namespace, "delivery", `${d.kind}/${d.metadata.name}`);
      for (const s of (d as { subjects?: { namespace?: string }[] }).subjects ?? [])
        assert.equal(s.namespace, "delivery", `${d.kind}/${d.metadata.name} subject`);
    }
    assert.ok(deployment(docs).spec.template.spec.containers[0]?.args.includes("--lease-namespace=delivery"));
    const sm = find(docs, "ServiceMonitor").spec as { namespaceSelector: { matchNames: string[] } };
    assert.deepEqual(sm.namespaceSelector.matchNames, ["delivery"]);
    // Namespaced mode watches the override by default.
    const namespaced = await render({
      release: "ramp",
      namespace: NS,
      values: { namespaceOverride: "delivery", namespaced: true },
    });
    assert.equal(find(namespaced, "Role", "ramp").metadata.namespace, "delivery");
  });

  test("extraVolumes and extraVolumeMounts join the /tmp scratch volume", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: {
        extraVolumes: [{ name: "ca", configMap: { name: "corp-ca" } }],
        extraVolumeMounts: [{ name: "ca", mountPath: "/etc/ramp/ca", readOnly: true }],
      },
    });
    const pod = deployment(docs).spec.template.spec;
    assert.deepEqual(
      pod.volumes.map((v) => v.name),
      ["tmp", "ca"],
    );
    assert.deepEqual(pod.volumes[1], { name: "ca", configMap: { name: "corp-ca" } });
    assert.deepEqual(pod.containers[0]?.volumeMounts, [
      { name: "tmp", mountPath: "/tmp" },
      { name: "ca", mountPath: "/etc/ramp/ca", readOnly: true },
    ]);
  });

  test("extraObjects: maps and strings, both through tpl", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: {
        extraObjects: [
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: {
              name: '{{ include "ramp.fullname" . }}-extra',
              namespace: '{{ include "ramp.namespace" . }}',
            },
            data: { release: "{{ .Release.Name }}" },
          },
          "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-token\n  namespace: {{ .Release.Namespace }}\nstringData:\n  token: x\n",
        ],
      },
    });
    const cm = find(docs, "ConfigMap", "ramp-extra");
    assert.equal(cm.metadata.namespace, NS);
    assert.deepEqual(cm.data, { release: "ramp" });
    assert.equal(find(docs, "Secret", "web-token").metadata.namespace, NS);
    const none = await render({ release: "ramp", namespace: NS });
    assert.ok(!none.some((d) => d.kind === "ConfigMap" && d.metadata.name.endsWith("-extra")));
  });

  test("deploymentAnnotations on the Deployment, podAnnotations on its pods, priorityClassName", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: {
        deploymentAnnotations: { "reloader.stakater.com/auto": "true" },
        podAnnotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" },
        priorityClassName: "system-cluster-critical",
      },
    });
    const d = deployment(docs);
    assert.deepEqual(d.metadata.annotations, { "reloader.stakater.com/auto": "true" });
    assert.deepEqual(d.spec.template.metadata.annotations, {
      "cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
    });
    assert.equal(d.spec.template.spec.priorityClassName, "system-cluster-critical");
    const plain = deployment(await render({ release: "ramp", namespace: NS }));
    assert.equal(plain.metadata.annotations, undefined);
    assert.equal(plain.spec.template.spec.priorityClassName, undefined);
  });

  describe("on the real apiserver", () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => {});
    });

    test("namespaceOverride: the release runs in the override, not in helm's --namespace", async () => {
      const helmNs = await createTestNamespace("chart-helm-ns");
      const target = await createTestNamespace("chart-override");
      cleanups.push(() => deleteTestNamespace(helmNs, { wait: false }));
      cleanups.push(() => deleteTestNamespace(target, { wait: false }));
      const docs = await render({
        release: `ov${randomBytes(3).toString("hex")}`,
        namespace: helmNs,
        values: {
          namespaceOverride: target,
          extraObjects: [
            {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "extra", namespace: '{{ include "ramp.namespace" . }}' },
            },
          ],
        },
      });
      cleanups.push(() => deleteClusterScoped(docs));
      await applyManifests(docs);
      const deploy = find(docs, "Deployment").metadata.name;
      await waitFor(
        async () => {
          const r = await kubectl([
            "get",
            "deployment",
            deploy,
            "-n",
            target,
            "-o",
            "jsonpath={.status.availableReplicas}",
          ]);
          return Number(r.stdout) === 2;
        },
        { what: `Deployment ${deploy} available in ${target}`, timeoutMs: 60_000 },
      );
      const inHelmNs = await kubectl([
        "get",
        "all,configmaps,roles,rolebindings,serviceaccounts",
        "-n",
        helmNs,
        "-o",
        "name",
      ]);
      assert.deepEqual(
        inHelmNs.stdout
          .split("\n")
          .filter((l) => l && !/(kube-root-ca\.crt|serviceaccount\/default)$/.test(l)),
        [],
        "nothing landed in helm's namespace",
      );
      const cm = await kubectl(["get", "configmap", "extra", "-n", target, "-o", "name"]);
      assert.equal(cm.code, 0, cm.stderr);
      const sa = `system:serviceaccount:${target}:${find(docs, "ServiceAccount").metadata.name}`;
      assert.equal(
        await canI(sa, "update", "leases.coordination.k8s.io", { namespace: target, name: deploy }),
        true,
      );
      assert.equal(await canI(sa, "list", "rollouts.ramp.dev", { allNamespaces: true }), true);
    });
  });
});
