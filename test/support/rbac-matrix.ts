// What the controller's ServiceAccount must and must not be allowed to do, per mode, as `kubectl auth
// can-i` questions. The "needs" come from the code (src/controller/*, src/kube/*, src/traffic/apis.ts):
// every request the controller makes, by verb and resource; the runtime test cross-checks them against
// the requests the controller actually made (ramp_kube_api_requests_total).
import { canI } from "./chart.ts";

/** Where a question is asked: the watched namespace, the release namespace, an unrelated one, all, or cluster scope. */
export type Scope = "watched" | "release" | "other" | "all" | "cluster";

export type Question = {
  verb: string;
  /** resource.group as kubectl takes it (e.g. "replicasets.apps"), or a non-resource URL ("/apis/…"). */
  resource: string;
  subresource?: string;
  name?: string;
  scope: Scope;
};

/** The controller's requests on namespaced resources: [resource, subresource, verbs]. */
export const NAMESPACED_NEEDS: readonly [string, string | undefined, readonly string[]][] = [
  ["rollouts.ramp.dev", undefined, ["list", "watch", "patch"]],
  ["rollouts.ramp.dev", "status", ["patch"]],
  ["rollouts.ramp.dev", "finalizers", ["update"]],
  ["analysisruns.ramp.dev", undefined, ["list", "watch", "create", "patch", "delete"]],
  ["analysisruns.ramp.dev", "status", ["patch"]],
  ["analysisruns.ramp.dev", "finalizers", ["update"]],
  ["analysistemplates.ramp.dev", undefined, ["list", "watch"]],
  ["notifiers.ramp.dev", undefined, ["list", "watch"]],
  ["notifiers.ramp.dev", "status", ["patch"]],
  ["replicasets.apps", undefined, ["list", "watch", "create", "patch", "delete"]],
  ["services", undefined, ["list", "watch", "patch"]],
  ["pods", undefined, ["list", "delete", "patch"]],
  ["deployments.apps", undefined, ["list", "watch"]],
  ["deployments.apps", "scale", ["patch"]],
  ["horizontalpodautoscalers.autoscaling", undefined, ["list", "watch"]],
  ["jobs.batch", undefined, ["list", "watch", "create"]],
  ["events", undefined, ["create", "patch"]],
  ["httproutes.gateway.networking.k8s.io", undefined, ["list", "watch", "patch"]],
  ["gateways.gateway.networking.k8s.io", undefined, ["list", "watch"]],
  ["ingresses.networking.k8s.io", undefined, ["list", "watch", "create", "patch", "delete"]],
  ["virtualservices.networking.istio.io", undefined, ["list", "watch", "patch"]],
  ["destinationrules.networking.istio.io", undefined, ["list", "watch", "patch"]],
];

const DISCOVERY = [
  "/api",
  "/apis",
  "/apis/gateway.networking.k8s.io/v1",
  "/apis/networking.k8s.io/v1",
  "/apis/networking.istio.io/v1",
];

const q = (verb: string, resource: string, scope: Scope, more: Partial<Question> = {}): Question => ({
  verb,
  resource,
  scope,
  ...more,
});

export type Mode = {
  namespaced: boolean;
  leaseName: string;
  /** Secret names analysis may read (namespaced mode: the only ones). */
  secretNames: readonly string[];
};

/** Everything the controller must be allowed to do. */
export function mustAllow(mode: Mode): Question[] {
  const out: Question[] = [];
  for (const [resource, subresource, verbs] of NAMESPACED_NEEDS) {
    for (const verb of verbs) {
      out.push(q(verb, resource, "watched", subresource ? { subresource } : {}));
      // Cluster-wide, the informers list and watch across every namespace.
      if (!mode.namespaced && !subresource && (verb === "list" || verb === "watch")) {
        out.push(q(verb, resource, "all"));
      }
    }
  }
  out.push(
    q("list", "clusteranalysistemplates.ramp.dev", "cluster"),
    q("watch", "clusteranalysistemplates.ramp.dev", "cluster"),
    q("list", "clusternotifiers.ramp.dev", "cluster"),
    q("watch", "clusternotifiers.ramp.dev", "cluster"),
    q("patch", "clusternotifiers.ramp.dev", "cluster", { subresource: "status" }),
    q("list", "gatewayclasses.gateway.networking.k8s.io", "cluster"),
    q("watch", "gatewayclasses.gateway.networking.k8s.io", "cluster"),
    // CRDs, to follow a router's API installed or deleted after ramp (src/traffic/route-caches.ts).
    q("list", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
    q("watch", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
  );
  out.push(q("create", "leases.coordination.k8s.io", "release"));
  for (const verb of ["get", "update"])
    out.push(q(verb, "leases.coordination.k8s.io", "release", { name: mode.leaseName }));
  if (mode.namespaced)
    for (const name of mode.secretNames) out.push(q("get", "secrets", "watched", { name }));
  else out.push(q("get", "secrets", "watched", { name: "any-secret-analysis-names" }));
  for (const url of DISCOVERY) out.push(q("get", url, "cluster"));
  return out;
}

/** A set of things a compromised controller must not be able to do. */
export function mustDeny(mode: Mode): Question[] {
  const out: Question[] = [
    // Secrets are read one by one, by name: never enumerated, never written.
    q("list", "secrets", "watched"),
    q("watch", "secrets", "watched"),
    q("list", "secrets", "all"),
    q("watch", "secrets", "all"),
    ...["create", "update", "patch", "delete"].map((v) => q(v, "secrets", "watched")),
    // Spec belongs to Git: Rollouts are patched only for their finalizer (RBAC cannot narrow it further),
    // never created, replaced or deleted; templates are never written.
    ...["create", "update", "delete", "deletecollection"].map((v) => q(v, "rollouts.ramp.dev", "watched")),
    q("update", "rollouts.ramp.dev", "watched", { subresource: "status" }),
    ...["create", "patch", "delete"].map((v) => q(v, "analysistemplates.ramp.dev", "watched")),
    ...["create", "patch", "delete"].map((v) => q(v, "clusteranalysistemplates.ramp.dev", "cluster")),
    // Notifiers are people's: the controller writes only their status.
    ...["create", "patch", "delete"].map((v) => q(v, "notifiers.ramp.dev", "watched")),
    ...["create", "patch", "delete"].map((v) => q(v, "clusternotifiers.ramp.dev", "cluster")),
    // Workloads: ramp makes ReplicaSets, never pods, Deployments or other controllers' objects; of a
    // workloadRef's Deployment it writes only the scale subresource.
    q("create", "pods", "watched"),
    q("update", "pods", "watched"),
    q("create", "pods", "watched", { subresource: "exec" }),
    q("get", "pods", "watched", { subresource: "log" }),
    q("create", "pods", "watched", { subresource: "eviction" }),
    ...["create", "patch", "delete"].map((v) => q(v, "deployments.apps", "watched")),
    q("patch", "statefulsets.apps", "watched"),
    q("patch", "daemonsets.apps", "watched"),
    q("update", "replicasets.apps", "watched"),
    q("deletecollection", "replicasets.apps", "watched"),
    q("create", "services", "watched"),
    q("delete", "services", "watched"),
    q("update", "services", "watched"),
    q("delete", "jobs.batch", "watched"),
    q("patch", "jobs.batch", "watched"),
    q("delete", "events", "watched"),
    q("get", "configmaps", "watched"),
    q("list", "configmaps", "watched"),
    // Routes: the user's route objects are patched, never created or deleted.
    q("create", "httproutes.gateway.networking.k8s.io", "watched"),
    q("delete", "httproutes.gateway.networking.k8s.io", "watched"),
    q("create", "virtualservices.networking.istio.io", "watched"),
    q("delete", "virtualservices.networking.istio.io", "watched"),
    q("delete", "destinationrules.networking.istio.io", "watched"),
    q("create", "gateways.gateway.networking.k8s.io", "watched"),
    // Leases: only its own, only in the release namespace.
    q("get", "leases.coordination.k8s.io", "release", { name: "kube-controller-manager" }),
    q("update", "leases.coordination.k8s.io", "release", { name: "someone-else" }),
    q("delete", "leases.coordination.k8s.io", "release", { name: mode.leaseName }),
    q("list", "leases.coordination.k8s.io", "release"),
    q("create", "leases.coordination.k8s.io", "other"),
    q("update", "leases.coordination.k8s.io", "other", { name: mode.leaseName }),
    // Cluster administration.
    ...["clusterroles", "clusterrolebindings"].map((r) =>
      q("create", `${r}.rbac.authorization.k8s.io`, "cluster"),
    ),
    ...["roles", "rolebindings"].map((r) => q("create", `${r}.rbac.authorization.k8s.io`, "watched")),
    q("escalate", "clusterroles.rbac.authorization.k8s.io", "cluster"),
    q("bind", "clusterroles.rbac.authorization.k8s.io", "cluster"),
    q("impersonate", "users", "cluster"),
    q("impersonate", "serviceaccounts", "watched"),
    q("create", "serviceaccounts", "watched", { name: "default", subresource: "token" }),
    q("get", "nodes", "cluster"),
    q("list", "nodes", "cluster"),
    q("patch", "nodes", "cluster"),
    q("create", "namespaces", "cluster"),
    q("delete", "namespaces", "cluster"),
    q("list", "namespaces", "cluster"),
    q("create", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
    q("update", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
    q("patch", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
    q("delete", "customresourcedefinitions.apiextensions.k8s.io", "cluster"),
    q("create", "mutatingwebhookconfigurations.admissionregistration.k8s.io", "cluster"),
    q("*", "*", "watched"),
    q("*", "*", "cluster"),
  ];
  if (mode.namespaced) {
    // Nothing outside the watched namespace, nor across all namespaces.
    for (const [resource, subresource, verbs] of NAMESPACED_NEEDS) {
      for (const verb of verbs) out.push(q(verb, resource, "other", subresource ? { subresource } : {}));
      if (!subresource) out.push(q("list", resource, "all"));
    }
    // Secrets: only the listed names, only in the watched namespace.
    out.push(q("get", "secrets", "watched"));
    out.push(q("get", "secrets", "watched", { name: "not-listed" }));
    for (const name of mode.secretNames) out.push(q("get", "secrets", "other", { name }));
  }
  return out;
}

export type Namespaces = { watched: string; release: string; other: string };

/** Asks one question as `as`; the answer, and a line that says what was asked. */
export async function ask(
  as: string,
  question: Question,
  ns: Namespaces,
): Promise<{ allowed: boolean; line: string }> {
  const scope: Parameters<typeof canI>[3] = {};
  if (question.scope === "all") scope.allNamespaces = true;
  else if (question.scope !== "cluster") scope.namespace = ns[question.scope];
  if (question.name) scope.name = question.name;
  if (question.subresource) scope.subresource = question.subresource;
  const allowed = await canI(as, question.verb, question.resource, scope);
  const target = `${question.resource}${question.subresource ? `/${question.subresource}` : ""}${question.name ? ` ${question.name}` : ""}`;
  return { allowed, line: `${question.verb} ${target} (${question.scope})` };
}

/** Asks every question, a few at a time; resolves with the ones whose answer was not `expected`. */
export async function wrongAnswers(
  as: string,
  questions: readonly Question[],
  expected: boolean,
  ns: Namespaces,
): Promise<string[]> {
  const wrong: string[] = [];
  for (let i = 0; i < questions.length; i += 8) {
    const batch = await Promise.all(questions.slice(i, i + 8).map((x) => ask(as, x, ns)));
    for (const a of batch) if (a.allowed !== expected) wrong.push(a.line);
  }
  return wrong;
}
