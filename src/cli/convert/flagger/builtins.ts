// Flagger's two built-in checks, request-success-rate (non-5xx share, a percentage 0-100) and
// request-duration (P99 in milliseconds), as Prometheus queries over ramp's canary. Flagger's canary is the
// target Deployment; ramp's is the ReplicaSet `<rollout>-<canary hash>`, whose pods are named
// `<rollout>-<canary hash>-<suffix>` and which Istio reports as the workload of that name. So every query
// selects the canary by `{{args.rollout-name}}-{{args.canary-hash}}` (ramp's built-in args), never by a
// Deployment name. Each returns one sample, as Flagger's did, and the same unit.

export type Builtin = "request-success-rate" | "request-duration";
/** Which metrics the mesh or ingress exports: decides the query. */
export type Flavor = "istio" | "linkerd" | "nginx" | "http";

export const BUILTINS: readonly string[] = ["request-success-rate", "request-duration"];

const CANARY_RS = "{{args.rollout-name}}-{{args.canary-hash}}";
const NS = "{{args.namespace}}";

/** `100 * ok / all` over one counter, the error filter added to the numerator only. */
const ratio = (metric: string, labels: string, notError: string, window: string): string =>
  [
    `100 * sum(rate(${metric}{${labels}, ${notError}}[${window}]))`,
    `/ sum(rate(${metric}{${labels}}[${window}]))`,
  ].join("\n");

const p99 = (bucket: string, labels: string, window: string, scale = ""): string =>
  `${scale}histogram_quantile(0.99, sum by (le) (rate(${bucket}{${labels}}[${window}])))`;

/** The query, and what it reads (for the comment beside it in the output). */
export function builtinQuery(
  which: Builtin,
  flavor: Flavor,
  window: string,
  ingress: string,
): { query: string; reads: string } {
  const success = which === "request-success-rate";
  switch (flavor) {
    case "istio": {
      const l = `reporter="destination", destination_workload_namespace="${NS}", destination_workload="${CANARY_RS}"`;
      return {
        query: success
          ? ratio("istio_requests_total", l, `response_code!~"5.."`, window)
          : p99("istio_request_duration_milliseconds_bucket", l, window),
        reads: "Istio's standard metrics, the canary ReplicaSet as destination_workload",
      };
    }
    case "linkerd": {
      const l = `namespace="${NS}", pod=~"${CANARY_RS}-[a-z0-9]+", direction="inbound"`;
      return {
        query: success
          ? ratio("response_total", l, `classification!="failure"`, window)
          : p99("response_latency_ms_bucket", l, window),
        reads: "the Linkerd proxy's metrics of the canary's pods",
      };
    }
    case "nginx": {
      // ingress-nginx labels a request served by a canary Ingress with a non-empty `canary`, under the
      // name of the Ingress it matched (the stable one, as for Flagger's canary Ingress).
      const l = `namespace="${NS}", ingress="${ingress}", canary!=""`;
      return {
        query: success
          ? ratio("nginx_ingress_controller_requests", l, `status!~"5.."`, window)
          : p99("nginx_ingress_controller_request_duration_seconds_bucket", l, window, "1000 * "),
        reads: `ingress-nginx's metrics of the Ingress "${ingress}" for requests sent to the canary`,
      };
    }
    case "http": {
      const l = `kubernetes_namespace="${NS}", kubernetes_pod_name=~"${CANARY_RS}-[a-z0-9]+"`;
      return {
        query: success
          ? ratio("http_request_duration_seconds_count", l, `status!~"5.."`, window)
          : p99("http_request_duration_seconds_bucket", l, window, "1000 * "),
        reads:
          "the app's own http_request_duration_seconds histogram of the canary's pods (as Flagger's " +
          "Kubernetes and Gateway API checks do; the scrape must add kubernetes_namespace and kubernetes_pod_name)",
      };
    }
  }
}
