// Command-line options of ramp-controller.
import { parseArgs } from "node:util";
import type { LevelWithSilent } from "pino";
import { parseRules } from "../analysis/providers/web-policy.ts";

export type ControllerOptions = {
  kubeconfig?: string | undefined;
  namespace?: string | undefined;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  metricsAddr: string;
  healthAddr: string;
  logLevel: LevelWithSilent;
  workers: number;
  /** Web-analysis entries (CIDR, IP, host name, optional :port), validated; see docs/analysis.md. */
  webAnalysisAllow: string[];
  webAnalysisDeny: string[];
  /** Client-side limit on apiserver requests (0: none); the Lease has a client of its own. */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** /healthz fails while a reconcile has run longer than this (0: never). */
  stuckReconcileMs: number;
  /** Base URLs for the link in every notification: the dashboard's first, else Grafana's. */
  dashboardUrl?: string | undefined;
  grafanaUrl?: string | undefined;
  /** A notification not delivered this long after it was queued is given up (a Warning Event). */
  notifyGiveUpMs: number;
};

/** Reconciles at once. They wait on the apiserver, not the CPU: at 8, a thousand Rollouts shipped together queued for 10 s here. */
export const DEFAULT_WORKERS = 32;

export const USAGE = `Usage: ramp-controller [options]

  --kubeconfig PATH      kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --namespace NS         watch only this namespace (default: all namespaces)
  --leader-elect         run leader election on a Lease, so only one replica writes
  --lease-name NAME      the Lease's name (default ramp-controller)
  --lease-namespace NS   the Lease's namespace (default: --namespace, $POD_NAMESPACE, or default)
  --identity ID          this replica's identity (default: $POD_NAME or hostname, plus a random suffix)
  --metrics-addr ADDR    serve /metrics on ADDR (default 127.0.0.1:8080; ":8080" = all interfaces)
  --health-addr ADDR     serve /healthz and /readyz on ADDR (default 127.0.0.1:8081)
  --log-level LEVEL      trace, debug, info, warn, error (default info)
  --workers N            Rollouts reconciled at once (default ${DEFAULT_WORKERS})
  --kube-api-qps N       requests a second to the apiserver, sustained (default 0: no client-side limit,
                         the apiserver's priority and fairness queues decide); leader election is exempt
  --kube-api-burst N     requests that may go at once above --kube-api-qps (default: 2 × qps)
  --stuck-reconcile-seconds N
                         /healthz fails while a reconcile has run longer than N seconds, so the kubelet
                         restarts a controller stuck on a call that never returns (default 300; 0: never)
  --web-analysis-allow LIST
                         addresses web and Prometheus analysis may call despite a deny entry:
                         comma-separated IPs, CIDRs or host names (*.example.com), each optionally
                         with :PORT; the most specific matching entry wins (default:
                         $RAMP_WEB_ANALYSIS_ALLOW, or none)
  --web-analysis-deny LIST
                         more addresses web and Prometheus analysis may not call, same format (default:
                         $RAMP_WEB_ANALYSIS_DENY); always denied as well: cloud metadata (169.254.0.0/16,
                         fd00:ec2::254, metadata.google.internal, …) and this controller's own endpoints
  --dashboard-url URL    base URL of ramp's dashboard: notifications link to URL/rollouts/NS/NAME
  --grafana-url URL      base URL of Grafana: without --dashboard-url, notifications link to the ramp
                         dashboard there (uid ramp-rollouts) for the Rollout
  --notify-give-up-seconds N
                         a notification a destination has not accepted N seconds after it was queued
                         is given up, with a Warning Event and ramp_notifications_failed_total (default 600)
  -h, --help             this help
`;

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** Parses argv; throws an Error naming the bad option and the fix. */
export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
  hostname: string,
): ControllerOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: "string" },
      namespace: { type: "string" },
      "leader-elect": { type: "boolean", default: false },
      "lease-name": { type: "string", default: "ramp-controller" },
      "lease-namespace": { type: "string" },
      identity: { type: "string" },
      "metrics-addr": { type: "string", default: "127.0.0.1:8080" },
      "health-addr": { type: "string", default: "127.0.0.1:8081" },
      "log-level": { type: "string", default: "info" },
      workers: { type: "string", default: String(DEFAULT_WORKERS) },
      "kube-api-qps": { type: "string", default: "0" },
      "kube-api-burst": { type: "string" },
      "stuck-reconcile-seconds": { type: "string", default: "300" },
      "web-analysis-allow": { type: "string", multiple: true },
      "web-analysis-deny": { type: "string", multiple: true },
      "dashboard-url": { type: "string" },
      "grafana-url": { type: "string" },
      "notify-give-up-seconds": { type: "string", default: "600" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const level = values["log-level"];
  if (!LEVELS.includes(level)) throw new Error(`--log-level: "${level}" is not one of ${LEVELS.join(", ")}`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`--workers: "${values.workers}" must be a whole number >= 1`);
  const kubeApiQps = Number(values["kube-api-qps"]);
  if (!Number.isFinite(kubeApiQps) || kubeApiQps < 0)
    throw new Error(`--kube-api-qps: "${values["kube-api-qps"]}" must be a number >= 0 (0: no limit)`);
  const burstFlag = values["kube-api-burst"];
  const kubeApiBurst = burstFlag === undefined ? Math.max(1, Math.ceil(kubeApiQps * 2)) : Number(burstFlag);
  if (!Number.isInteger(kubeApiBurst) || kubeApiBurst < 1)
    throw new Error(`--kube-api-burst: "${burstFlag}" must be a whole number >= 1`);
  if (burstFlag !== undefined && kubeApiQps === 0)
    throw new Error(
      "--kube-api-burst needs --kube-api-qps > 0 (without a rate there is no limit to burst above)",
    );
  const stuck = Number(values["stuck-reconcile-seconds"]);
  if (!Number.isFinite(stuck) || stuck < 0)
    throw new Error(
      `--stuck-reconcile-seconds: "${values["stuck-reconcile-seconds"]}" must be a number >= 0`,
    );
  const giveUp = Number(values["notify-give-up-seconds"]);
  if (!Number.isFinite(giveUp) || giveUp <= 0)
    throw new Error(`--notify-give-up-seconds: "${values["notify-give-up-seconds"]}" must be a number > 0`);
  for (const flag of ["dashboard-url", "grafana-url"] as const) {
    const url = values[flag];
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url))
      throw new Error(
        `--${flag}: "${url}" must be an absolute http(s) URL, e.g. https://grafana.example.com`,
      );
  }
  // A flag replaces its environment variable; a typo stops the controller instead of opening a hole.
  const webAnalysisAllow = values["web-analysis-allow"] ?? listFromEnv(env.RAMP_WEB_ANALYSIS_ALLOW);
  const webAnalysisDeny = values["web-analysis-deny"] ?? listFromEnv(env.RAMP_WEB_ANALYSIS_DENY);
  parseRules(webAnalysisAllow, "--web-analysis-allow");
  parseRules(webAnalysisDeny, "--web-analysis-deny");
  const suffix = Math.random().toString(36).slice(2, 8);
  return {
    kubeconfig: values.kubeconfig,
    namespace: values.namespace,
    leaderElect: values["leader-elect"],
    leaseName: values["lease-name"],
    leaseNamespace: values["lease-namespace"] ?? values.namespace ?? env.POD_NAMESPACE ?? "default",
    identity: values.identity ?? `${env.POD_NAME ?? hostname}-${suffix}`,
    metricsAddr: values["metrics-addr"],
    healthAddr: values["health-addr"],
    logLevel: level as LevelWithSilent,
    workers,
    webAnalysisAllow,
    webAnalysisDeny,
    kubeApiQps,
    kubeApiBurst,
    stuckReconcileMs: stuck * 1000,
    dashboardUrl: values["dashboard-url"],
    grafanaUrl: values["grafana-url"],
    notifyGiveUpMs: giveUp * 1000,
  };
}

const listFromEnv = (value: string | undefined): string[] => (value?.trim() ? [value] : []);
