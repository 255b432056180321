// A MetricTemplate's provider and query as a ramp metric provider. Flagger renders the query with Go
// templates per Canary; ramp's AnalysisTemplate is written per Rollout here, so every variable is filled
// in at conversion time except those ramp knows at run time: `namespace` becomes `{{args.namespace}}` and
// `target` (Flagger's canary Deployment) becomes the canary ReplicaSet `{{args.rollout-name}}-{{args.canary-hash}}`.
import type { Json, Source } from "./source.ts";

/** The values Flagger's query templates read (its MetricTemplateModel), for one metric of one Canary. */
export type QueryModel = {
  name: string;
  service: string;
  ingress: string;
  route: string;
  /** The metric's window, already a PromQL duration. */
  interval: string;
  variables: Record<string, string>;
};

const CANARY_RS = "{{args.rollout-name}}-{{args.canary-hash}}";
// Flagger's documented pod-name match of the target's pods (`<deployment>-<rs hash>-<pod suffix>`); ramp's
// canary pods are `<rollout>-<canary hash>-<pod suffix>`.
const POD_OF_TARGET = /\{\{-?\s*target\s*-?\}\}-\[0-9a-zA-Z\]\+\(-\[0-9a-zA-Z\]\+\)/g;

/** The query with Flagger's template actions replaced; `unknown` lists actions left as they were. */
export function renderQuery(query: string, model: QueryModel): { query: string; unknown: string[] } {
  const unknown: string[] = [];
  const out = query
    .replace(POD_OF_TARGET, `${CANARY_RS}-[0-9a-zA-Z]+`)
    .replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, expr: string) => {
      // ramp's own arguments, written by the rule above.
      if (expr.startsWith("args.")) return whole;
      const value = actionValue(expr.trim(), model);
      if (value === undefined) unknown.push(whole);
      return value ?? whole;
    });
  return { query: out, unknown };
}

function actionValue(expr: string, m: QueryModel): string | undefined {
  switch (expr) {
    case "namespace":
      return "{{args.namespace}}";
    case "target":
      return CANARY_RS;
    case "name":
      return m.name;
    case "service":
      return m.service;
    case "ingress":
      return m.ingress;
    case "route":
      return m.route;
    case "interval":
      return m.interval;
  }
  const v =
    /^variables\.([A-Za-z0-9_]+)$/.exec(expr)?.[1] ?? /^index\s+variables\s+"([^"]+)"$/.exec(expr)?.[1];
  return v === undefined ? undefined : m.variables[v];
}

// What to use instead of each provider ramp does not have.
const UNSUPPORTED: Record<string, string> = {
  datadog:
    "a Flagger Datadog template is not converted: write a ramp datadog metric by hand (provider.datadog, " +
    "docs/analysis.md), its keys in a Secret in the run's namespace",
  newrelic:
    "a Flagger New Relic template is not converted: write a ramp newRelic metric by hand (provider.newRelic, " +
    "docs/analysis.md), its key and account in a Secret in the run's namespace",
  cloudwatch:
    "a Flagger CloudWatch template is not converted: write a ramp cloudWatch metric by hand " +
    "(provider.cloudWatch with metricDataQueries, docs/analysis.md)",
  graphite:
    "a Flagger Graphite template is not converted: write a ramp graphite metric by hand (provider.graphite " +
    "with its address and query: target=…, docs/analysis.md)",
  influxdb: "ramp has no InfluxDB provider: query InfluxDB's HTTP API with a web metric",
  stackdriver:
    "ramp has no Google Cloud Monitoring provider: use a prometheus metric against its PromQL API " +
    "(https://monitoring.googleapis.com/v1/projects/PROJECT/location/global/prometheus)",
  dynatrace: "ramp has no Dynatrace provider: query Dynatrace's metrics API with a web metric",
};

/**
 * `provider.prometheus` for a MetricTemplate (reporting what it cannot carry on the template itself),
 * or the reason there is none.
 */
export function templateProvider(
  t: Source,
  defaultAddress: string,
  sameNamespace: boolean,
): { prometheus: Json } | { unsupported: string } {
  const type = t.str(["spec", "provider", "type"]) ?? "";
  if (type !== "prometheus") {
    const reason =
      UNSUPPORTED[type] ??
      `provider type "${type}" is not one ramp measures with: use a prometheus, web or job metric`;
    t.drop(["spec", "provider", "type"], reason);
    t.use(["spec"]);
    return { unsupported: reason };
  }
  const address = t.str(["spec", "provider", "address"]);
  const prometheus: Json = { address: address ?? defaultAddress };
  t.use(["spec", "provider", "type"], ["spec", "provider", "address"], ["spec", "query"]);
  if (t.bool(["spec", "provider", "insecureSkipVerify"])) prometheus.insecureSkipVerify = true;
  t.use(["spec", "provider", "insecureSkipVerify"]);
  const secret = t.str(["spec", "provider", "secretRef", "name"]);
  if (secret) {
    prometheus.authentication = { bearerToken: { secretKeyRef: { name: secret, key: "token" } } };
    t.use(["spec", "provider", "secretRef"]);
    t.note(
      ["spec", "provider", "secretRef"],
      `Secret "${secret}" is read as a bearer token (its key "token", as Flagger does first); if it holds ` +
        `username and password instead, write authentication.basic: {username: <the user>, passwordSecretKeyRef: ` +
        `{name: ${secret}, key: password}} (ramp takes the user name as text)` +
        (sameNamespace ? "" : "; ramp reads the Secret from the Rollout's namespace: copy it there"),
    );
  }
  t.drop(["spec", "provider", "region"], "region is read only by Flagger's CloudWatch provider");
  return { prometheus };
}
