// Given the chart's aggregated ClusterRoles applied to the real apiserver (whose
// clusterrole-aggregation controller folds them into the built-in view, edit and admin roles), when
// users are bound to view, edit or admin in one namespace with ordinary RoleBindings, then a viewer
// reads Rollouts, AnalysisRuns and templates but cannot promote or change them, and an editor or admin
// can create them and promote (a merge patch of rollouts/status, as `kubectl ramp promote` writes it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { installCrds } from "../../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubectl, waitFor } from "../../../dev/kube.ts";
import { applyManifests, canI, deleteClusterScoped, type Manifest, render } from "../../support/chart.ts";

const NS = "ramp-system";
const isAggregate = (d: Manifest) => d.kind === "ClusterRole" && /-aggregate-to-/.test(d.metadata.name);

describe("chart: aggregated ClusterRoles (rbac.aggregateRoles)", () => {
  test("rendered by default, labelled for view, edit and admin, and off with rbac.aggregateRoles=false", async () => {
    const docs = await render({ release: "ramp", namespace: NS });
    const roles = docs.filter(isAggregate);
    assert.deepEqual(
      roles.map((r) => [
        r.metadata.name,
        Object.keys(r.metadata.labels ?? {}).filter((k) => k.startsWith("rbac.")),
      ]),
      [
        ["ramp-aggregate-to-view", ["rbac.authorization.k8s.io/aggregate-to-view"]],
        [
          "ramp-aggregate-to-edit",
          ["rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin"],
        ],
      ],
    );
    // They bind no one themselves: no binding names them.
    for (const b of docs.filter((d) => d.kind.endsWith("Binding"))) {
      const ref = (b as { roleRef?: { name: string } }).roleRef;
      assert.ok(!ref?.name.includes("-aggregate-to-"), `${b.kind}/${b.metadata.name}`);
    }
    const off = await render({ release: "ramp", namespace: NS, values: { rbac: { aggregateRoles: false } } });
    assert.deepEqual(off.filter(isAggregate), []);
    const namespaced = await render({ release: "ramp", namespace: NS, values: { namespaced: true } });
    assert.equal(namespaced.filter(isAggregate).length, 2, "namespaced mode renders them too");
  });

  describe("on the real apiserver", () => {
    const id = randomBytes(3).toString("hex");
    const viewer = `viewer-${id}`;
    const editor = `editor-${id}`;
    const admin = `admin-${id}`;
    const stranger = `stranger-${id}`;
    let ns = "";
    let docs: Manifest[] = [];

    before(async () => {
      await installCrds();
      ns = await createTestNamespace("aggregate-roles");
      docs = (await render({ release: `agg${id}`, namespace: NS })).filter(isAggregate);
      await applyManifests(docs);
      const bindings = [
        [viewer, "view"],
        [editor, "edit"],
        [admin, "admin"],
      ].map(([user, role]) => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `${role}-${id}`, namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      }));
      const res = await kubectl(["apply", "-f", "-"], {
        input: bindings.map((b) => `---\n${stringify(b)}`).join(""),
      });
      assert.equal(res.code, 0, res.stderr);
      // The aggregation controller copies the rules into view/edit/admin asynchronously.
      await waitFor(
        async () =>
          (await canI(viewer, "list", "rollouts.ramp.dev", { namespace: ns })) &&
          (await canI(editor, "patch", "rollouts.ramp.dev", { namespace: ns, subresource: "status" })) &&
          (await canI(admin, "patch", "rollouts.ramp.dev", { namespace: ns, subresource: "status" })) &&
          // view's rules reach admin through edit (edit is labelled aggregate-to-admin): a second pass.
          (await canI(admin, "get", "analysistemplates.ramp.dev", { namespace: ns })),
        {
          what: "the chart's rules aggregated into view, edit and admin",
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
    });

    after(async () => {
      await deleteClusterScoped(docs);
      if (ns) await deleteTestNamespace(ns, { wait: false });
    });

    const ask = (user: string, verb: string, resource: string, subresource?: string) =>
      canI(user, verb, resource, { namespace: ns, ...(subresource ? { subresource } : {}) });

    test("a viewer reads every ramp object in the namespace and can write none, promote included", async () => {
      for (const r of ["rollouts", "analysisruns", "analysistemplates"]) {
        for (const verb of ["get", "list", "watch"]) {
          assert.equal(await ask(viewer, verb, `${r}.ramp.dev`), true, `${verb} ${r}`);
        }
        for (const verb of ["create", "update", "patch", "delete"]) {
          assert.equal(await ask(viewer, verb, `${r}.ramp.dev`), false, `${verb} ${r}`);
        }
      }
      assert.equal(await ask(viewer, "patch", "rollouts.ramp.dev", "status"), false, "promote/abort");
      assert.equal(await ask(viewer, "patch", "rollouts.ramp.dev", "scale"), false, "scale");
    });

    test("an editor and an admin write Rollouts, AnalysisRuns and templates, promote and scale", async () => {
      for (const user of [editor, admin]) {
        for (const r of ["rollouts", "analysisruns", "analysistemplates"]) {
          for (const verb of ["get", "create", "patch", "delete"]) {
            assert.equal(await ask(user, verb, `${r}.ramp.dev`), true, `${user}: ${verb} ${r}`);
          }
        }
        assert.equal(await ask(user, "patch", "rollouts.ramp.dev", "status"), true, `${user}: promote`);
        assert.equal(await ask(user, "patch", "rollouts.ramp.dev", "scale"), true, `${user}: scale`);
      }
    });

    test("control: a user with no binding gets none of it, and the grants stop at the namespace", async () => {
      assert.equal(await ask(stranger, "get", "rollouts.ramp.dev"), false);
      const elsewhere = await canI(editor, "patch", "rollouts.ramp.dev", {
        namespace: "default",
        subresource: "status",
      });
      assert.equal(elsewhere, false, "edit in one namespace is not promote in another");
    });

    test("real requests: the editor creates a Rollout and promotes it; the viewer's promote is Forbidden", async () => {
      const rollout = {
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "ghcr.io/example/web:1.0.0" }] },
          },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      };
      const created = await kubectl(["create", "-f", "-", "--as", editor], { input: stringify(rollout) });
      assert.equal(created.code, 0, created.stderr);

      // What `kubectl ramp promote` writes (src/cli/actions/actions.ts): a merge patch of status.intent.
      const intent = (who: string) =>
        JSON.stringify({
          status: {
            intent: {
              action: "promote",
              id: `${who}-${id}`,
              requestedAt: new Date().toISOString(),
              requestedBy: who,
            },
          },
        });
      const promote = (who: string) =>
        kubectl([
          "patch",
          "rollouts.ramp.dev",
          "web",
          "-n",
          ns,
          "--subresource=status",
          "--type=merge",
          "-p",
          intent(who),
          "--as",
          who,
        ]);

      const refused = await promote(viewer);
      assert.notEqual(refused.code, 0, "the viewer's promote was accepted");
      assert.match(refused.stderr, /forbidden/i);

      const done = await promote(editor);
      assert.equal(done.code, 0, done.stderr);
      const read = await kubectl([
        "get",
        "rollouts.ramp.dev",
        "web",
        "-n",
        ns,
        "-o",
        "jsonpath={.status.intent.id}",
        "--as",
        viewer,
      ]);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(read.stdout, `${editor}-${id}`, "the viewer reads the editor's intent");
    });
  });
});
