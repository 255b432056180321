// Given the Helm chart, when helm lints and renders it with the default values, in namespaced mode and
// with every optional feature on, then it passes, renders what production needs, refuses bad values, and
// the real apiserver accepts every object server-side (in a namespace enforcing the "restricted" Pod
// Security Standard, so the controller pods' securityContext is checked by the apiserver too).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { installCrds } from "../../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubectl, waitFor } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import pkg from "../../../package.json" with { type: "json" };
import {
  applyManifests,
  chartDir,
  deleteClusterScoped,
  find,
  installDryRun,
  installMonitoringCrds,
  lint,
  type Manifest,
  render,
  served,
  template,
} from "../../support/chart.ts";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Container = {
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  ports: { name: string; containerPort: number }[];
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpec = {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  affinity?: { podAntiAffinity?: Record<string, unknown> };
};

const NS = "ramp-system";
const rulesOf = (m: Manifest): Rule[] => (m.rules as Rule[] | undefined) ?? [];
const podSpec = (docs: Manifest[]): PodSpec =>
  (find(docs, "Deployment").spec as { template: { spec: PodSpec } }).template.spec;
const container = (docs: Manifest[]): Container => {
  const c = podSpec(docs).containers[0];
  assert.ok(c, "the Deployment has a container");
  return c;
};
/** "group/resource: verbs" per rule, for exact comparisons that read well in a failure. */
const describeRules = (rules: Rule[]): string[] =>
  rules.flatMap((r) =>
    r.resources.map(
      (res) =>
        `${r.apiGroups.join(",") || "core"}/${res}${r.resourceNames ? `[${r.resourceNames.join(",")}]` : ""}: ${[...r.verbs].sort().join(",")}`,
    ),
  );

/** What the controller's code uses on namespaced resources (see src/controller/*, src/kube/*). */
const NAMESPACED_RULES = [
  "ramp.dev/rollouts: list,patch,watch",
  "ramp.dev/rollouts/status: patch",
  "ramp.dev/rollouts/finalizers: update",
  "ramp.dev/analysisruns/finalizers: update",
  "ramp.dev/analysisruns: create,delete,list,patch,watch",
  "ramp.dev/analysisruns/status: patch",
  "ramp.dev/analysistemplates: list,watch",
  "ramp.dev/notifiers: list,watch",
  "ramp.dev/notifiers/status: patch",
  "apps/replicasets: create,delete,list,patch,watch",
  "core/services: list,patch,watch",
  "core/pods: delete,list,patch",
  "apps/deployments: list,watch",
  "apps/deployments/scale: patch",
  "autoscaling/horizontalpodautoscalers: list,watch",
  "batch/jobs: create,list,watch",
  "core/events: create,patch",
  "gateway.networking.k8s.io/httproutes: list,patch,watch",
  "gateway.networking.k8s.io/gateways: list,watch",
  "networking.k8s.io/ingresses: create,delete,list,patch,watch",
  "networking.istio.io/virtualservices: list,patch,watch",
  "networking.istio.io/destinationrules: list,patch,watch",
];
/**
 * The cluster-scoped grants every mode has: ClusterAnalysisTemplates, ClusterNotifiers (and their Ready
 * condition), GatewayClasses and CRDs.
 */
const CLUSTER_TEMPLATES = [
  "ramp.dev/clusteranalysistemplates: list,watch",
  "ramp.dev/clusternotifiers: list,watch",
  "ramp.dev/clusternotifiers/status: patch",
  "gateway.networking.k8s.io/gatewayclasses: list,watch",
  "apiextensions.k8s.io/customresourcedefinitions: list,watch",
];

/** Every optional feature on (PriorityClass aside: it would need one to exist). */
const ALL_ON = {
  metrics: {
    serviceMonitor: {
      enabled: true,
      labels: { release: "kube-prometheus-stack" },
      relabelings: [{ action: "replace", targetLabel: "cluster", replacement: "local" }],
    },
    service: { annotations: { "example.com/scrape": "true" } },
  },
  networkPolicy: {
    enabled: true,
    metricsFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
    egress: [
      {
        ports: [
          { port: 443, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
    ],
  },
  podDisruptionBudget: { minAvailable: 1 },
  prometheusRule: { enabled: true },
  grafana: { dashboard: { enabled: true } },
  podAntiAffinity: "hard",
  image: { digest: `sha256:${"a".repeat(64)}` },
  serviceAccount: { annotations: { "example.com/role": "ramp" } },
  controller: { logLevel: "debug", workers: 4, extraArgs: ["--lease-name=ramp-leader"] },
  leaderElection: { leaseName: "ramp-leader" },
  notifications: {
    dashboardURL: "https://ramp.example.com",
    grafanaURL: "https://grafana.example.com",
    giveUpSeconds: 300,
  },
  commonLabels: { team: "platform" },
  podAnnotations: { "example.com/owner": "platform" },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { "app.kubernetes.io/name": "ramp" } },
    },
  ],
};

describe("helm chart: lint and render", () => {
  test("chart/crds/ is exactly crds/ (npm run gen:crds copies them)", () => {
    const want = readdirSync(join(repoRoot, "crds")).filter((f) => f.endsWith(".yaml"));
    const have = readdirSync(join(chartDir, "crds")).filter((f) => f.endsWith(".yaml"));
    assert.deepEqual(have.sort(), want.sort());
    for (const f of want) {
      assert.equal(
        readFileSync(join(chartDir, "crds", f), "utf8"),
        readFileSync(join(repoRoot, "crds", f), "utf8"),
        `chart/crds/${f} differs from crds/${f}: run npm run gen:crds`,
      );
    }
  });

  test("Chart.yaml's appVersion is the package version, so the default image is this release", () => {
    const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as { appVersion: string };
    assert.equal(chart.appVersion, pkg.version);
  });

  for (const [label, values] of [
    ["default values", {}],
    ["namespaced mode", { namespaced: true, watchNamespace: "apps", analysis: { secretNames: ["prom"] } }],
    ["every optional feature on", ALL_ON],
  ] as const) {
    test(`helm lint --strict passes: ${label}`, async () => {
      const res = await lint(values);
      assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
      assert.match(res.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }

  test("default values: a cluster-wide, leader-elected, hardened Deployment of the default image", async () => {
    const docs = await render({ release: "ramp", namespace: NS });
    const kinds = new Set(docs.map((d) => d.kind));
    for (const k of [
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Service",
      "Deployment",
      "PodDisruptionBudget",
    ]) {
      assert.ok(kinds.has(k), `renders a ${k}`);
    }
    for (const k of ["ServiceMonitor", "NetworkPolicy", "PrometheusRule"])
      assert.ok(!kinds.has(k), `no ${k}`);
    for (const d of docs.filter((x) => !x.kind.startsWith("Cluster"))) {
      assert.equal(d.metadata.namespace, NS, `${d.kind}/${d.metadata.name} names the release namespace`);
    }

    const deploy = find(docs, "Deployment");
    assert.equal((deploy.spec as { replicas: number }).replicas, 2);
    const pod = podSpec(docs);
    const c = container(docs);
    assert.equal(c.image, `ghcr.io/ramp-dev/ramp-controller:${pkg.version}`);
    assert.deepEqual(c.args, [
      "--metrics-addr=:8080",
      "--health-addr=:8081",
      "--log-level=info",
      "--workers=32",
      "--leader-elect",
      "--lease-name=ramp",
      `--lease-namespace=${NS}`,
    ]);
    assert.deepEqual(
      c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]),
      [
        ["POD_NAME", "metadata.name"],
        ["POD_NAMESPACE", "metadata.namespace"],
        // An explicit heap limit: Node's own would be a quarter of the 512Mi memory limit.
        ["NODE_OPTIONS", "--max-old-space-size=384"],
      ],
    );
    assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "health" });
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "health" });
    assert.deepEqual(
      c.ports.map((p) => [p.name, p.containerPort]),
      [
        ["metrics", 8080],
        ["health", 8081],
      ],
    );
    assert.deepEqual(c.securityContext, {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.ok(c.resources.requests?.cpu && c.resources.requests.memory && c.resources.limits?.memory);
    assert.ok(
      pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      "replicas prefer different nodes",
    );
    assert.equal(pod.serviceAccountName, find(docs, "ServiceAccount").metadata.name);
    assert.deepEqual(
      (find(docs, "PodDisruptionBudget").spec as { maxUnavailable: number }).maxUnavailable,
      1,
    );
    const svc = find(docs, "Service").spec as { ports: { name: string; port: number }[] };
    assert.deepEqual(
      svc.ports.map((p) => [p.name, p.port]),
      [["metrics", 8080]],
    );
  });

  test("default RBAC: exactly the controller's rules cluster-wide, Secrets get-only, Leases in the release namespace", async () => {
    const docs = await render({ release: "ramp", namespace: NS });
    const cr = find(docs, "ClusterRole", "ramp");
    assert.deepEqual(
      describeRules(rulesOf(cr)).sort(),
      [...NAMESPACED_RULES, ...CLUSTER_TEMPLATES, "core/secrets: get"].sort(),
    );
    const crb = find(docs, "ClusterRoleBinding", "ramp") as Manifest & { subjects: unknown[] };
    assert.deepEqual(crb.subjects, [{ kind: "ServiceAccount", name: "ramp", namespace: NS }]);
    const lease = find(docs, "Role", "ramp-leader-election");
    assert.equal(lease.metadata.namespace, NS);
    assert.deepEqual(describeRules(rulesOf(lease)), [
      "coordination.k8s.io/leases: create",
      "coordination.k8s.io/leases[ramp]: get,update",
    ]);
  });

  test("namespaced mode: a Role in the watched namespace, --namespace, no Secrets unless named", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: { namespaced: true, watchNamespace: "apps" },
    });
    const role = find(docs, "Role", "ramp");
    assert.equal(role.metadata.namespace, "apps");
    assert.deepEqual(describeRules(rulesOf(role)).sort(), [...NAMESPACED_RULES].sort());
    assert.equal(find(docs, "RoleBinding", "ramp").metadata.namespace, "apps");
    // ClusterAnalysisTemplates, ClusterNotifiers, GatewayClasses and CRDs are cluster-scoped: the controller's
    // only cluster-wide grants left, read-only but for ClusterNotifiers' status (the aggregate-to-view/edit
    // roles bind no one: aggregate-roles.test.ts).
    const crs = docs.filter((d) => d.kind === "ClusterRole" && !d.metadata.name.includes("-aggregate-to-"));
    assert.deepEqual(
      crs.map((d) => d.metadata.name),
      ["ramp-cluster-templates"],
    );
    assert.deepEqual(describeRules(rulesOf(crs[0] as Manifest)), CLUSTER_TEMPLATES);
    assert.ok(container(docs).args.includes("--namespace=apps"));
    assert.ok(
      container(docs).args.includes(`--lease-namespace=${NS}`),
      "the Lease stays in the release namespace",
    );

    const named = await render({
      release: "ramp",
      namespace: NS,
      values: { namespaced: true, analysis: { secretNames: ["prom-token", "web-auth"] } },
    });
    const secretRules = rulesOf(find(named, "Role", "ramp")).filter((r) => r.resources.includes("secrets"));
    assert.deepEqual(secretRules, [
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["prom-token", "web-auth"], verbs: ["get"] },
    ]);
    assert.equal(
      find(named, "Role", "ramp").metadata.namespace,
      NS,
      "watchNamespace defaults to the release's",
    );
    assert.ok(container(named).args.includes(`--namespace=${NS}`));
  });

  test("cluster-wide Secrets: named ones only when listed, none when readAllSecrets is off", async () => {
    const secretRules = async (analysis: Record<string, unknown>) =>
      rulesOf(
        find(await render({ release: "ramp", namespace: NS, values: { analysis } }), "ClusterRole", "ramp"),
      ).filter((r) => r.resources.includes("secrets"));
    assert.deepEqual(await secretRules({ secretNames: ["prom-token"] }), [
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["prom-token"], verbs: ["get"] },
    ]);
    assert.deepEqual(await secretRules({ readAllSecrets: false }), []);
  });

  test("analysis.web: the web-analysis allow and deny flags, only when set", async () => {
    const web = { allow: ["169.254.170.2", "[fd00::/8]:443"], deny: ["*"] };
    const args = container(
      await render({ release: "ramp", namespace: NS, values: { analysis: { web } } }),
    ).args;
    assert.ok(args.includes("--web-analysis-allow=169.254.170.2,[fd00::/8]:443"), args.join(" "));
    assert.ok(args.includes("--web-analysis-deny=*"), args.join(" "));
    const plain = container(await render({ release: "ramp", namespace: NS, values: {} })).args;
    assert.ok(!plain.some((a) => a.startsWith("--web-analysis")));
  });

  test("no variant grants wildcards, Secret list/watch, escalate, bind or impersonate", async () => {
    for (const values of [{}, { namespaced: true }, ALL_ON, { analysis: { secretNames: ["x"] } }]) {
      const docs = await render({ release: "ramp", namespace: NS, values });
      for (const role of docs.filter((d) => d.kind === "Role" || d.kind === "ClusterRole")) {
        for (const r of rulesOf(role)) {
          const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(r)}`;
          assert.ok(![...r.apiGroups, ...r.resources, ...r.verbs].includes("*"), `wildcard in ${where}`);
          assert.ok(!r.verbs.some((v) => ["escalate", "bind", "impersonate"].includes(v)), where);
          if (r.resources.includes("secrets")) assert.deepEqual(r.verbs, ["get"], where);
        }
      }
    }
  });

  test("every optional feature on: ServiceMonitor, NetworkPolicy, PDB minAvailable, digest image, hard anti-affinity", async () => {
    const docs = await render({ release: "ramp", namespace: NS, values: ALL_ON });
    const sm = find(docs, "ServiceMonitor").spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    assert.equal(find(docs, "ServiceMonitor").metadata.labels?.release, "kube-prometheus-stack");
    assert.deepEqual(
      sm.endpoints.map((e) => [e.port, e.path]),
      [["metrics", "/metrics"]],
    );
    const svc = find(docs, "Service");
    for (const [k, v] of Object.entries(sm.selector.matchLabels)) assert.equal(svc.metadata.labels?.[k], v);
    const np = find(docs, "NetworkPolicy").spec as { policyTypes: string[]; ingress: unknown[] };
    assert.deepEqual(np.policyTypes, ["Ingress", "Egress"]);
    assert.equal(np.ingress.length, 2);
    assert.deepEqual(find(docs, "PodDisruptionBudget").spec, {
      minAvailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: (find(docs, "Deployment").spec as { selector: unknown }).selector,
    });
    assert.equal(container(docs).image, `ghcr.io/ramp-dev/ramp-controller@sha256:${"a".repeat(64)}`);
    assert.ok(podSpec(docs).affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    assert.ok(container(docs).args.includes("--lease-name=ramp-leader"));
    assert.deepEqual(
      describeRules(rulesOf(find(docs, "Role", "ramp-leader-election")))[1],
      "coordination.k8s.io/leases[ramp-leader]: get,update",
    );
    for (const d of docs) assert.equal(d.metadata.labels?.team, "platform", `${d.kind} carries commonLabels`);
    if (existsSync(join(chartDir, "templates", "prometheusrule.yaml"))) find(docs, "PrometheusRule");
  });

  test("NOTES.txt says which mode, which Secrets and how to check the controller", async () => {
    const notesOf = async (values: Record<string, unknown>) => {
      const res = await installDryRun({ release: "ramp", namespace: NS, values });
      assert.equal(res.code, 0, res.stderr);
      return res.stdout.slice(res.stdout.indexOf("NOTES:"));
    };
    const cluster = await notesOf({});
    assert.match(cluster, /Mode: cluster-wide/);
    assert.match(cluster, /kubectl -n ramp-system rollout status deployment\/ramp/);
    assert.match(cluster, /the leader holds Lease ramp-system\/ramp/);
    const namespaced = await notesOf({
      namespaced: true,
      watchNamespace: "apps",
      analysis: { secretNames: ["a", "b"] },
    });
    assert.match(namespaced, /Mode: namespaced\. The controller watches Rollouts in namespace apps only\./);
    assert.match(namespaced, /Analysis may read these Secrets there: a, b\./);
    assert.match(await notesOf({ namespaced: true }), /Analysis may read no Secrets/);
  });

  test("values.schema.json and the templates refuse what would break the controller", async () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ replicas: 3 }, /additional properties 'replicas' not allowed|replicas/],
      [{ replicaCount: 0 }, /replicaCount/],
      [{ controller: { logLevel: "loud" } }, /logLevel/],
      [{ analysis: { secretNames: "prom-token" } }, /secretNames/],
      [{ analysis: { secretNames: ["Not_A_Name"] } }, /secretNames/],
      [{ analysis: { web: { deny: "10.0.0.0/8" } } }, /deny/],
      [{ analysis: { web: { allow: ["10.0.0.1, 10.0.0.2"] } } }, /allow/],
      [{ securityContext: { runAsNonRoot: false } }, /runAsNonRoot/],
      [{ podAntiAffinity: "sometimes" }, /podAntiAffinity/],
      [{ metrics: { serviceMonitor: { interval: "soon" } } }, /interval/],
      [{ leaderElection: { enabled: false } }, /needs leaderElection.enabled=true/],
      [{ watchNamespace: "apps" }, /watchNamespace is only used with namespaced=true/],
    ];
    for (const [values, message] of refused) {
      const res = await template({ release: "ramp", namespace: NS, values });
      assert.notEqual(res.code, 0, `helm template accepted ${JSON.stringify(values)}`);
      assert.match(res.stderr, message, `${JSON.stringify(values)}: ${res.stderr}`);
    }
    // One replica without leader election is allowed (a single writer).
    const single = await render({
      release: "ramp",
      namespace: NS,
      values: { replicaCount: 1, leaderElection: { enabled: false } },
    });
    assert.ok(!container(single).args.includes("--leader-elect"));
    assert.ok(!single.some((d) => d.metadata.name === "ramp-leader-election"));
  });
});

describe("helm chart: the rendered manifests on the real apiserver", () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  /** A fresh release namespace that enforces the restricted Pod Security Standard. */
  async function restrictedNamespace(prefix: string): Promise<string> {
    const ns = await createTestNamespace(prefix);
    cleanups.push(() => deleteTestNamespace(ns, { wait: false }));
    const labelled = await kubectl([
      "label",
      "namespace",
      ns,
      "pod-security.kubernetes.io/enforce=restricted",
      "pod-security.kubernetes.io/warn=restricted",
    ]);
    assert.equal(labelled.code, 0, labelled.stderr);
    return ns;
  }

  async function applyAndCheck(label: string, values: Record<string, unknown>, extraNamespace?: string) {
    const ns = await restrictedNamespace(`chart-${label}`);
    const release = `r${randomBytes(3).toString("hex")}`;
    const vals = extraNamespace ? { ...values, watchNamespace: extraNamespace } : values;
    const docs = await render({ release, namespace: ns, values: vals, includeCrds: true });
    cleanups.push(() => deleteClusterScoped(docs));
    const warnings = await applyManifests(docs);
    assert.doesNotMatch(
      warnings,
      /would violate PodSecurity/,
      "the pod template meets the restricted standard",
    );
    // Everything the chart rendered exists.
    const input = docs.map((d) => `---\n${stringify(d)}`).join("");
    const got = await kubectl(["get", "-f", "-", "-o", "name"], { input });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim().split("\n").length, docs.length, got.stdout);
    // The controller pods pass the restricted Pod Security admission and the Deployment becomes available
    // (kwok runs them on simulated nodes; no image is pulled).
    const deploy = find(docs, "Deployment").metadata.name;
    const replicas = (find(docs, "Deployment").spec as { replicas: number }).replicas;
    await waitFor(
      async () => {
        const r = await kubectl([
          "get",
          "deployment",
          deploy,
          "-n",
          ns,
          "-o",
          "jsonpath={.status.availableReplicas}",
        ]);
        return Number(r.stdout) === replicas;
      },
      { what: `Deployment ${deploy} to have ${replicas} available replicas`, timeoutMs: 60_000 },
    );
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "reason=FailedCreate",
      "-o",
      "name",
    ]);
    assert.equal(events.stdout.trim(), "", "no pod creation was refused");
    return { ns, docs };
  }

  test("default values: applied server-side, CRDs included; the pods pass the restricted Pod Security Standard", async () => {
    await installCrds();
    const { docs } = await applyAndCheck("default", {});
    assert.ok(docs.some((d) => d.kind === "CustomResourceDefinition"));
  });

  test("namespaced mode (watching another namespace): applied server-side", async () => {
    const watched = await createTestNamespace("chart-watched");
    cleanups.push(() => deleteTestNamespace(watched, { wait: false }));
    const { docs } = await applyAndCheck(
      "namespaced",
      { namespaced: true, analysis: { secretNames: ["prom"] } },
      watched,
    );
    assert.equal(find(docs, "Role", find(docs, "Deployment").metadata.name).metadata.namespace, watched);
  });

  test("every optional feature on: applied server-side, ServiceMonitor and PrometheusRule against the Prometheus Operator's CRDs", async () => {
    await installMonitoringCrds();
    assert.ok(await served("servicemonitors", "monitoring.coreos.com"));
    assert.ok(await served("prometheusrules", "monitoring.coreos.com"));
    const { docs } = await applyAndCheck("all-on", ALL_ON);
    assert.ok(docs.some((d) => d.kind === "ServiceMonitor"));
    assert.ok(docs.some((d) => d.kind === "NetworkPolicy"));
  });
});
