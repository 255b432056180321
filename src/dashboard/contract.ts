// What the dashboard's server sends its browser app, and what the app may ask: one file both sides import
// (docs/adr/0016-dashboard.md). Nothing here ever holds a Secret's value: args from Secrets are references.

/** The actions a page offers; each maps to the plugin's own function (src/cli/actions). */
export const DASHBOARD_ACTIONS = [
  "promote",
  "promoteFull",
  "abort",
  "retry",
  "pause",
  "resume",
  "undo",
  "restart",
] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

/** What RBAC rule each action needs of the viewer (a SubjectAccessReview on the Rollout's namespace). */
export const ACTION_NEEDS: Record<DashboardAction, { verb: "patch"; subresource?: "status" }> = {
  promote: { verb: "patch", subresource: "status" },
  promoteFull: { verb: "patch", subresource: "status" },
  abort: { verb: "patch", subresource: "status" },
  retry: { verb: "patch", subresource: "status" },
  pause: { verb: "patch", subresource: "status" },
  resume: { verb: "patch", subresource: "status" },
  // Spec changes: undo restores an earlier template, restart sets spec.restartAt.
  undo: { verb: "patch" },
  restart: { verb: "patch" },
};

/** May the viewer use an action, and if not, why (shown on the disabled button). */
export type Permission = { allowed: boolean; reason?: string };

/** One row of the overview. */
export type RolloutSummary = {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  phase: "Healthy" | "Progressing" | "Paused" | "Degraded" | "Unknown";
  strategy: "canary" | "blueGreen";
  /** 1-based step and count (canary with steps), else undefined. */
  step?: { index: number; count: number } | undefined;
  /** Canary traffic weight in percent, as status.canary.weight says. */
  weight?: number | undefined;
  /** `name=image` of every container of the newest version; `stable` the stable version's when different. */
  images: string[];
  stableImages?: string[] | undefined;
  createdAt: string;
  message?: string | undefined;
  /** The abort's code and full message, when aborted. */
  abort?: { reason: string; message: string; by?: string | undefined; at: string } | undefined;
  /** Bumped on every change, so the page can ignore stale updates. */
  resourceVersion: string;
};

export type StepView = {
  index: number;
  /** "setWeight 20", "pause 30s", "pause (until promoted)", "analysis: error-rate", … */
  describe: string;
  state: "done" | "current" | "next";
  /** A current timed pause: when it ends (RFC 3339). */
  endsAt?: string | undefined;
};

export type PodView = { name: string; ready: boolean; phase: string; restarts: number };
export type VersionView = {
  replicaSet: string;
  hash: string;
  revision: number;
  role: "stable" | "canary" | "preview" | "active" | "old";
  images: string[];
  replicas: number;
  readyReplicas: number;
  pods: PodView[];
};

/** One traffic router as its object shows it now (not as ramp meant it). */
export type RouterView = { kind: string; name: string; weights: { backend: string; weight: number }[] };

export type MeasurementView = {
  at: string;
  value?: string | undefined;
  phase: string;
  message?: string | undefined;
};
export type MetricView = {
  name: string;
  phase: string;
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
  measurements: MeasurementView[];
  /** A judge metric's last judgement: the score's line, then each judged metric's verdict and line. */
  judgement?: { head: string; metrics: { name: string; verdict: string; line: string }[] } | undefined;
};
export type AnalysisRunView = {
  name: string;
  phase: string;
  message?: string | undefined;
  startedAt?: string | undefined;
  metrics: MetricView[];
  /** Args as given; an arg from a Secret is shown as its reference (`secret:name/key`), never its value. */
  args: { name: string; value?: string | undefined; from?: string | undefined }[];
};

export type ConditionView = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
};
export type EventView = { type: string; reason: string; message: string; count: number; lastSeen: string };

export type RolloutDetail = RolloutSummary & {
  steps: StepView[];
  versions: VersionView[];
  routers: RouterView[];
  analysisRuns: AnalysisRunView[];
  conditions: ConditionView[];
  events: EventView[];
  /** Per action: may this viewer use it (SubjectAccessReview), and does it make sense now. */
  actions: Record<DashboardAction, Permission>;
};

/** GET /api/me */
export type Me = {
  user: string;
  groups: string[];
  mode: "local" | "cluster";
  /** Send as the X-CSRF-Token header with every POST. */
  csrfToken: string;
};

/**
 * Server-Sent Events on GET /api/rollouts/stream (the overview) and GET /api/rollouts/NS/NAME/stream
 * (one Rollout): `event: snapshot` then `event: upsert` / `event: delete`, each `data:` one JSON value.
 */
export type OverviewEvent =
  | { type: "snapshot"; rollouts: RolloutSummary[] }
  | { type: "upsert"; rollout: RolloutSummary }
  | { type: "delete"; namespace: string; name: string };
export type DetailEvent = { type: "snapshot" | "upsert"; rollout: RolloutDetail } | { type: "delete" };

/** POST /api/rollouts/NS/NAME/actions/ACTION (header X-CSRF-Token) answers this, or an ApiError. */
export type ActionAnswer = { message: string };
/** Every non-2xx answer: 400 bad request, 401 not authenticated, 403 not allowed (names the RBAC rule), 404, 409 refused by state, 429 too many failed logins. */
export type ApiError = { error: string };

export const API = {
  me: "/api/me",
  overviewStream: "/api/rollouts/stream",
  detail: (ns: string, name: string) => `/api/rollouts/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`,
  detailStream: (ns: string, name: string) =>
    `/api/rollouts/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/stream`,
  action: (ns: string, name: string, action: DashboardAction) =>
    `/api/rollouts/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/actions/${action}`,
  /** POST {token} (in-cluster): a Kubernetes bearer token checked by TokenReview; sets the session cookie. */
  login: "/api/login",
  logout: "/api/logout",
} as const;

/** Page routes the app handles (history API); the server answers index.html for them. */
export const PAGES = {
  overview: "/",
  rollout: (ns: string, name: string) => `/rollouts/${ns}/${name}`,
} as const;
